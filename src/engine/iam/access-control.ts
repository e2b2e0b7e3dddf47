/**
 * Decides whether a caller may do what a request needs. Builds the request context (global
 * keys such as aws:username, aws:PrincipalTag/*, aws:SourceIp, aws:CurrentTime, plus each
 * permission's own keys), evaluates the caller's compiled identity policies, and raises the
 * AccessDenied error of the service being called, naming the principal, action and resource.
 */
import type { ConditionValues, Permission } from '../request-context.js';
import { ServiceError } from '../service-error.js';
import type { Caller } from './caller.js';
import { parsePolicyDocument } from './policy-document.js';
import { CompiledPolicy, evaluatePolicies, type Decision } from './policy-evaluator.js';
import type { ContextLookup } from './policy-template.js';

/** What is known about the request itself, independent of the caller's identity. */
export interface RequestFacts {
  /** The service the request was sent to (`ssm`, `iam`, ...): it decides the error's shape. */
  readonly service: string;
  readonly region: string;
  readonly sourceIp?: string;
  readonly secureTransport: boolean;
  readonly time?: number;
}

/** Query-protocol services answer 403 AccessDenied; JSON ones 400 AccessDeniedException. */
const QUERY_SERVICES = new Set(['iam', 'sts']);

export class AccessDenied extends ServiceError {
  constructor(service: string, message: string) {
    super(
      QUERY_SERVICES.has(service) ? 'AccessDenied' : 'AccessDeniedException',
      message,
      QUERY_SERVICES.has(service) ? 403 : 400,
    );
  }
}

const RESOURCE_POLICY = 'resource policy';

/** AWS's refusal wording; the resource as the caller named it, so nothing unseen is revealed. */
function deniedMessage(caller: Caller, permission: Permission, decision: Decision): string {
  const why =
    decision.effect === 'ExplicitDeny'
      ? `with an explicit deny in ` +
        `${decision.policy === RESOURCE_POLICY ? 'a resource-based policy' : 'an identity-based policy'}`
      : `because no ${decision.policy === RESOURCE_POLICY ? 'resource-based' : 'identity-based'} policy allows the ` +
        `${permission.action} action`;
  return (
    `User: ${caller.arn} is not authorized to perform: ${permission.action} on resource: ` +
    `${permission.shown ?? permission.resource} ${why}`
  );
}

/** The caller's own condition keys, lower-cased; built once per compiled caller. */
const principalKeysOf = new WeakMap<Caller, Map<string, string>>();

function principalKeys(caller: Caller): Map<string, string> {
  let keys = principalKeysOf.get(caller);
  if (!keys) {
    keys = new Map([
      ['aws:principalarn', caller.principalArn],
      ['aws:principalaccount', caller.account],
      ['aws:userid', caller.userId],
      ['aws:principaltype', caller.kind === 'root' ? 'Account' : caller.kind === 'user' ? 'User' : 'AssumedRole'],
      // CloudFormation pseudo-parameters, so policies pasted from templates (seed 003) resolve.
      ['aws::accountid', caller.account],
      ['aws::partition', 'aws'],
      ['aws:viaawsservice', 'false'],
    ]);
    if (caller.userName !== undefined) keys.set('aws:username', caller.userName);
    for (const [k, v] of caller.tags) keys.set(`aws:principaltag/${k}`, v);
    principalKeysOf.set(caller, keys);
  }
  return keys;
}

/** The request's own global keys, computed only when a policy asks for one. */
function requestKey(key: string, facts: RequestFacts): string | undefined {
  switch (key) {
    case 'aws:currenttime':
      return new Date(facts.time ?? Date.now()).toISOString();
    case 'aws:epochtime':
      return String(Math.floor((facts.time ?? Date.now()) / 1000));
    case 'aws:securetransport':
      return String(facts.secureTransport);
    case 'aws:requestedregion':
    case 'aws::region':
      return facts.region;
    case 'aws:sourceip':
      return facts.sourceIp;
    default:
      return undefined;
  }
}

