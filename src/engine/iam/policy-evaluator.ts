/**
 * Compiles policy documents once and evaluates requests against them with AWS's logic: an
 * explicit Deny in any applicable statement wins, else any Allow, else the implicit deny.
 * Actions compare case-insensitively, resources case-sensitively, both with `*` and `?`.
 */
import { Condition } from './condition-operators.js';
import type { PolicyDocument, PolicyStatement, PrincipalElement } from './policy-document.js';
import { PolicyTemplate, type ContextLookup } from './policy-template.js';
import { isBindablePrincipal } from './principal-bindings.js';
import { Wildcard } from './wildcard.js';

/** Who a trust or resource policy is asked about. */
export interface PolicySubject {
  /** The caller's ARN as policies name it (a user ARN, a role ARN for a role session, account root). */
  readonly arn: string;
  /** For a role session, the assumed-role ARN, which trust policies may also name. */
  readonly sessionArn?: string;
  readonly account: string;
  /** The caller's unique id (AIDA... of a user, AROA... of a session's role). */
  readonly id?: string;
  /** The unique ids the policy's named principals had when it was written (principal-bindings.ts). */
  readonly bindings?: Readonly<Record<string, string>>;
}

/** What one statement decided, and where it came from. */
export interface Decision {
  readonly effect: 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';
  readonly policy?: string;
  readonly sid?: string;
  /** The deciding statement's position in its policy (0-based). */
  readonly statement?: number;
  /**
   * For trust, resource and key policies: the allowing statement grants the caller itself (its
   * ARN, or every principal with `*`) rather than its account, which only delegates to the
   * account's identity policies.
   */
  readonly direct?: boolean;
}

/** How a statement's principal covers the caller: by name, as everyone, or through its account. */
type PrincipalMatch = 'named' | 'everyone' | 'account';

class ActionMatcher {
  private readonly exact = new Set<string>();
  private readonly patterns: Wildcard[] = [];

  constructor(actions: readonly string[]) {
    for (const a of actions.map((x) => x.toLowerCase())) {
      if (a.includes('*') || a.includes('?')) this.patterns.push(Wildcard.of(a));
      else this.exact.add(a);
    }
  }

  /** `action` must already be lower case. */
  matches(action: string): boolean {
    return this.exact.has(action) || this.patterns.some((p) => p.test(action));
  }
}

const RANK: Record<PrincipalMatch, number> = { account: 0, everyone: 1, named: 2 };

/** A named ARN means the principal that had it when the policy was written (policies written before bindings existed
 * match by ARN). */
function boundToCaller(arn: string, subject: PolicySubject): boolean {
  if (!subject.bindings) return true;
  const bound = subject.bindings[arn];
  return bound === undefined ? !isBindablePrincipal(arn) : bound === subject.id;
}

function principalMatch(element: PrincipalElement, subject: PolicySubject): PrincipalMatch | undefined {
  if (element === '*') return 'everyone';
  let found: PrincipalMatch | undefined;
  const better = (m: PrincipalMatch) => {
    if (found === undefined || RANK[m] > RANK[found]) found = m;
  };
  for (const id of element.AWS ?? []) {
    if (id === '*') better('everyone');
    else if (id === subject.account || id === `arn:aws:iam::${subject.account}:root`) better('account');
    else if ((id === subject.arn || id === subject.sessionArn) && boundToCaller(id, subject)) better('named');
  }
  return found;
}

/**
 * Whether a NotPrincipal element leaves the caller out. As in AWS, listing an account (its id or
 * its root ARN) exempts that account's root principal only, not its users and role sessions:
 * "deny everyone but bob" lists bob and the account, and still denies eve.
 */
function excludedBy(element: PrincipalElement, subject: PolicySubject): boolean {
  if (element === '*') return true;
  const isRoot = subject.arn === `arn:aws:iam::${subject.account}:root`;
  return (element.AWS ?? []).some(
    (id) =>
      id === '*' ||
      ((id === subject.account || id === `arn:aws:iam::${subject.account}:root`) && isRoot) ||
      ((id === subject.arn || id === subject.sessionArn) && boundToCaller(id, subject)),
  );
}

