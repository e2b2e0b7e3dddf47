/**
 * The parameter-policy domain of the storage contract (storage.ts composes it): for each
 * parameter with policies, one row per policy saying when its action is next due, how it
 * stands (AWS's PolicyStatus), and the lease that lets exactly one node run it. These rows are
 * bookkeeping, unsealed: the action re-reads the parameter's sealed version (its Policies and
 * LastModifiedDate) under the parameter's lock before it acts, so a forged due time makes a
 * check early, never a deletion.
 */
import type { Scope } from './scope.js';

/** AWS's PolicyStatus values (ParameterInlinePolicy). */
export type PolicyActionStatus = 'Pending' | 'InProgress' | 'Finished' | 'Failed';

/** One policy's planned action. */
export interface PolicyActionRow {
  account: string;
  region: string;
  /** The parameter's stored name. */
  name: string;
  /** The policy's position in its version's Policies array. */
  slot: number;
  /** The parameter version the action was planned for. */
  version: number;
  /** Expiration, ExpirationNotification or NoChangeNotification. */
  policyType: string;
  /** When it is (or, once Finished, was) due, epoch ms; null when never. Only Pending and InProgress run. */
  due: number | null;
  status: PolicyActionStatus;
  attempts: number;
  leaseOwner: string | null;
  leaseUntil: number | null;
}

/** A row as planned by a write (no lease yet). */
export type PlannedPolicyAction = Omit<PolicyActionRow, 'account' | 'region' | 'name' | 'leaseOwner' | 'leaseUntil'>;

/** How a leased action ended. */
export interface PolicyActionOutcome {
  readonly status: PolicyActionStatus;
  readonly due: number | null;
  readonly attempts: number;
}

/** Reads of planned policy actions. */
export interface PolicyActionReader {
  /** The actions of one parameter, by slot. */
  listPolicyActions(scope: Scope, name: string): Promise<PolicyActionRow[]>;
  /** Pending (or InProgress) actions of every scope due at `now` whose lease, if any, has expired; soonest first. */
  listDuePolicyActions(now: number, limit: number): Promise<PolicyActionRow[]>;
}

/** Writes of planned policy actions and their leases; only inside a transaction. */
export interface PolicyActionWriter extends PolicyActionReader {
  /** Replaces every action of the parameter with `actions` (none: the parameter has no policies). */
  replacePolicyActions(scope: Scope, name: string, actions: readonly PlannedPolicyAction[]): Promise<void>;
  /**
   * Takes the action's lease for `owner` until `until` (marking it InProgress) if it is due and
   * free or expired at `now`; returns whether this caller got it (one atomic conditional update).
   */
  leasePolicyAction(
    scope: Scope,
    name: string,
    slot: number,
    owner: string,
    now: number,
    until: number,
  ): Promise<boolean>;
  /**
   * Ends `owner`'s lease with the action's outcome; returns whether the lease was still its
   * (nothing changes otherwise). One conditional update, which holds the row until commit, so a
   * node taking over an expired lease meanwhile either wins before (and this returns false) or
   * finds the action ended.
   */
  releasePolicyAction(
    scope: Scope,
    name: string,
    slot: number,
    owner: string,
    outcome: PolicyActionOutcome,
  ): Promise<boolean>;
}