/** Keys whose value changes with every request: a decision that reads them is never reused. */
const VOLATILE_KEYS = new Set(['aws:currenttime', 'aws:epochtime']);
const MAX_DECISIONS_PER_CALLER = 4096;

/** What a caller's decisions depend on, worked out once per compiled caller. */
interface DecisionMemo {
  readonly keys: readonly string[];
  readonly cacheable: boolean;
  readonly readsResourceTags: boolean;
  readonly decisions: Map<string, Decision>;
  /** With a resource's own policy: the keys both read, and whether the result may be reused. */
  readonly withPolicy: WeakMap<CompiledPolicy, { readonly keys: readonly string[]; readonly cacheable: boolean }>;
}

const memos = new WeakMap<Caller, DecisionMemo>();

function withPolicy(
  memo: DecisionMemo,
  policy: CompiledPolicy,
): { readonly keys: readonly string[]; readonly cacheable: boolean } {
  let shape = memo.withPolicy.get(policy);
  if (!shape) {
    const keys = [...new Set([...memo.keys, ...policy.readsKeys])].sort();
    shape = { keys, cacheable: !keys.some((k) => VOLATILE_KEYS.has(k)) };
    memo.withPolicy.set(policy, shape);
  }
  return shape;
}

function memoOf(caller: Caller): DecisionMemo {
  let memo = memos.get(caller);
  if (!memo) {
    const keys = [...new Set(caller.policies.flatMap((p) => [...p.readsKeys]))].sort();
    memo = {
      keys,
      cacheable: !keys.some((k) => VOLATILE_KEYS.has(k)),
      readsResourceTags: caller.policies.some((p) => p.readsResourceTags),
      decisions: new Map(),
      withPolicy: new WeakMap(),
    };
    memos.set(caller, memo);
  }
  return memo;
}

/** The tag a resource-tag condition key names (`aws:ResourceTag/k`, or a service's own `secretsmanager:ResourceTag/k`).
 * */
function resourceTagOf(key: string): string | undefined {
  const slash = key.indexOf('/');
  return slash > 0 && key.slice(0, slash).endsWith(':resourcetag') ? key.slice(slash + 1) : undefined;
}

/** A number per compiled resource policy, naming it in decision memos. */
const policyIds = new WeakMap<CompiledPolicy, number>();
let nextPolicyId = 0;

function policyIdOf(policy: CompiledPolicy): number {
  let id = policyIds.get(policy);
  if (id === undefined) policyIds.set(policy, (id = ++nextPolicyId));
  return id;
}

/** Resource policies compiled once per text. */
const compiledResourcePolicies = new Map<string, CompiledPolicy>();

function compiledResourcePolicy(text: string): CompiledPolicy {
  let policy = compiledResourcePolicies.get(text);
  if (!policy) {
    if (compiledResourcePolicies.size > 1000) compiledResourcePolicies.clear();
    policy = new CompiledPolicy(RESOURCE_POLICY, parsePolicyDocument(text, 'resource'));
    compiledResourcePolicies.set(text, policy);
  }
  return policy;
}

function lowerKeys(values: ConditionValues | undefined): Map<string, string | readonly string[]> | undefined {
  return values && new Map(Object.entries(values).map(([k, v]) => [k.toLowerCase(), v]));
}

/**
 * Identity and resource decisions together, as AWS combines them within one account: an explicit
 * deny in either wins. A resource policy that names the caller (or everyone) grants by itself;
 * one that names only the account delegates to the identity policies. A secret's policy adds to
 * what identity policies allow; a key policy governs: without its allow, nothing is allowed.
 */
function combine(identity: Decision, resource: Decision, effect: 'grants' | 'governs'): Decision {
  if (identity.effect === 'ExplicitDeny') return identity;
  if (resource.effect === 'ExplicitDeny') return resource;
  if (resource.effect === 'Allow' && resource.direct) return resource;
  if (effect === 'grants') return identity.effect === 'Allow' ? identity : { effect: 'ImplicitDeny' };
  if (resource.effect !== 'Allow') return { effect: 'ImplicitDeny', policy: RESOURCE_POLICY };
  return identity.effect === 'Allow' ? identity : { effect: 'ImplicitDeny' };
}

