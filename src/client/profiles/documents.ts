/**
 * Profile documents: JSON objects. Deep merge for `_inherits`, and the secure-field operations
 * (dotted paths such as `db.password`): redaction and placeholder warnings.
 */
import { ProfileError } from './profile-error.js';

/** A profile document: a JSON object. */
export type ProfileDocument = Record<string, unknown>;

/** What a secure field shows in a redacted document. */
export const REDACTED = '********';

/** Values that mean "not set yet" in a secure field (compared case-insensitively, trimmed). */
export const PLACEHOLDERS: readonly string[] = ['changeme', 'password', 'xxx', 'todo', REDACTED];

export function isPlainObject(value: unknown): value is ProfileDocument {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A deep copy through JSON: what the store would give back. Refuses what JSON cannot hold. */
export function toDocument(value: unknown, what: string): ProfileDocument {
  if (!isPlainObject(value)) throw new ProfileError('ProfileInvalid', `${what} is not a JSON object`);
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch {
    throw new ProfileError('ProfileInvalid', `${what} cannot be written as JSON`);
  }
  return JSON.parse(text) as ProfileDocument;
}

/** Parses a stored profile; says where it failed, never what it held. */
export function parseDocument(text: string, what: string): ProfileDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ProfileError('ProfileInvalid', `${what} is not valid JSON`);
  }
  if (!isPlainObject(value)) throw new ProfileError('ProfileInvalid', `${what} is not a JSON object`);
  return value;
}

/** `child` over `parent`: objects merge recursively, anything else (arrays too) the child's replaces. */
export function deepMerge(parent: ProfileDocument, child: ProfileDocument): ProfileDocument {
  const result: ProfileDocument = { ...parent };
  for (const [key, value] of Object.entries(child)) {
    const under = result[key];
    result[key] = isPlainObject(under) && isPlainObject(value) ? deepMerge(under, value) : value;
  }
  return result;
}

function segments(path: string): string[] {
  return path.split('.');
}

/** Whether `path` is present in `document`, and its value. */
export function getPath(document: ProfileDocument, path: string): { present: boolean; value?: unknown } {
  let node: unknown = document;
  for (const key of segments(path)) {
    if (!isPlainObject(node) || !Object.hasOwn(node, key)) return { present: false };
    node = node[key];
  }
  return { present: true, value: node };
}

/** A deep copy with every secure field that is present replaced by `********`. */
export function redactDocument(document: ProfileDocument, secureFields: readonly string[]): ProfileDocument {
  const copy = structuredClone(document);
  // A key that itself holds a dot (`"db.password": ...`) reads as the same dotted path: redact it too.
  const literal = (node: unknown, prefix: string): void => {
    if (!isPlainObject(node)) return;
    for (const key of Object.keys(node)) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (secureFields.includes(path)) node[key] = REDACTED;
      else literal(node[key], path);
    }
  };
  literal(copy, '');
  for (const path of secureFields) {
    const keys = segments(path);
    let node: unknown = copy;
    for (const key of keys.slice(0, -1)) {
      node = isPlainObject(node) && Object.hasOwn(node, key) ? node[key] : undefined;
    }
    const last = keys[keys.length - 1]!;
    if (isPlainObject(node) && Object.hasOwn(node, last)) node[last] = REDACTED;
  }
  return copy;
}

/** Warnings for secure fields written empty or with a placeholder: each names the field, never the value. */
export function secureFieldWarnings(document: ProfileDocument, secureFields: readonly string[]): string[] {
  const warnings: string[] = [];
  for (const path of secureFields) {
    const { present, value } = getPath(document, path);
    if (!present) continue;
    if (value === null || (typeof value === 'string' && value.trim() === '')) {
      warnings.push(`secure field ${path} is empty`);
    } else if (typeof value === 'string' && PLACEHOLDERS.includes(value.trim().toLowerCase())) {
      warnings.push(`secure field ${path} holds a placeholder, not a real value`);
    }
  }
  return warnings;
}
