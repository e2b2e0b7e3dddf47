/**
 * Type checks for JSON 1.1 request members, with AWS's SerializationException wording, so a
 * wrong JSON type never reaches an engine. Unknown members are ignored, as AWS ignores them.
 */
import { SerializationException } from '../wire-errors.js';

/** The JSON type a member must have. */
export type MemberType = 'string' | 'boolean' | 'integer' | 'string[]' | 'tags' | 'string-filters' | 'legacy-filters' | 'string-map' | 'structure';

/** An operation's members and their types. */
export type OperationShape = Readonly<Record<string, MemberType>>;

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'START_ARRAY';
  if (value === null) return 'VALUE_NULL';
  switch (typeof value) {
    case 'string': return 'STRING_VALUE';
    case 'number': return Number.isInteger(value) ? 'NUMBER_VALUE' : 'VALUE_NUMBER_FLOAT';
    case 'boolean': return value ? 'VALUE_TRUE' : 'VALUE_FALSE';
    default: return 'START_OBJECT';
  }
}

function mismatch(value: unknown, target: string): SerializationException {
  const kind = jsonKind(value);
  if (kind === 'START_ARRAY') return new SerializationException('Start of list found where not expected');
  if (kind === 'START_OBJECT') return new SerializationException('Start of structure or map found where not expected.');
  return new SerializationException(`${kind} can not be converted to ${target}`);
}

function checkString(value: unknown): void {
  if (typeof value !== 'string') throw mismatch(value, 'a String');
}

function checkStringList(value: unknown): void {
  if (!Array.isArray(value)) throw mismatch(value, 'a List');
  value.forEach(checkString);
}

function checkStructList(value: unknown, members: Record<string, (v: unknown) => void>): void {
  if (!Array.isArray(value)) throw mismatch(value, 'a List');
  for (const item of value) {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) throw mismatch(item, 'a Structure');
    for (const [name, check] of Object.entries(members)) {
      const member = (item as Record<string, unknown>)[name];
      if (member !== undefined && member !== null) check(member);
    }
  }
}

const CHECKS: Record<MemberType, (value: unknown) => void> = {
  string: checkString,
  boolean: (v) => { if (typeof v !== 'boolean') throw mismatch(v, 'a Boolean'); },
  integer: (v) => { if (typeof v !== 'number' || !Number.isInteger(v)) throw mismatch(v, 'an Integer'); },
  'string[]': checkStringList,
  tags: (v) => checkStructList(v, { Key: checkString, Value: checkString }),
  'string-filters': (v) => checkStructList(v, { Key: checkString, Option: checkString, Values: checkStringList }),
  'legacy-filters': (v) => checkStructList(v, { Key: checkString, Values: checkStringList }),
  structure: (v) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw mismatch(v, 'a Structure');
  },
  'string-map': (v) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw mismatch(v, 'a Map');
    Object.values(v).forEach(checkString);
  },
};

/** Parses a JSON request body into an object whose known members have the right types. */
export function parseRequestBody(body: Buffer, shape: OperationShape): Record<string, unknown> {
  let input: unknown;
  try {
    input = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch {
    throw new SerializationException('The request body is not valid JSON.');
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw mismatch(input, 'a Structure');
  const members = input as Record<string, unknown>;
  for (const [name, type] of Object.entries(shape)) {
    const value = members[name];
    if (value === null) delete members[name];
    else if (value !== undefined) CHECKS[type](value);
  }
  return members;
}

/** Replaces Dates by epoch seconds, in place of a JSON.stringify replacer (much cheaper). */
function withEpochSeconds(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(withEpochSeconds);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key in value as Record<string, unknown>) out[key] = withEpochSeconds((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** Serialises a response as AWS does: Dates become epoch seconds, undefined members vanish. */
export function toWireJson(value: unknown): string {
  return JSON.stringify(withEpochSeconds(value));
}
