/**
 * Decodes a JSON 1.1 request body against its operation's model: strict UTF-8, bounded nesting,
 * every member of its modelled type (SerializationException, in AWS's wording, otherwise: a
 * list or a structure where a string belongs is refused, never coerced), then the model's
 * constraints (ValidationException). Members the model does not know are dropped, as AWS
 * ignores them, so no engine ever reads an unchecked value.
 */
import { ServiceError, validationMessage } from '../../engine/service-error.js';
import { SerializationException } from '../wire-errors.js';
import { checkConstraints } from './model-constraints.js';
import type { ServiceModel } from './service-model.js';

/** Deeper than any modelled input (the deepest is five), far below what could strain a parser. */
const MAX_DEPTH = 32;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'START_ARRAY';
  if (value === null) return 'VALUE_NULL';
  switch (typeof value) {
    case 'string':
      return 'STRING_VALUE';
    case 'number':
      return Number.isInteger(value) ? 'NUMBER_VALUE' : 'VALUE_NUMBER_FLOAT';
    case 'boolean':
      return value ? 'VALUE_TRUE' : 'VALUE_FALSE';
    default:
      return 'START_OBJECT';
  }
}

function mismatch(value: unknown, target: string): SerializationException {
  const kind = jsonKind(value);
  if (kind === 'START_ARRAY') return new SerializationException('Start of list found where not expected');
  if (kind === 'START_OBJECT') return new SerializationException('Start of structure or map found where not expected.');
  return new SerializationException(`${kind} can not be converted to ${target}`);
}

/** Nesting depth of JSON text, counted outside strings; stops counting past `limit`. */
function nestingExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The value in its modelled type; throws SerializationException on a type mismatch. */
function decodeValue(model: ServiceModel, shapeName: string, value: unknown): unknown {
  const shape = model.shapes[shapeName]!;
  switch (shape.type) {
    case 'structure': {
      if (!isRecord(value)) throw mismatch(value, 'a Structure');
      const out: Record<string, unknown> = {};
      for (const [member, memberShape] of Object.entries(shape.members)) {
        const child = Object.hasOwn(value, member) ? value[member] : undefined;
        if (child !== undefined && child !== null) out[member] = decodeValue(model, memberShape, child);
      }
      return out;
    }
    case 'list':
      if (!Array.isArray(value)) throw mismatch(value, 'a List');
      return value.map((item) => {
        if (item === null) throw new SerializationException('Null values are not allowed in lists.');
        return decodeValue(model, shape.member, item);
      });
    case 'map': {
      if (!isRecord(value)) throw mismatch(value, 'a Map');
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => {
          if (v === null) throw new SerializationException('Null values are not allowed in maps.');
          return [k, decodeValue(model, shape.value, v)];
        }),
      );
    }
    case 'string':
      if (typeof value !== 'string') throw mismatch(value, 'a String');
      return value;
    case 'blob':
      if (typeof value !== 'string' || !BASE64.test(value))
        throw new SerializationException('Blob members must be base64-encoded strings.');
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw mismatch(value, 'a Boolean');
      return value;
    case 'integer':
    case 'long': {
      const limit = shape.type === 'integer' ? 2 ** 31 : Number.MAX_SAFE_INTEGER;
      if (typeof value !== 'number' || !Number.isInteger(value))
        throw mismatch(value, shape.type === 'integer' ? 'an Integer' : 'a Long');
      if (value >= limit || value < -limit) throw new SerializationException('Numeric value out of range.');
      return value;
    }
    case 'double':
    case 'float':
      if (typeof value !== 'number') throw mismatch(value, 'a Double');
      return value;
    case 'timestamp':
      if (typeof value !== 'number') throw mismatch(value, 'a Timestamp');
      return new Date(value * 1000);
  }
}

/** Parses and decodes a JSON body for `operation`; the result holds only modelled, checked members. */
export function decodeJsonInput(model: ServiceModel, operation: string, body: Buffer): Record<string, unknown> {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new SerializationException('The request body is not valid UTF-8.');
  }
  if (nestingExceeds(text, MAX_DEPTH)) throw new SerializationException('The request body is nested too deeply.');
  let parsed: unknown;
  try {
    parsed = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new SerializationException('The request body is not valid JSON.');
  }
  const shapeName = model.operations[operation];
  if (shapeName === null || shapeName === undefined) {
    if (!isRecord(parsed)) throw mismatch(parsed, 'a Structure');
    return {};
  }
  const input = decodeValue(model, shapeName, parsed) as Record<string, unknown>;
  const failures: string[] = [];
  checkConstraints(model, shapeName, input, '', failures);
  if (failures.length > 0) throw new ServiceError('ValidationException', validationMessage(failures));
  return input;
}
