/**
 * Parameter policies, enforced. A write plans one action per policy of the version it writes
 * (in its own transaction, keeping the status of an action that is unchanged); the
 * PolicyScheduler leases each due action to one node, which runs it here: under the
 * parameter's lock it re-reads the sealed version, recomputes the due time from it (the
 * planned rows are unsealed bookkeeping), and then deletes the parameter (Expiration) or
 * announces (the notifications). The action, its audit event (CloudTrail-shaped, named after
 * AWS's EventBridge "Parameter Store Policy Action") and its new status commit together, so a
 * notification is sent once; the webhook follows the commit.
 */
import type { PlannedPolicyAction, PolicyActionRow, Scope, Storage, StorageWriter } from '../../storage/storage.js';
import type { ParameterVersionRow } from '../../storage/storage.js';
import { serviceEvent, type ServiceEventSink } from '../audit/service-events.js';
import { noteChange } from '../changes/change-log.js';
import type { Clock } from '../clock.js';
import { canonicalName, parameterArn } from './parameter-name.js';
import { dueOf, policiesOf, type ParameterFollowUps, type ParameterPolicy } from './parameter-policies.js';
import type { PolicyNotice, PolicyNotifier } from './policy-notifier.js';

const SOURCE = 'ssm.amazonaws.com';
/** The audit event's name: AWS's EventBridge detail-type "Parameter Store Policy Action", as a CloudTrail name. */
export const POLICY_ACTION_EVENT = 'ParameterStorePolicyAction';
/** The audit event of an `aws:ec2:image` value that failed validation (EventBridge: "Parameter Store Change"). */
export const PARAMETER_CHANGE_EVENT = 'ParameterStoreChange';
const RETRY_MS = 5 * 60_000;
const MAX_ATTEMPTS = 3;

