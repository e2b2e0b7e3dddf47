/**
 * IAM condition operators: the comparison each performs, its negated forms, the `...IfExists`
 * suffix and the ForAnyValue / ForAllValues set qualifiers, with AWS's documented rules for a
 * key missing from the request context.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { PolicyTemplate, type ContextLookup, type TemplatePart } from './policy-template.js';
import { Wildcard } from './wildcard.js';

type Compare = (requestValue: string, policyValue: PolicyTemplate, lookup: ContextLookup) => boolean;

function exact(fold: boolean): Compare {
  return (actual, expected, lookup) => {
    const text = expected.text(lookup);
    if (text === undefined) return false;
    return fold ? actual.toLowerCase() === text.toLowerCase() : actual === text;
  };
}

const like: Compare = (actual, expected, lookup) => expected.matcher(lookup)?.test(actual) ?? false;

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

/** An address as 16 bytes (IPv4 mapped into IPv6), or undefined if it is not an IP address. */
function addressBytes(text: string): Uint8Array | undefined {
  const out = new Uint8Array(16);
  if (isIPv4(text)) {
    out[10] = 0xff;
    out[11] = 0xff;
    text.split('.').forEach((part, i) => {
      out[12 + i] = Number(part);
    });
    return out;
  }
  if (!isIPv6(text)) return undefined;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  const head = v4 ? `${text.slice(0, -v4[1]!.length)}0:0` : text;
  const [left, right = ''] = head.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const l = groups(left!);
  const r = head.includes('::') ? groups(right) : [];
  const all = [...l, ...new Array(8 - l.length - r.length).fill(0), ...r];
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  if (v4)
    v4[1]!.split('.').forEach((part, i) => {
      out[12 + i] = Number(part);
    });
  return out;
}

/** A CIDR block parsed once per text (policies repeat the same few). */
interface Subnet {
  readonly network: Uint8Array;
  /** Prefix length over the 16-byte form. */
  readonly bits: number;
}

const subnets = new Map<string, Subnet | null>();

function subnet(cidr: string): Subnet | null {
  let parsed = subnets.get(cidr);
  if (parsed === undefined) {
    const [address, prefix] = cidr.split('/');
    const network = addressBytes(address ?? '');
    const v4 = isIPv4(address ?? '');
    const bits = prefix === undefined ? (v4 ? 32 : 128) : Number(prefix);
    parsed =
      network && Number.isInteger(bits) && bits >= 0 && bits <= (v4 ? 32 : 128)
        ? { network, bits: v4 ? bits + 96 : bits }
        : null;
    if (subnets.size > 10_000) subnets.clear();
    subnets.set(cidr, parsed);
  }
  return parsed;
}

function inSubnet(address: Uint8Array, block: Subnet): boolean {
  const whole = block.bits >> 3;
  for (let i = 0; i < whole; i++) if (address[i] !== block.network[i]) return false;
  const rest = block.bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (address[whole]! & mask) === (block.network[whole]! & mask);
}

const ipAddress: Compare = (actual, expected, lookup) => {
  const cidr = expected.text(lookup);
  const block = cidr === undefined ? null : subnet(cidr);
  const address = block ? addressBytes(actual) : undefined;
  return block !== null && address !== undefined && inSubnet(address, block);
};

/** ARNs compare per colon-separated component, each a glob; the resource part may hold colons. */
function arnParts(arn: string): string[] | undefined {
  const parts = arn.split(':');
  return parts.length < 6 ? undefined : [...parts.slice(0, 5), parts.slice(5).join(':')];
}

/** A policy ARN's six components, each a wildcard; substituted variable values stay literal. */
function arnComponents(parts: readonly TemplatePart[]): Wildcard[] | undefined {
  const components: TemplatePart[][] = [[]];
  for (const part of parts) {
    const pieces = part.text.split(':');
    pieces.forEach((piece, i) => {
      if (i > 0) {
        if (components.length < 6) components.push([]);
        else components[5]!.push({ text: ':', literal: true });
      }
      components[components.length - 1]!.push({ text: piece, literal: part.literal });
    });
  }
  return components.length < 6 ? undefined : components.map((c) => new Wildcard(c));
}

const arnLike: Compare = (actual, expected, lookup) => {
  const parts = expected.parts(lookup);
  const want = parts && arnComponents(parts);
  const have = arnParts(actual);
  if (!want || !have) return false;
  return want.every((component, i) => component.test(have[i]!));
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
define(
  'NumericEquals',
  numeric((a, b) => a === b),
  'NumericNotEquals',
);
define(
  'NumericLessThan',
  numeric((a, b) => a < b),
);
define(
  'NumericLessThanEquals',
  numeric((a, b) => a <= b),
);
define(
  'NumericGreaterThan',
  numeric((a, b) => a > b),
);
define(
  'NumericGreaterThanEquals',
  numeric((a, b) => a >= b),
);
define(
  'DateEquals',
  date((a, b) => a === b),
  'DateNotEquals',
);
define(
  'DateLessThan',
  date((a, b) => a < b),
);
define(
  'DateLessThanEquals',
  date((a, b) => a <= b),
);
define(
  'DateGreaterThan',
  date((a, b) => a > b),
);
define(
  'DateGreaterThanEquals',
  date((a, b) => a >= b),
);
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

  /** Every context key this condition reads: its own and its values' variables. */
  get readsKeys(): string[] {
    return [this.key, ...this.values.flatMap((v) => v.variableKeys)];
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

function parseOperator(
  operator: string,
): { base: string; qualifier?: 'ForAnyValue' | 'ForAllValues'; ifExists: boolean } | undefined {
  const match = /^(?:(ForAnyValue|ForAllValues):)?(\w+?)(IfExists)?$/.exec(operator);
  if (!match) return undefined;
  const base = match[2]!;
  if (base !== 'Null' && !BASE[base]) return undefined;
  if (base === 'Null' && (match[3] || match[1])) return undefined;
  return {
    base,
    ifExists: match[3] !== undefined,
    ...(match[1] ? { qualifier: match[1] as 'ForAnyValue' | 'ForAllValues' } : {}),
  };
}

/** Whether `operator` names a condition operator IAM accepts. */
export function isConditionOperator(operator: string): boolean {
  return parseOperator(operator) !== undefined;
}
