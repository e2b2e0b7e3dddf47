/**
 * A JSON or YAML document as names and values. Nested objects are paths (`{"lee": {"ha":
 * {"access_token": "..."}}}` holds `/lee/ha/access_token`), and a key may be a whole name or a
 * part of one (`{"/lee/ha/access_token": "..."}`). Leaves: strings as they are; numbers and
 * booleans as their text; a list of scalars as its comma-joined text (a StringList's value);
 * `{"$json": ...}` as the JSON text of what it holds (a secret holding a JSON object);
 * `{"$binary": "<base64>"}` and YAML's `!!binary` as bytes. Nulls are skipped.
 */
import { CofferClientError } from './client-error.js';
import type { LocalValue } from './local-records.js';

const isScalar = (v: unknown) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
const BASE64 = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;

function childName(parent: string, key: string): string {
  const part = key.replace(/^\/+|\/+$/g, '');
  return `${parent}/${part}`;
}

type Invalid = (name: string, what: string) => CofferClientError;

/** The value a node holds when it is a leaf; undefined when it is a branch of names. */
function leafValue(node: unknown, name: string, invalid: Invalid): LocalValue | undefined {
  if (isScalar(node)) return String(node);
  if (node instanceof Uint8Array) return node;
  if (Array.isArray(node)) {
    if (!node.every(isScalar)) throw invalid(name, 'is a list that holds more than text, numbers and booleans');
    return node.map(String).join(',');
  }
  if (typeof node !== 'object' || node === null) throw invalid(name, 'is not a value');
  const keys = Object.keys(node);
  const record = node as Record<string, unknown>;
  if (keys.length === 1 && keys[0] === '$json') return JSON.stringify(record.$json);
  if (keys.length === 1 && keys[0] === '$binary') {
    const text = record.$binary;
    if (typeof text !== 'string' || !BASE64.test(text)) throw invalid(name, 'has a $binary that is not base64');
    return new Uint8Array(Buffer.from(text, 'base64'));
  }
  return undefined;
}

/** Flattens a parsed document; `source` names the file in errors. */
export function flattenTree(tree: unknown, source: string): Map<string, LocalValue> {
  const values = new Map<string, LocalValue>();
  const invalid: Invalid = (name, what) =>
    new CofferClientError('ValidationException', `${source}: the entry ${name || '(top)'} ${what}`);
  const visit = (node: unknown, name: string): void => {
    if (node === null || node === undefined) return;
    const leaf = name === '' ? undefined : leafValue(node, name, invalid);
    if (leaf !== undefined) {
      values.set(name, leaf);
      return;
    }
    if (typeof node !== 'object' || Array.isArray(node)) throw invalid(name, 'must be an object of names');
    for (const [key, child] of Object.entries(node)) visit(child, childName(name, key));
  };
  visit(tree, '');
  return values;
}
