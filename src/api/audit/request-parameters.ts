/**
 * A request's input as CloudTrail shows it (requestParameters): member names in lower camel
 * case, every member AWS's model marks sensitive replaced by HIDDEN_DUE_TO_SECURITY_REASONS,
 * binary members left out (ciphertexts and secret binaries say nothing an auditor needs), and
 * the whole bounded in size. The model, not a list of names, decides what is a value.
 */
import { HIDDEN } from '../../engine/audit/audit-record.js';
import type { ServiceModel } from '../models/service-model.js';

/** Past this, requestParameters keeps only its member names. */
const MAX_PARAMETERS_BYTES = 64 * 1024;

/** CloudTrail's member spelling: `Name` -> `name`, `KMSKeyId` -> `kMSKeyId` as AWS writes it. */
const camel = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);

function shown(model: ServiceModel, shapeName: string, value: unknown, depth: number): unknown {
  const shape = model.shapes[shapeName];
  if (!shape || depth > 32) return undefined;
  switch (shape.type) {
    case 'string':
      return shape.sensitive ? HIDDEN : value;
    case 'blob':
      return shape.sensitive ? HIDDEN : undefined;
    case 'list':
      return Array.isArray(value) ? value.map((v) => shown(model, shape.member, v, depth + 1)) : undefined;
    case 'map': {
      if (typeof value !== 'object' || value === null) return undefined;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = shown(model, shape.value, v, depth + 1);
      return out;
    }
    case 'structure': {
      if (typeof value !== 'object' || value === null) return undefined;
      const out: Record<string, unknown> = {};
      for (const [member, memberShape] of Object.entries(shape.members)) {
        const v = (value as Record<string, unknown>)[member];
        if (v === undefined) continue;
        const s = shown(model, memberShape, v, depth + 1);
        if (s !== undefined) out[camel(member)] = s;
      }
      return out;
    }
    case 'timestamp':
      return value instanceof Date ? value.toISOString() : value;
    default:
      return value;
  }
}

/**
 * A request body this small cannot make requestParameters pass the bound, even with every
 * member a one-character secret shown as HIDDEN_DUE_TO_SECURITY_REASONS: no need to measure it.
 */
const SURELY_SMALL_BODY = MAX_PARAMETERS_BYTES / 16;

/**
 * requestParameters of `operation` with decoded `input` (null for an operation without input);
 * `bodyBytes` is the size of the request's body.
 */
export function requestParameters(
  model: ServiceModel,
  operation: string,
  input: Record<string, unknown>,
  bodyBytes = Infinity,
): Record<string, unknown> | null {
  const shapeName = model.operations[operation];
  if (!shapeName) return null;
  const out = shown(model, shapeName, input, 0) as Record<string, unknown> | undefined;
  if (!out || Object.keys(out).length === 0) return null;
  if (bodyBytes <= SURELY_SMALL_BODY || JSON.stringify(out).length <= MAX_PARAMETERS_BYTES) return out;
  return { truncated: true, members: Object.keys(out) };
}
