/**
 * The IAM policy grammar: parses a JSON policy document and refuses a malformed one with
 * AWS's MalformedPolicyDocument wording. The result is normalised (every list is an array,
 * every condition value a string) for the evaluator to compile.
 */
import { MalformedPolicyDocument } from './iam-errors.js';
import { isConditionOperator } from './condition-operators.js';

/** A principal element of a trust or resource policy, normalised. */
export type PrincipalElement = '*' | Readonly<Record<string, readonly string[]>>;

/** One statement, normalised. */
export interface PolicyStatement {
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  readonly actions: readonly string[];
  readonly notAction: boolean;
  /** Absent in trust policies. */
  readonly resources?: readonly string[];
  readonly notResource: boolean;
  readonly principal?: PrincipalElement;
  readonly notPrincipal?: PrincipalElement;
  /** operator -> condition key -> values */
  readonly conditions: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

export interface PolicyDocument {
  readonly version: string;
  readonly statements: readonly PolicyStatement[];
}

/** Identity policies grant to their holder; trust and resource policies name principals. */
export type PolicyKind = 'identity' | 'trust' | 'resource';

const VERSIONS = ['2012-10-17', '2008-10-17'];
const STATEMENT_KEYS = new Set([
  'Sid',
  'Effect',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Principal',
  'NotPrincipal',
  'Condition',
]);

function fail(message: string): never {
  throw new MalformedPolicyDocument(message);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringList(value: unknown, field: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || list.some((v) => typeof v !== 'string' || v.length === 0))
    fail(`Syntax errors in policy. ${field} must be a non-empty string or list of strings.`);
  return list as string[];
}

function conditionValues(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) fail('Syntax errors in policy. A condition key needs at least one value.');
  return list.map((v) => {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return fail('Syntax errors in policy. Condition values are strings, numbers or booleans.');
  });
}

function principalElement(value: unknown): PrincipalElement {
  if (value === '*') return '*';
  if (!isObject(value)) return fail('Invalid principal in policy.');
  const out: Record<string, string[]> = {};
  for (const [kind, ids] of Object.entries(value)) {
    if (!['AWS', 'Service', 'Federated', 'CanonicalUser'].includes(kind))
      fail(`Invalid principal in policy: "${kind}"`);
    out[kind] = stringList(ids, 'Principal');
  }
  return out;
}

function actionList(value: unknown): string[] {
  const actions = stringList(value, 'Action');
  for (const a of actions) {
    if (a !== '*' && !/^[a-zA-Z0-9-]+:[a-zA-Z0-9*?]+$/.test(a))
      fail(`Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.`);
  }
  return actions;
}

function conditionBlock(value: unknown): PolicyStatement['conditions'] {
  if (value === undefined) return {};
  if (!isObject(value)) return fail('Syntax errors in policy. Condition must be an object.');
  const out: Record<string, Record<string, string[]>> = {};
  for (const [operator, keys] of Object.entries(value)) {
    if (!isConditionOperator(operator)) fail(`Invalid Condition type : ${operator}.`);
    if (!isObject(keys)) fail('Syntax errors in policy. A condition operator maps keys to values.');
    out[operator] = Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, conditionValues(v)]));
  }
  return out;
}

function statement(raw: unknown, kind: PolicyKind): PolicyStatement {
  if (!isObject(raw)) fail('Syntax errors in policy. Each statement must be an object.');
  const unknown = Object.keys(raw).find((k) => !STATEMENT_KEYS.has(k));
  if (unknown) fail(`Syntax errors in policy. Unknown field ${unknown}.`);
  if (raw.Effect !== 'Allow' && raw.Effect !== 'Deny')
    fail(raw.Effect === undefined ? 'Missing required field Effect' : `Invalid effect: ${String(raw.Effect)}`);
  if ((raw.Action === undefined) === (raw.NotAction === undefined))
    fail(
      raw.Action === undefined
        ? 'Policy statement must contain actions.'
        : 'Statement can only contain one of Action or NotAction.',
    );
  const hasResource = raw.Resource !== undefined || raw.NotResource !== undefined;
  if (raw.Resource !== undefined && raw.NotResource !== undefined)
    fail('Statement can only contain one of Resource or NotResource.');
  const hasPrincipal = raw.Principal !== undefined || raw.NotPrincipal !== undefined;
  if (kind === 'identity' && hasPrincipal) fail('Policy document should not specify a principal.');
  if (kind !== 'identity' && !hasPrincipal) fail('Missing required field Principal');
  if (kind === 'identity' && !hasResource) fail('Policy statement must contain resources.');
  if (kind === 'trust' && hasResource) fail('Has prohibited field Resource');
  // IAM's own policies take alphanumeric Sids; resource and key policies (KMS's defaults among them) any text.
  if (
    raw.Sid !== undefined &&
    (typeof raw.Sid !== 'string' || (kind !== 'resource' && !/^[a-zA-Z0-9]*$/.test(raw.Sid)))
  ) {
    fail(
      'Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*',
    );
  }
  const resources = raw.Resource ?? raw.NotResource;
  for (const r of resources === undefined ? [] : stringList(resources, 'Resource')) {
    if (r !== '*' && !r.startsWith('arn:')) fail(`Resource ${r} must be in ARN format or "*".`);
  }
  return {
    ...(raw.Sid !== undefined ? { sid: raw.Sid as string } : {}),
    effect: raw.Effect,
    actions: actionList(raw.Action ?? raw.NotAction),
    notAction: raw.NotAction !== undefined,
    ...(resources !== undefined ? { resources: stringList(resources, 'Resource') } : {}),
    notResource: raw.NotResource !== undefined,
    ...(raw.Principal !== undefined ? { principal: principalElement(raw.Principal) } : {}),
    ...(raw.NotPrincipal !== undefined ? { notPrincipal: principalElement(raw.NotPrincipal) } : {}),
    conditions: conditionBlock(raw.Condition),
  };
}

/** Parses and validates a policy document; throws MalformedPolicyDocument. */
export function parsePolicyDocument(text: string, kind: PolicyKind = 'identity'): PolicyDocument {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return fail('Syntax errors in policy.');
  }
  if (!isObject(raw)) fail('Syntax errors in policy.');
  const unknown = Object.keys(raw).find((k) => !['Version', 'Id', 'Statement'].includes(k));
  if (unknown) fail(`Syntax errors in policy. Unknown field ${unknown}.`);
  const version = raw.Version ?? '2008-10-17';
  if (typeof version !== 'string' || !VERSIONS.includes(version))
    fail('The policy must contain a valid version string');
  if (raw.Statement === undefined) fail('Missing required field Statement');
  const list = Array.isArray(raw.Statement) ? raw.Statement : [raw.Statement];
  if (list.length === 0) fail('Syntax errors in policy. Statement must not be empty.');
  return { version, statements: list.map((s) => statement(s, kind)) };
}
