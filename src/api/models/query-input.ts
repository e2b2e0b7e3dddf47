/**
 * Decodes an AWS Query request (IAM, STS) against its operation's model. The form is parsed
 * strictly (valid percent-encoding and UTF-8, no repeated keys, bounded key depth), then each
 * modelled member is read from the keys its shape defines: a scalar from `Name=v`, a list from
 * `Name.member.N`, a structure from `Name.Field`, a map from `Name.entry.N.key/value`. A member
 * sent in another shape (`PolicyArn.member.1=` for the string PolicyArn, `Tags.member.1=` for a
 * structure) is refused, never coerced; names the model does not know are ignored, as AWS does.
 * Numbers and booleans arrive typed; then the model's constraints apply (ValidationError).
 */
import { ServiceError, validationMessage } from '../../engine/service-error.js';
import { MalformedQueryString } from '../wire-errors.js';
import { checkConstraints, memberPath } from './model-constraints.js';
import type { ServiceModel } from './service-model.js';

const MAX_KEY_SEGMENTS = 16;
const MAX_PAIRS = 5000;
const MAX_LIST_INDEX = 1000;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function validationError(failures: readonly string[]): ServiceError {
  return new ServiceError('ValidationError', validationMessage(failures), 400);
}

/** One key segment's subtree: the value sent for exactly this key, and longer keys below it. */
interface FormNode {
  value?: string;
  readonly children: Map<string, FormNode>;
}

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw new MalformedQueryString('The request contains an invalid percent-encoding or invalid UTF-8.');
  }
}

/** Parses a form body into Action, Version and a tree of the other keys. */
export function parseQueryForm(body: Buffer): {
  action: string | undefined;
  version: string | undefined;
  root: FormNode;
} {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new MalformedQueryString('The request body is not valid UTF-8.');
  }
  const root: FormNode = { children: new Map() };
  const seen = new Set<string>();
  let action: string | undefined;
  let version: string | undefined;
  const pairs = text === '' ? [] : text.split('&');
  if (pairs.length > MAX_PAIRS) throw new MalformedQueryString(`The request has more than ${MAX_PAIRS} parameters.`);
  for (const pair of pairs) {
    if (pair === '') continue;
    const at = pair.indexOf('=');
    const key = decodeComponent(at === -1 ? pair : pair.slice(0, at));
    const value = decodeComponent(at === -1 ? '' : pair.slice(at + 1));
    if (seen.has(key)) throw new MalformedQueryString('The request repeats a parameter.');
    seen.add(key);
    if (key === 'Action') action = value;
    else if (key === 'Version') version = value;
    else insert(root, key, value);
  }
  return { action, version, root };
}

function insert(root: FormNode, key: string, value: string): void {
  const segments = key.split('.');
  if (segments.length > MAX_KEY_SEGMENTS)
    throw new MalformedQueryString(`A parameter name has more than ${MAX_KEY_SEGMENTS} levels.`);
  let node = root;
  for (const segment of segments) {
    let next = node.children.get(segment);
    if (!next) {
      next = { children: new Map() };
      node.children.set(segment, next);
    }
    node = next;
  }
  node.value = value;
}

const DESCRIPTIONS: Record<string, string> = {
  structure: 'a structure of named members',
  list: 'a list of members numbered from 1',
  map: 'a map of entries numbered from 1',
};

function wrongShape(path: string, type: string): ServiceError {
  return validationError([
    `Value at '${path}' failed to satisfy constraint: Member must be ${DESCRIPTIONS[type] ?? 'a single value'}`,
  ]);
}

/** The numbered children of a list or map node (`member.1`, `entry.2`...), in order. */
function numbered(node: FormNode, wrapper: string, path: string, type: string): FormNode[] {
  if (node.value !== undefined && (node.value !== '' || node.children.size > 0)) throw wrongShape(path, type);
  if (node.children.size === 0) return [];
  const holder = node.children.get(wrapper);
  if (!holder || node.children.size !== 1 || holder.value !== undefined) throw wrongShape(path, type);
  const items: [number, FormNode][] = [];
  for (const [index, child] of holder.children) {
    if (!/^[1-9]\d{0,3}$/.test(index) || Number(index) > MAX_LIST_INDEX) throw wrongShape(path, type);
    items.push([Number(index), child]);
  }
  return items.sort((a, b) => a[0] - b[0]).map(([, child]) => child);
}

function scalar(node: FormNode, path: string): string {
  if (node.value === undefined || node.children.size > 0) throw wrongShape(path, 'scalar');
  return node.value;
}

function decodeNode(model: ServiceModel, shapeName: string, node: FormNode, path: string): unknown {
  const shape = model.shapes[shapeName]!;
  switch (shape.type) {
    case 'structure': {
      if (node.value !== undefined) throw wrongShape(path, 'structure');
      const out: Record<string, unknown> = {};
      for (const [member, memberShape] of Object.entries(shape.members)) {
        const child = node.children.get(member);
        if (child) out[member] = decodeNode(model, memberShape, child, memberPath(path, member));
      }
      return out;
    }
    case 'list':
      return numbered(node, 'member', path, 'list').map((item, i) =>
        decodeNode(model, shape.member, item, `${path}.${i + 1}.member`),
      );
    case 'map': {
      const out: Record<string, unknown> = {};
      numbered(node, 'entry', path, 'map').forEach((entry, i) => {
        const key = entry.children.get('key');
        const value = entry.children.get('value');
        if (!key || !value || entry.children.size !== 2 || entry.value !== undefined)
          throw wrongShape(`${path}.${i + 1}`, 'map');
        out[String(decodeNode(model, shape.key, key, `${path}.${i + 1}.key`))] = decodeNode(
          model,
          shape.value,
          value,
          `${path}.${i + 1}.value`,
        );
      });
      return out;
    }
    case 'integer':
    case 'long': {
      const text = scalar(node, path);
      const n = Number(text);
      if (!/^-?\d{1,16}$/.test(text) || !Number.isSafeInteger(n)) {
        throw validationError([`Value '${text}' at '${path}' failed to satisfy constraint: Member must be a number`]);
      }
      return n;
    }
    case 'double':
    case 'float': {
      const text = scalar(node, path);
      if (!/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text))
        throw validationError([`Value '${text}' at '${path}' failed to satisfy constraint: Member must be a number`]);
      return Number(text);
    }
    case 'boolean': {
      const text = scalar(node, path).toLowerCase();
      if (text !== 'true' && text !== 'false')
        throw validationError([`Value at '${path}' failed to satisfy constraint: Member must be true or false`]);
      return text === 'true';
    }
    case 'timestamp': {
      const text = scalar(node, path);
      const ms = /^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : Date.parse(text);
      if (Number.isNaN(ms))
        throw validationError([`Value at '${path}' failed to satisfy constraint: Member must be a timestamp`]);
      return new Date(ms);
    }
    default:
      return scalar(node, path);
  }
}

/** Decodes the parsed form for `operation`; the result holds only modelled, checked members. */
export function decodeQueryInput(model: ServiceModel, operation: string, root: FormNode): Record<string, unknown> {
  const shapeName = model.operations[operation];
  if (shapeName === null || shapeName === undefined) return {};
  const input = decodeNode(model, shapeName, root, '') as Record<string, unknown>;
  const failures: string[] = [];
  checkConstraints(model, shapeName, input, '', failures);
  if (failures.length > 0) throw validationError(failures);
  return input;
}