/** Evaluates permissions for callers. */
export class AccessControl {
  /** The decision for one permission (SimulatePrincipalPolicy shows it; check enforces it). */
  async decide(
    caller: Caller,
    facts: RequestFacts,
    permission: Permission,
    extra?: ConditionValues,
  ): Promise<Decision> {
    if (caller.kind === 'root') return { effect: 'Allow' };
    const principal = principalKeys(caller);
    const own = lowerKeys(permission.context);
    const given = lowerKeys(extra);
    const attached = permission.resourcePolicy ? await permission.resourcePolicy() : undefined;
    const resourcePolicy = attached === undefined ? undefined : compiledResourcePolicy(attached.document);
    const memo = memoOf(caller);
    let tags: Map<string, string> | undefined;
    if (permission.resourceTags && (memo.readsResourceTags || resourcePolicy?.readsResourceTags)) {
      tags = new Map(Object.entries(await permission.resourceTags()).map(([k, v]) => [k.toLowerCase(), v]));
    }
    const lookup: ContextLookup = (key) => {
      const value = given?.get(key) ?? own?.get(key) ?? requestKey(key, facts) ?? principal.get(key);
      if (value !== undefined) return value;
      const tag = tags && resourceTagOf(key);
      return tag === undefined ? undefined : tags!.get(tag);
    };
    const evaluate = (): Decision => {
      const identity = evaluatePolicies(caller.policies, permission.action, permission.resource, lookup);
      if (!resourcePolicy) return identity;
      const resource = resourcePolicy.evaluate(permission.action, permission.resource, lookup, {
        arn: caller.principalArn,
        sessionArn: caller.arn,
        account: caller.account,
        id: caller.principalId,
        ...(attached!.principals ? { bindings: attached!.principals } : {}),
      });
      return combine(identity, resource, attached!.effect);
    };
    // A caller's decision depends only on the action, the resource, the resource's own policy
    // and the context keys its policies read, so equal inputs reuse the decision (the memo dies
    // with the compiled caller when IAM changes). Time-dependent policies are evaluated every time.
    const shape = resourcePolicy ? withPolicy(memo, resourcePolicy) : memo;
    if (!shape.cacheable) return evaluate();
    const reads = shape.keys;
    // JSON, not a separator: values come from requests and may hold any character.
    const key = JSON.stringify([
      permission.action,
      permission.resource,
      resourcePolicy ? [policyIdOf(resourcePolicy), attached!.effect, attached!.principals ?? null] : null,
      ...reads.map((k) => lookup(k) ?? null),
    ]);
    let decision = memo.decisions.get(key);
    if (!decision) {
      decision = evaluate();
      if (memo.decisions.size >= MAX_DECISIONS_PER_CALLER) memo.decisions.clear();
      memo.decisions.set(key, decision);
    }
    return decision;
  }

  /** Whether a policy explicitly denies the permission (an implicit deny is not enough). */
  async denies(caller: Caller, facts: RequestFacts, permission: Permission): Promise<boolean> {
    if (caller.kind === 'root') return false;
    return (await this.decide(caller, facts, permission)).effect === 'ExplicitDeny';
  }

  /** Throws the service's AccessDenied unless every permission is allowed. */
  async check(caller: Caller, facts: RequestFacts, permissions: readonly Permission[]): Promise<void> {
    if (caller.kind === 'root') return;
    for (const permission of permissions) {
      const decision = await this.decide(caller, facts, permission);
      const refused = permission.denyOnly ? decision.effect === 'ExplicitDeny' : decision.effect !== 'Allow';
      if (refused) throw new AccessDenied(facts.service, deniedMessage(caller, permission, decision));
    }
  }
}
