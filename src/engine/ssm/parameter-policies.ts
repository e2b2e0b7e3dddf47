/**
 * Parameter policies (Expiration, ExpirationNotification, NoChangeNotification): their grammar
 * and AWS's errors, and when each one's action is due. A version's Policies are sealed with the
 * version; the actions planned from them (policy-action-rows.ts) are bookkeeping, so whoever
 * acts recomputes the due time here from the sealed row before acting.
 *
 * AWS: "All existing policies are preserved until you send new policies or an empty policy"
 * (`[]`, or `[{}]` as the user guide shows); Expiration deletes the parameter at its
 * Timestamp (ISO_INSTANT or ISO_OFFSET_DATE_TIME), and updating the parameter does not move it;
 * ExpirationNotification fires Before N Days/Hours ahead of the Expiration; NoChangeNotification
 * fires After N Days/Hours without a new version (LastModifiedDate), and a new version resets it.
 */
import type { ParameterVersionRow, Scope, StorageWriter } from '../../storage/storage.js';
import {
  IncompatiblePolicyException,
  InvalidPolicyAttributeException,
  InvalidPolicyTypeException,
  PoliciesLimitExceededException,
} from './errors.js';

export const POLICY_TYPES = ['Expiration', 'ExpirationNotification', 'NoChangeNotification'] as const;
export type PolicyType = (typeof POLICY_TYPES)[number];
const MAX_POLICIES = 10;
const MAX_OFFSET_MS = 18 * 3_600_000;
const TIMESTAMP_DETAIL = 'Timestamp must be an ISO_INSTANT or ISO_OFFSET_DATE_TIME date and time.';
const UNIT_MS: Readonly<Record<string, number>> = { Days: 86_400_000, Hours: 3_600_000 };
// ISO_INSTANT or ISO_OFFSET_DATE_TIME (a fixed pattern, never built from input).
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:(Z)|([+-])(\d{2}):(\d{2})(?::(\d{2}))?)$/;

/** One policy, parsed: its JSON text (PolicyText) and what it asks for. */
export type ParameterPolicy = { readonly text: string } & (
  | { readonly type: 'Expiration'; readonly at: number }
  | { readonly type: 'ExpirationNotification'; readonly beforeMs: number }
  | { readonly type: 'NoChangeNotification'; readonly afterMs: number }
);

const TYPE_MESSAGE =
  "The policy type isn't supported. Parameter Store supports the following policy types: Expiration, " +
  'ExpirationNotification, and NoChangeNotification.';

/**
 * Parses and checks a PutParameter's Policies. Returns the policies, or an empty list for an
 * empty policy (`[]` or `[{}]`), which removes the parameter's policies.
 */
export function parsePolicies(text: string): ParameterPolicy[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InvalidPolicyAttributeException(
      'A policy attribute or its value is invalid. Policies must be a JSON array.',
    );
  }
  if (!Array.isArray(parsed)) throw new InvalidPolicyTypeException(TYPE_MESSAGE);
  const entries = nonEmpty(parsed);
  if (entries.length > MAX_POLICIES) throw new PoliciesLimitExceededException();
  const policies = entries.map(parsePolicy);
  if (policies.filter((p) => p.type === 'Expiration').length > 1)
    throw new IncompatiblePolicyException(
      "There is a conflict in the policies specified for this parameter. You can't, for example, specify two " +
        'Expiration policies for a parameter. Review your policies, and try again.',
    );
  return policies;
}

/** The Policies a write stores: the request's (null when it removes them), or the previous version's. */
export function storedPolicies(requested: string | undefined, previous: string | null | undefined): string | null {
  if (requested === undefined || requested === null) return previous ?? null;
  const policies = parsePolicies(requested);
  return policies.length === 0 ? null : requested;
}

/**
 * The enforceable policies of a stored version (sealed, so checked when written); none if the
 * text no longer parses (a version written before Coffer checked attributes).
 */
export function policiesOf(row: Pick<ParameterVersionRow, 'policies'>): ParameterPolicy[] {
  try {
    return row.policies ? parsePolicies(row.policies) : [];
  } catch {
    return [];
  }
}

/** A stored version's policies as DescribeParameters shows them (text and type), by slot, leniently. */
export function shownPolicies(row: Pick<ParameterVersionRow, 'policies'>): { text: string; type: string }[] {
  let parsed: unknown;
  try {
    parsed = row.policies ? JSON.parse(row.policies) : [];
  } catch {
    return [];
  }
  return Array.isArray(parsed)
    ? nonEmpty(parsed).map((p) => ({ text: JSON.stringify(p), type: String(isObject(p) ? p.Type : '') }))
    : [];
}

