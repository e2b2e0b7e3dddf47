/**
 * The constraints of a service model checked on a decoded input: required members, lengths,
 * ranges, enums and patterns, reported in AWS's wording ("1 validation error detected: Value 'x'
 * at 'name' failed to satisfy constraint: Member must ..."). A member the model marks sensitive
 * (Value, SecretString, SecretBinary, Plaintext, passwords) is never echoed.
 *
 * The patterns are AWS's own, fixed in the generated tables (never built from input).
 */
import type { ModelShape, ServiceModel } from './service-model.js';

const compiled = new WeakMap<ModelShape, RegExp>();

function patternOf(shape: ModelShape & { pattern?: string; flags?: string }): RegExp {
  let regex = compiled.get(shape);
  if (!regex) {
    regex = new RegExp(`^(?:${shape.pattern})$`, shape.flags ?? '');
    compiled.set(shape, regex);
  }
  return regex;
}

/** AWS names members in messages with a lower-case first letter: `secretId`, `tags.1.member.key`. */
export function memberPath(parent: string, member: string): string {
  const name = member.charAt(0).toLowerCase() + member.slice(1);
  return parent === '' ? name : `${parent}.${name}`;
}

/** How a value is shown in a message: quoted, lists as `[a, b]`; nothing for sensitive or structured values. */
function shown(shape: ModelShape, value: unknown, sensitive: boolean): string {
  if (sensitive) return '';
  if (Array.isArray(value)) return value.every((v) => typeof v !== 'object') ? `'[${value.join(', ')}]' ` : '';
  if (typeof value === 'object' && value !== null && !(value instanceof Date)) return '';
  if (shape.type === 'blob') return '';
  return `'${String(value)}' `;
}

function isSensitive(shape: ModelShape): boolean {
  return 'sensitive' in shape && shape.sensitive === true;
}

function isScalar(shape: ModelShape): boolean {
  return shape.type !== 'structure' && shape.type !== 'list' && shape.type !== 'map';
}

/** Every constraint a scalar shape states, in AWS's order: length (maximum, then minimum), range, pattern, enum. */
function memberConstraints(shape: ModelShape): string[] {
  const s = shape as ModelShape & { min?: number; max?: number; pattern?: string; enum?: readonly string[] };
  const length = s.type === 'string' || s.type === 'blob';
  const out: string[] = [];
  if (length && s.max !== undefined) out.push(`Member must have length less than or equal to ${s.max}`);
  if (length && s.min !== undefined) out.push(`Member must have length greater than or equal to ${s.min}`);
  if (!length && s.max !== undefined) out.push(`Member must have value less than or equal to ${s.max}`);
  if (!length && s.min !== undefined) out.push(`Member must have value greater than or equal to ${s.min}`);
  if (s.pattern !== undefined) out.push(`Member must satisfy regular expression pattern: ${s.pattern}`);
  if (s.enum !== undefined) out.push(`Member must satisfy enum value set: [${s.enum.join(', ')}]`);
  return out;
}

function failure(path: string, display: string, constraint: string): string {
  return `Value ${display}at '${path}' failed to satisfy constraint: ${constraint}`;
}

/** Checks a decoded value against its shape, appending each failure's text to `failures`. */
export function checkConstraints(
  model: ServiceModel,
  shapeName: string,
  value: unknown,
  path: string,
  failures: string[],
): void {
  const shape = model.shapes[shapeName]!;
  const display = shown(shape, value, isSensitive(shape));
  switch (shape.type) {
    case 'structure': {
      const record = value as Record<string, unknown>;
      for (const [member, memberShape] of Object.entries(shape.members)) {
        const child = record[member];
        const childPath = memberPath(path, member);
        if (child === undefined) {
          if (shape.required?.includes(member)) failures.push(failure(childPath, 'null ', 'Member must not be null'));
        } else {
          checkConstraints(model, memberShape, child, childPath, failures);
        }
      }
      return;
    }
    case 'list': {
      const list = value as unknown[];
      lengthFailures(shape, list.length, path, display, failures);
      const member = model.shapes[shape.member]!;
      if (!isScalar(member)) {
        for (const [i, item] of list.entries())
          checkConstraints(model, shape.member, item, `${path}.${i + 1}.member`, failures);
        return;
      }
      // AWS reports a scalar member's failure once, at the list, with the whole list and every
      // constraint of the member: "Value '[a, b]' at 'labels' failed to satisfy constraint:
      // Member must satisfy constraint: [Member must have length less than or equal to 100, ...]".
      const memberFailures: string[] = [];
      for (const item of list) checkConstraints(model, shape.member, item, path, memberFailures);
      if (memberFailures.length > 0) {
        const listDisplay = isSensitive(member) ? '' : display;
        const constraints = memberConstraints(member).join(', ');
        failures.push(failure(path, listDisplay, `Member must satisfy constraint: [${constraints}]`));
      }
      return;
    }
    case 'map': {
      const entries = Object.entries(value as Record<string, unknown>);
      lengthFailures(shape, entries.length, path, display, failures);
      for (const [key, item] of entries) {
        checkConstraints(model, shape.key, key, `${path}.${key}.key`, failures);
        checkConstraints(model, shape.value, item, `${path}.${key}.member`, failures);
      }
      return;
    }
    case 'string': {
      const text = value as string;
      lengthFailures(shape, text.length, path, display, failures);
      if (shape.enum && !shape.enum.includes(text))
        failures.push(failure(path, display, `Member must satisfy enum value set: [${shape.enum.join(', ')}]`));
      if (shape.pattern !== undefined && !patternOf(shape).test(text)) {
        failures.push(failure(path, display, `Member must satisfy regular expression pattern: ${shape.pattern}`));
      }
      return;
    }
    case 'blob':
      lengthFailures(shape, Buffer.byteLength(value as string, 'base64'), path, display, failures);
      return;
    case 'integer':
    case 'long': {
      const n = value as number;
      if (shape.min !== undefined && n < shape.min)
        failures.push(failure(path, display, `Member must have value greater than or equal to ${shape.min}`));
      if (shape.max !== undefined && n > shape.max)
        failures.push(failure(path, display, `Member must have value less than or equal to ${shape.max}`));
      return;
    }
    default:
      return;
  }
}

function lengthFailures(
  shape: { min?: number; max?: number },
  length: number,
  path: string,
  display: string,
  failures: string[],
): void {
  if (shape.min !== undefined && length < shape.min)
    failures.push(failure(path, display, `Member must have length greater than or equal to ${shape.min}`));
  if (shape.max !== undefined && length > shape.max)
    failures.push(failure(path, display, `Member must have length less than or equal to ${shape.max}`));
}
