/**
 * Decides whether a caller may do what a request needs. Builds the request context (global
 * keys such as aws:username, aws:PrincipalTag/*, aws:SourceIp, aws:CurrentTime, plus each
 * permission's own keys), evaluates the caller's compiled identity policies, and raises the
 * AccessDenied error of the service being called, naming the principal, action and resource.
 */
import type { ConditionValues, Permission } from '../request-context.js';
import { ServiceError } from '../service-error.js';
import type { Caller } from './caller.js';
import { evaluatePolicies, type Decision } from './policy-evaluator.js';
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
    super(QUERY_SERVICES.has(service) ? 'AccessDenied' : 'AccessDeniedException', message, QUERY_SERVICES.has(service) ? 403 : 400);
  }
}

function deniedMessage(caller: Caller, permission: Permission, decision: Decision): string {
  const why = decision.effect === 'ExplicitDeny'
    ? 'with an explicit deny in an identity-based policy'
    : `because no identity-based policy allows the ${permission.action} action`;
  return `User: ${caller.arn} is not authorized to perform: ${permission.action} on resource: ${permission.resource} ${why}`;
}

/** The global condition keys of one request by one caller, lower-cased. */
function requestKeys(caller: Caller, facts: RequestFacts): Map<string, string | readonly string[]> {
  const now = facts.time ?? Date.now();
  const keys = new Map<string, string | readonly string[]>([
    ['aws:principalarn', caller.principalArn], ['aws:principalaccount', caller.account], ['aws:userid', caller.userId],
    ['aws:principaltype', caller.kind === 'root' ? 'Account' : caller.kind === 'user' ? 'User' : 'AssumedRole'],
    ['aws:currenttime', new Date(now).toISOString()], ['aws:epochtime', String(Math.floor(now / 1000))],
    ['aws:securetransport', String(facts.secureTransport)], ['aws:requestedregion', facts.region],
    ['aws:viaawsservice', 'false'],
    // CloudFormation pseudo-parameters, so policies pasted from templates (seed 003) resolve.
    ['aws::region', facts.region], ['aws::accountid', caller.account], ['aws::partition', 'aws'],
  ]);
  if (caller.userName !== undefined) keys.set('aws:username', caller.userName);
  if (facts.sourceIp !== undefined) keys.set('aws:sourceip', facts.sourceIp);
  for (const [k, v] of caller.tags) keys.set(`aws:principaltag/${k}`, v);
  return keys;
}

function lowerKeys(values: ConditionValues | undefined): Map<string, string | readonly string[]> | undefined {
  return values && new Map(Object.entries(values).map(([k, v]) => [k.toLowerCase(), v]));
}

/** Evaluates permissions for callers. */
export class AccessControl {
  /** The decision for one permission (SimulatePrincipalPolicy shows it; check enforces it). */
  async decide(caller: Caller, facts: RequestFacts, permission: Permission, extra?: ConditionValues): Promise<Decision> {
    if (caller.kind === 'root') return { effect: 'Allow' };
    const global = requestKeys(caller, facts);
    const own = lowerKeys(permission.context);
    const given = lowerKeys(extra);
    let tags: Map<string, string> | undefined;
    if (permission.resourceTags && caller.policies.some((p) => p.readsResourceTags)) {
      tags = new Map(Object.entries(await permission.resourceTags()).map(([k, v]) => [k.toLowerCase(), v]));
    }
    const lookup: ContextLookup = (key) => {
      const value = given?.get(key) ?? own?.get(key) ?? global.get(key);
      if (value !== undefined) return value;
      return tags && key.startsWith('aws:resourcetag/') ? tags.get(key.slice(16)) : undefined;
    };
    return evaluatePolicies(caller.policies, permission.action, permission.resource, lookup);
  }

  /** Throws the service's AccessDenied unless every permission is allowed. */
  async check(caller: Caller, facts: RequestFacts, permissions: readonly Permission[]): Promise<void> {
    if (caller.kind === 'root') return;
    for (const permission of permissions) {
      const decision = await this.decide(caller, facts, permission);
      if (decision.effect !== 'Allow') throw new AccessDenied(facts.service, deniedMessage(caller, permission, decision));
    }
  }
}