/** Plans, runs and reports parameter policies' actions. */
export class PolicyActions implements ParameterFollowUps {
  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
    private readonly events: ServiceEventSink,
    private readonly notifier: PolicyNotifier,
  ) {}

  /** Plans the actions of the version just written (none if it has no policies). */
  async written(tx: StorageWriter, scope: Scope, row: ParameterVersionRow): Promise<void> {
    const policies = policiesOf(row);
    const before = policies.length > 0 ? await tx.listPolicyActions(scope, row.name) : [];
    // The engines' clock, not the row's: a --dev server's moved clock decides when "After N" has passed.
    const writtenAt = this.clock.now();
    const planned = policies.map((policy, slot): PlannedPolicyAction => {
      const due = dueOf(policy, policies, writtenAt);
      // An Expiration (or its notice) the new version keeps unchanged keeps its status: a notice is sent once.
      const done = before.some((a) => a.status === 'Finished' && sameMoment(a, policy, due));
      return {
        slot,
        version: row.version,
        policyType: policy.type,
        due,
        status: done ? 'Finished' : 'Pending',
        attempts: 0,
      };
    });
    if (planned.length > 0 || before.length > 0 || row.version > 1)
      await tx.replacePolicyActions(scope, row.name, planned);
  }

  async deleted(tx: StorageWriter, scope: Scope, name: string): Promise<void> {
    await tx.replacePolicyActions(scope, name, []);
  }

  async imageRejected(scope: Scope, name: string, version: number): Promise<void> {
    const arn = parameterArn(scope, name);
    const reason =
      `the aws:ec2:image value of version ${version} is not an AMI id (ami- and 8 or 17 hexadecimal digits): ` +
      'nothing was written';
    await this.events.record(
      serviceEvent(
        {
          source: SOURCE,
          name: PARAMETER_CHANGE_EVENT,
          ...scope,
          arns: [arn],
          details: { name, operation: version === 1 ? 'Create' : 'Update', dataType: 'aws:ec2:image', reason },
          errorCode: 'ValidationException',
        },
        this.clock.now(),
      ),
    );
    await this.notifier.notify({
      ...scope,
      name,
      arn,
      kind: 'ImageValidation',
      status: 'Failed',
      reason,
      at: this.clock.now(),
    });
  }

  /** Runs an action `owner` has leased; resolves once it is done, retried or given up. */
  async run(due: PolicyActionRow, owner: string): Promise<void> {
    const scope = { account: due.account, region: due.region };
    let notice: PolicyNotice | undefined;
    try {
      notice = await this.storage.transaction((tx) => this.act(tx, scope, due, owner));
    } catch (error) {
      this.notifier.fault(scope, due.name, error);
      const attempts = due.attempts + 1;
      const outcome =
        attempts >= MAX_ATTEMPTS
          ? { status: 'Failed' as const, due: null, attempts }
          : { status: 'Pending' as const, due: this.clock.now() + RETRY_MS, attempts };
      await this.storage.transaction((tx) => tx.releasePolicyAction(scope, due.name, due.slot, owner, outcome));
      return;
    }
    if (notice) await this.notifier.notify(notice);
  }

  private async act(
    tx: StorageWriter,
    scope: Scope,
    due: PolicyActionRow,
    owner: string,
  ): Promise<PolicyNotice | undefined> {
    await tx.lockParameter(scope, canonicalName(due.name));
    const action = (await tx.listPolicyActions(scope, due.name)).find((a) => a.slot === due.slot);
    // A write replaced the plan since the lease: the new plan is its own.
    if (!action || action.leaseOwner !== owner) return undefined;
    const release = (status: PolicyActionRow['status'], next: number | null) =>
      tx.releasePolicyAction(scope, due.name, due.slot, owner, { status, due: next, attempts: action.attempts });
    const latest = await tx.getLatestVersion(scope, due.name);
    const policies = latest && latest.version === action.version ? policiesOf(latest) : [];
    const policy = policies[action.slot];
    if (!latest || !policy || policy.type !== action.policyType) {
      await release('Failed', null);
      return undefined;
    }
    const sealedDue = dueOf(policy, policies, latest.lastModifiedDate);
    const now = this.clock.now();
    if (sealedDue === null || now < sealedDue) {
      await release('Pending', sealedDue);
      return undefined;
    }
    // Ending the lease first both proves it is still this node's (another may have taken it over
    // once it expired) and holds the row until commit, so the action is taken once.
    if (!(await release('Finished', sealedDue))) return undefined;
    const notice = this.notice(scope, latest, policy, policies, now);
    if (policy.type === 'Expiration') {
      await tx.deleteParameter(scope, latest.name);
      await tx.replacePolicyActions(scope, latest.name, []);
      await noteChange(tx, scope, {
        kind: 'parameter',
        // As DeleteParameter notes it: by the name's canonical spelling, whatever a legacy row holds.
        name: canonicalName(latest.name),
        arn: notice.arn,
        version: latest.version,
        operation: 'ExpireParameter',
      });
    }
    await this.events.appendIn(tx, this.event(scope, latest, notice));
    return notice;
  }

  private notice(
    scope: Scope,
    row: ParameterVersionRow,
    policy: ParameterPolicy,
    all: readonly ParameterPolicy[],
    now: number,
  ): PolicyNotice {
    const arn = parameterArn(scope, row.name);
    const expiration = all.find((p) => p.type === 'Expiration');
    const expiresAt = expiration?.type === 'Expiration' ? new Date(expiration.at).toISOString() : '';
    const reason =
      policy.type === 'Expiration'
        ? `expired at ${expiresAt} and was deleted`
        : policy.type === 'ExpirationNotification'
          ? `expires at ${expiresAt}`
          : `has not changed since ${new Date(row.lastModifiedDate).toISOString()}`;
    return { ...scope, name: row.name, arn, kind: policy.type, status: 'Finished', reason, at: now };
  }

  /** The CloudTrail record, whose details are the EventBridge event's. */
  private event(scope: Scope, row: ParameterVersionRow, notice: PolicyNotice) {
    return serviceEvent(
      {
        source: SOURCE,
        name: POLICY_ACTION_EVENT,
        ...scope,
        arns: [notice.arn],
        details: {
          'parameter-name': row.name,
          'parameter-type': row.type,
          'parameter-version': row.version,
          'policy-type': notice.kind,
          'action-status': notice.status,
          'action-reason': notice.reason,
        },
      },
      notice.at,
    );
  }
}

/** Whether a finished action stood for the policy's moment: its type, and the same due time. */
function sameMoment(action: PolicyActionRow, policy: ParameterPolicy, due: number | null): boolean {
  // A NoChangeNotification is reset by every new version; the others keep their moment.
  return (
    policy.type !== 'NoChangeNotification' && action.policyType === policy.type && due !== null && action.due === due
  );
}