class CompiledStatement {
  private readonly actions: ActionMatcher;
  private readonly resources?: readonly PolicyTemplate[];
  private readonly anyResource: boolean;
  private readonly conditions: readonly Condition[];

  constructor(readonly source: PolicyStatement) {
    this.actions = new ActionMatcher(source.actions);
    this.resources = source.resources?.map((r) => new PolicyTemplate(r));
    this.anyResource = source.resources?.includes('*') ?? false;
    this.conditions = Object.entries(source.conditions).flatMap(([operator, keys]) =>
      Object.entries(keys).map(([key, values]) => new Condition(operator, key, values)),
    );
  }

  get conditionKeys(): string[] {
    return this.conditions.map((c) => c.key);
  }

  /** Every context key the statement's outcome can depend on. */
  get readsKeys(): string[] {
    return [...this.conditions.flatMap((c) => c.readsKeys), ...(this.resources ?? []).flatMap((r) => r.variableKeys)];
  }

  applies(action: string, resource: string, lookup: ContextLookup): boolean {
    if (this.actions.matches(action) === this.source.notAction) return false;
    if (this.resources && this.resourceMatches(resource, lookup) === this.source.notResource) return false;
    return this.conditions.every((c) => c.matches(lookup));
  }

  private resourceMatches(resource: string, lookup: ContextLookup): boolean {
    if (this.anyResource) return true;
    return this.resources!.some((r) => r.matcher(lookup)?.test(resource) ?? false);
  }

  principal(subject: PolicySubject): PrincipalMatch | undefined {
    if (this.source.principal) return principalMatch(this.source.principal, subject);
    if (this.source.notPrincipal) return excludedBy(this.source.notPrincipal, subject) ? undefined : 'everyone';
    return 'account';
  }
}

/** A policy compiled for evaluation, named as it is attached (for "which statement decided"). */
export class CompiledPolicy {
  private readonly statements: readonly CompiledStatement[];
  /** Whether any condition reads a resource tag, so callers fetch tags only when needed. */
  readonly readsResourceTags: boolean;
  /** Every context key (lower case) a decision of this policy can depend on. */
  readonly readsKeys: ReadonlySet<string>;

  constructor(
    readonly name: string,
    document: PolicyDocument,
  ) {
    this.statements = document.statements.map((s) => new CompiledStatement(s));
    this.readsResourceTags = this.statements.some((s) => s.conditionKeys.some((k) => /^[^/]*:resourcetag\//.test(k)));
    this.readsKeys = new Set(this.statements.flatMap((s) => s.readsKeys));
  }

  /** The decision of this policy alone; `subject` is given for trust and resource policies. */
  evaluate(action: string, resource: string, lookup: ContextLookup, subject?: PolicySubject): Decision {
    const lower = action.toLowerCase();
    let allow: Decision | undefined;
    for (const [index, statement] of this.statements.entries()) {
      const match = subject ? statement.principal(subject) : 'account';
      if (!match || !statement.applies(lower, resource, lookup)) continue;
      const decided = {
        policy: this.name,
        statement: index,
        ...(statement.source.sid ? { sid: statement.source.sid } : {}),
      };
      if (statement.source.effect === 'Deny') return { effect: 'ExplicitDeny', ...decided };
      const direct = match !== 'account';
      if (!allow || (direct && !allow.direct)) allow = { effect: 'Allow', ...decided, direct };
    }
    return allow ?? { effect: 'ImplicitDeny' };
  }
}

/** Combines the decisions of several policies: explicit deny, then allow, then implicit deny. */
export function evaluatePolicies(
  policies: readonly CompiledPolicy[],
  action: string,
  resource: string,
  lookup: ContextLookup,
): Decision {
  let allow: Decision | undefined;
  for (const policy of policies) {
    const decision = policy.evaluate(action, resource, lookup);
    if (decision.effect === 'ExplicitDeny') return decision;
    if (decision.effect === 'Allow') allow ??= decision;
  }
  return allow ?? { effect: 'ImplicitDeny' };
}
