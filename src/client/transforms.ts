/**
 * What a read can turn a value into: parsed JSON, decoded base64 bytes, or either chosen by the
 * name's suffix (`auto`: `.json` and `.binary`, as Powertools does). Transforms run on every
 * read, not once at load, so each caller gets its own object and no caller can change what the
 * next one reads. A value that does not transform is an error naming the parameter and never
 * quoting the value (JSON.parse's own message would).
 */
import { CofferClientError } from './client-error.js';

/** The transforms a read can ask for. */
export type Transform = 'json' | 'binary' | 'auto';

/** What a transform gives: parsed JSON is `unknown`, binary is bytes, none is the value itself. */
export type Transformed<T extends Transform | undefined, Plain> = T extends 'json' | 'auto'
  ? unknown
  : T extends 'binary'
    ? Uint8Array
    : Plain;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function failed(name: string, what: string): CofferClientError {
  return new CofferClientError('TransformError', `The value of ${name} ${what}`);
}

function parseJson(text: string, name: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw failed(name, 'is not valid JSON');
  }
}

function decodeBase64(text: string, name: string): Uint8Array {
  const compact = text.replace(/\s+/g, '');
  if (!BASE64.test(compact)) throw failed(name, 'is not valid base64');
  return new Uint8Array(Buffer.from(compact, 'base64'));
}

/** The transform `auto` picks for a name; undefined when it picks none. */
export function transformForName(name: string): 'json' | 'binary' | undefined {
  const lower = name.toLowerCase();
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.binary')) return 'binary';
  return undefined;
}

/** Applies `transform` to a value read under `name`; without one, bytes are copied and text is as is. */
export function applyTransform(value: string | Uint8Array, transform: Transform | undefined, name: string): unknown {
  const chosen = transform === 'auto' ? transformForName(name) : transform;
  if (chosen === 'json') {
    return parseJson(typeof value === 'string' ? value : Buffer.from(value).toString('utf8'), name);
  }
  if (chosen === 'binary') return typeof value === 'string' ? decodeBase64(value, name) : new Uint8Array(value);
  return typeof value === 'string' ? value : new Uint8Array(value);
}
