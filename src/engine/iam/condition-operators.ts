/**
 * IAM condition operators: the comparison each performs, its negated forms, the `...IfExists`
 * suffix and the ForAnyValue / ForAllValues set qualifiers, with AWS's documented rules for a
 * key missing from the request context.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { PolicyTemplate, type ContextLookup } from './policy-template.js';

type Compare = (requestValue: string, policyValue: PolicyTemplate, lookup: ContextLookup) => boolean;

function exact(fold: boolean): Compare {
  return (actual, expected, lookup) => {
    const text = expected.text(lookup);
    if (text === undefined) return false;
    return fold ? actual.toLowerCase() === text.toLowerCase() : actual === text;
  };
}

const like: Compare = (actual, expected, lookup) => expected.pattern(lookup)?.test(actual) ?? false;

function numeric(test: (a: number, b: number) => boolean): Compare {
  return (actual, expected, lookup) => {
    const a = Number(actual);
    const b = Number(expected.text(lookup));
    return actual.trim() !== '' && !Number.isNaN(a) && !Number.isNaN(b) && test(a, b);
  };
}

/** ISO 8601 or epoch seconds, as AWS accepts both. */
function dateMs(text: string | undefined): number {
  if (text === undefined || text.trim() === '') return NaN;
  return /^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : Date.parse(text);
}

function date(test: (a: number, b: number) => boolean): Compare {
  return (actual, expected, lookup) => {
    const a = dateMs(actual);
    const b = dateMs(expected.text(lookup));
    return !Number.isNaN(a) && !Number.isNaN(b) && test(a, b);
  };
}

const bool: Compare = (actual, expected, lookup) => actual.toLowerCase() === expected.text(lookup)?.toLowerCase();

function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address;
}

const ipAddress: Compare = (actual, expected, lookup) => {
  const cidr = expected.text(lookup);
  if (cidr === undefined) return false;
  const [network, bits] = cidr.split('/');
  const address = plainAddress(actual);
  const family = isIPv4(network ?? '') ? 'ipv4' : isIPv6(network ?? '') ? 'ipv6' : undefined;
  if (!family || (family === 'ipv4' ? !isIPv4(address) : !isIPv6(address))) return false;
  const list = new BlockList();
  list.addSubnet(network!, bits === undefined ? (family === 'ipv4' ? 32 : 128) : Number(bits), family);
  return list.check(address, family);
};

/** ARNs compare per colon-separated component, each a glob; the resource part may hold colons. */
function arnParts(arn: string): string[] | undefined {
  const parts = arn.split(':');
  return parts.length < 6 ? undefined : [...parts.slice(0, 5), parts.slice(5).join(':')];
}

const arnLike: Compare = (actual, expected, lookup) => {
  const text = expected.text(lookup);
  const want = text === undefined ? undefined : arnParts(text);
  const have = arnParts(actual);
  if (!want || !have) return false;
  return want.every((part, i) => new PolicyTemplate(part).pattern(lookup)!.test(have[i]!));
};

interface OperatorSpec {
  readonly compare: Compare;
  /** Negated operators match when no policy value matches (and when the key is absent). */
  readonly negated: boolean;
}

const BASE: Record<string, OperatorSpec> = {};
function define(name: string, compare: Compare, negatedName?: string): void {
  BASE[name] = { compare, negated: false };
  if (negatedName) BASE[negatedName] = { compare, negated: true };
}
define('StringEquals', exact(false), 'StringNotEquals');
define('StringEqualsIgnoreCase', exact(true), 'StringNotEqualsIgnoreCase');
define('StringLike', like, 'StringNotLike');
define('NumericEquals', numeric((a, b) => a === b), 'NumericNotEquals');
define('NumericLessThan', numeric((a, b) => a < b));
define('NumericLessThanEquals', numeric((a, b) => a <= b));
define('NumericGreaterThan', numeric((a, b) => a > b));
define('NumericGreaterThanEquals', numeric((a, b) => a >= b));
define('DateEquals', date((a, b) => a === b), 'DateNotEquals');
define('DateLessThan', date((a, b) => a < b));
define('DateLessThanEquals', date((a, b) => a <= b));
define('DateGreaterThan', date((a, b) => a > b));
define('DateGreaterThanEquals', date((a, b) => a >= b));
define('Bool', bool);
define('BinaryEquals', exact(false));
define('IpAddress', ipAddress, 'NotIpAddress');
define('ArnEquals', arnLike, 'ArnNotEquals');
define('ArnLike', arnLike, 'ArnNotLike');

/** One compiled condition: operator, key and values. */
export class Condition {
  private readonly spec: OperatorSpec | undefined;
  private readonly qualifier: 'ForAnyValue' | 'ForAllValues' | undefined;
  private readonly ifExists: boolean;
  private readonly isNull: boolean;
  private readonly values: readonly PolicyTemplate[];
  /** The context key, lower case. */
  readonly key: string;

  constructor(operator: string, key: string, values: readonly string[]) {
    const parsed = parseOperator(operator)!;
    this.qualifier = parsed.qualifier;
    this.ifExists = parsed.ifExists;
    this.isNull = parsed.base === 'Null';
    this.spec = BASE[parsed.base];
    this.key = key.toLowerCase();
    this.values = values.map((v) => new PolicyTemplate(v));
  }

  matches(lookup: ContextLookup): boolean {
    const raw = lookup(this.key);
    const present = raw === undefined ? [] : typeof raw === 'string' ? [raw] : raw;
    if (this.isNull) return this.values.some((v) => (v.source.toLowerCase() === 'true') === (present.length === 0));
    const spec = this.spec!;
    const one = (actual: string) => spec.negated !== this.values.some((v) => spec.compare(actual, v, lookup));
    if (this.qualifier === 'ForAllValues') return present.every(one);
    if (present.length === 0) return this.ifExists || (spec.negated && this.qualifier === undefined);
    return present.some(one);
  }
}

function parseOperator(operator: string): { base: string; qualifier?: 'ForAnyValue' | 'ForAllValues'; ifExists: boolean } | undefined {
  const match = /^(?:(ForAnyValue|ForAllValues):)?(\w+?)(IfExists)?$/.exec(operator);
  if (!match) return undefined;
  const base = match[2]!;
  if (base !== 'Null' && !BASE[base]) return undefined;
  if (base === 'Null' && (match[3] || match[1])) return undefined;
  return { base, ifExists: match[3] !== undefined, ...(match[1] ? { qualifier: match[1] as 'ForAnyValue' | 'ForAllValues' } : {}) };
}

/** Whether `operator` names a condition operator IAM accepts. */
export function isConditionOperator(operator: string): boolean {
  return parseOperator(operator) !== undefined;
}