/** The entries of a Policies array, without the empty policies (`{}`) that only clear. */
function nonEmpty(entries: unknown[]): unknown[] {
  return entries.filter((p) => !(isObject(p) && Object.keys(p).length === 0));
}

/**
 * When `policy`'s action is due for the version `row`, from the sealed row alone; null when it
 * never is (an ExpirationNotification without an Expiration).
 */
export function dueOf(policy: ParameterPolicy, all: readonly ParameterPolicy[], lastModified: number): number | null {
  switch (policy.type) {
    case 'Expiration':
      return policy.at;
    case 'ExpirationNotification': {
      const expiration = all.find((p) => p.type === 'Expiration');
      return expiration && expiration.type === 'Expiration' ? expiration.at - policy.beforeMs : null;
    }
    case 'NoChangeNotification':
      return lastModified + policy.afterMs;
  }
}

function parsePolicy(entry: unknown): ParameterPolicy {
  if (!isObject(entry) || !(POLICY_TYPES as readonly unknown[]).includes(entry.Type))
    throw new InvalidPolicyTypeException(TYPE_MESSAGE);
  const type = entry.Type as PolicyType;
  const attributes = isObject(entry.Attributes) ? entry.Attributes : {};
  const text = JSON.stringify(entry);
  if (type === 'Expiration') return { type, text, at: timestamp(attributes.Timestamp) };
  if (type === 'ExpirationNotification') return { type, text, beforeMs: period(attributes.Before, attributes.Unit) };
  return { type, text, afterMs: period(attributes.After, attributes.Unit) };
}

function invalidAttribute(detail: string): InvalidPolicyAttributeException {
  return new InvalidPolicyAttributeException(`A policy attribute or its value is invalid. ${detail}`);
}

/** A period of whole Days or Hours, given as a string of digits (or a number), at least 1. */
function period(amount: unknown, unit: unknown): number {
  const text = typeof amount === 'number' ? String(amount) : amount;
  if (typeof text !== 'string' || !/^\d{1,6}$/.test(text) || Number(text) < 1)
    throw invalidAttribute('Before and After must be a positive whole number.');
  if (typeof unit !== 'string' || UNIT_MS[unit] === undefined) throw invalidAttribute('Unit must be Days or Hours.');
  return Number(text) * UNIT_MS[unit]!;
}

/** An ISO_INSTANT or ISO_OFFSET_DATE_TIME timestamp, as epoch milliseconds. */
function timestamp(value: unknown): number {
  const m = typeof value === 'string' ? TIMESTAMP.exec(value) : null;
  if (!m) throw invalidAttribute(TIMESTAMP_DETAIL);
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as number[];
  const millis = Number(`${m[7] ?? ''}000`.slice(0, 3));
  // Not Date.UTC, which reads the years 0-99 as 1900-1999.
  const check = new Date(0);
  check.setUTCFullYear(year!, month! - 1, day!);
  check.setUTCHours(hour!, minute!, second!, millis);
  const utc = check.getTime();
  if (check.getUTCMonth() !== month! - 1 || check.getUTCDate() !== day! || hour! > 23 || minute! > 59 || second! > 59)
    throw invalidAttribute(TIMESTAMP_DETAIL);
  if (m[8]) return utc;
  // java.time's ZoneOffset: minutes and seconds below 60, at most 18 hours either way.
  const [offsetHours, offsetMinutes, offsetSeconds] = [m[10], m[11], m[12] ?? '0'].map(Number) as number[];
  const offset = (offsetHours! * 3600 + offsetMinutes! * 60 + offsetSeconds!) * 1000;
  if (offsetMinutes! > 59 || offsetSeconds! > 59 || offset > MAX_OFFSET_MS) throw invalidAttribute(TIMESTAMP_DETAIL);
  return m[9] === '+' ? utc - offset : utc + offset;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * What Parameter Store does beside a write, in the write's own transaction: plan the new
 * version's policy actions, forget a deleted parameter's, and report an `aws:ec2:image` value
 * that failed validation (after the write, which wrote nothing). policy-actions.ts implements it.
 */
export interface ParameterFollowUps {
  written(tx: StorageWriter, scope: Scope, row: ParameterVersionRow): Promise<void>;
  deleted(tx: StorageWriter, scope: Scope, name: string): Promise<void>;
  imageRejected(scope: Scope, name: string, version: number): Promise<void>;
}

/** Follow-ups that do nothing (an engine used without a scheduler). */
export const NO_FOLLOW_UPS: ParameterFollowUps = {
  written: async () => {},
  deleted: async () => {},
  imageRejected: async () => {},
};
