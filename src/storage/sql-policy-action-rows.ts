/**
 * The parameter-policy domain's queries (policy-action-rows.ts) shared by both SQL backends.
 * The rows are bookkeeping (due times, statuses, leases) and stay unsealed: the engine checks
 * the parameter's sealed version before it acts. SqlRows composes this class with the others.
 */
import type {
  PlannedPolicyAction,
  PolicyActionOutcome,
  PolicyActionRow,
  PolicyActionWriter,
} from './policy-action-rows.js';
import { storedInteger } from './row-integrity.js';
import type { Scope } from './scope.js';
import type { SqlExecutor } from './sql-executor.js';

const COLUMNS = `account AS "account", region AS "region", name AS "name", slot AS "slot", version AS "version",
  policy_type AS "policyType", due AS "due", status AS "status", attempts AS "attempts",
  lease_owner AS "leaseOwner", lease_until AS "leaseUntil"`;

const num = (v: unknown) => (v === null || v === undefined ? null : storedInteger(v));
const action = (r: PolicyActionRow): PolicyActionRow => ({
  ...r,
  slot: storedInteger(r.slot),
  version: storedInteger(r.version),
  due: num(r.due),
  attempts: storedInteger(r.attempts),
  leaseUntil: num(r.leaseUntil),
});

/** Policy-action reads and writes over one SqlExecutor. */
export class SqlPolicyActionRows implements PolicyActionWriter {
  constructor(private readonly sql: SqlExecutor) {}

  async listPolicyActions(scope: Scope, name: string): Promise<PolicyActionRow[]> {
    const rows = await this.sql.all<PolicyActionRow>(
      `SELECT ${COLUMNS} FROM ssm_policy_actions WHERE account = ? AND region = ? AND name = ? ORDER BY slot`,
      [scope.account, scope.region, name],
    );
    return rows.map(action);
  }

  async listDuePolicyActions(now: number, limit: number): Promise<PolicyActionRow[]> {
    const rows = await this.sql.all<PolicyActionRow>(
      `SELECT ${COLUMNS} FROM ssm_policy_actions WHERE due IS NOT NULL AND due <= ?
       AND status IN ('Pending', 'InProgress') AND (lease_until IS NULL OR lease_until < ?)
       ORDER BY due, account, region, name, slot LIMIT ?`,
      [now, now, limit],
    );
    return rows.map(action);
  }

  async replacePolicyActions(scope: Scope, name: string, actions: readonly PlannedPolicyAction[]): Promise<void> {
    await this.sql.run('DELETE FROM ssm_policy_actions WHERE account = ? AND region = ? AND name = ?', [
      scope.account,
      scope.region,
      name,
    ]);
    for (const a of actions) {
      await this.sql.run(
        `INSERT INTO ssm_policy_actions (account, region, name, slot, version, policy_type, due, status, attempts)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [scope.account, scope.region, name, a.slot, a.version, a.policyType, a.due, a.status, a.attempts],
      );
    }
  }

  async leasePolicyAction(
    scope: Scope,
    name: string,
    slot: number,
    owner: string,
    now: number,
    until: number,
  ): Promise<boolean> {
    return (
      (await this.sql.run(
        `UPDATE ssm_policy_actions SET lease_owner = ?, lease_until = ?, status = 'InProgress'
         WHERE account = ? AND region = ? AND name = ? AND slot = ? AND due IS NOT NULL AND due <= ?
           AND status IN ('Pending', 'InProgress') AND (lease_until IS NULL OR lease_until < ?)`,
        [owner, until, scope.account, scope.region, name, slot, now, now],
      )) === 1
    );
  }

  async releasePolicyAction(
    scope: Scope,
    name: string,
    slot: number,
    owner: string,
    outcome: PolicyActionOutcome,
  ): Promise<boolean> {
    const changed = await this.sql.run(
      `UPDATE ssm_policy_actions SET lease_owner = NULL, lease_until = NULL, status = ?, due = ?, attempts = ?
       WHERE account = ? AND region = ? AND name = ? AND slot = ? AND lease_owner = ?`,
      [outcome.status, outcome.due, outcome.attempts, scope.account, scope.region, name, slot, owner],
    );
    return changed === 1;
  }
}
