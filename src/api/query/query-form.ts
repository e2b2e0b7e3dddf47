/**
 * The AWS Query protocol's request side: a form-encoded body (`Action=CreateUser&Version=...
 * &Tags.member.1.Key=team`) decoded into the nested input an engine expects
 * (`{ Tags: [{ Key: 'team' }] }`). Values stay strings; engines convert numbers and booleans.
 */
import { ServiceError } from '../../engine/service-error.js';

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** A decoded Query request. */
export interface QueryRequest {
  readonly action: string;
  readonly version: string | undefined;
  readonly input: Record<string, unknown>;
}

type Node = Record<string, unknown>;

function setPath(root: Node, tokens: readonly string[], value: string): void {
  let node: Node = root;
  for (let i = 0; i < tokens.length; i++) {
    const key = tokens[i]!;
    if (FORBIDDEN.has(key)) return;
    const isList = tokens[i + 1] === 'member' && /^[1-9]\d{0,3}$/.test(tokens[i + 2] ?? '');
    if (isList) {
      const list = (Array.isArray(node[key]) ? node[key] : (node[key] = [])) as unknown[];
      const index = Number(tokens[i + 2]) - 1;
      if (i + 2 === tokens.length - 1) {
        list[index] = value;
        return;
      }
      node = (list[index] ??= {}) as Node;
      i += 2;
      continue;
    }
    if (i === tokens.length - 1) node[key] = value;
    else {
      const next = node[key];
      node = (next !== null && typeof next === 'object' && !Array.isArray(next) ? next : (node[key] = {})) as Node;
    }
  }
}

/** Removes the holes `member.3` without `member.2` would leave. */
function compact(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== undefined).map(compact);
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) (value as Node)[k] = compact(v);
  }
  return value;
}

/** Decodes a form-encoded Query body. */
export function decodeQueryForm(body: Buffer): QueryRequest {
  const params = new URLSearchParams(body.toString('utf8'));
  const action = params.get('Action');
  if (!action) throw new ServiceError('MissingAction', 'Missing Action', 400);
  const input: Node = {};
  for (const [key, value] of params) {
    if (key === 'Action' || key === 'Version') continue;
    setPath(input, key.split('.'), value);
  }
  const decoded = compact(input) as Node;
  // Every top-level Query member is a value or a `.member.N` list; a bare structure means the
  // request named a list wrongly (`Tags.member.0.Key`, `Tags.Key`).
  for (const [name, value] of Object.entries(decoded)) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      throw new ServiceError('ValidationError', `1 validation error detected: Value at '${name}' failed to satisfy constraint: Member must be a value or a list of members numbered from 1`, 400);
    }
  }
  return { action, version: params.get('Version') ?? undefined, input: decoded };
}
