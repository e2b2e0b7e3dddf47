/**
 * The rotation domain's queries (rotation-rows.ts) shared by both SQL backends: registered
 * functions, schedules with their leases, and the record of every run. Functions and schedules'
 * configurations are sealed (row-integrity.ts): a function's URL changed outside Coffer would
 * send secrets elsewhere. Leases, due times and run records are bookkeeping and stay unsealed.
 * SqlRows composes this class with the other domains' over one executor.
 */
import type { RotationFunctionRow, RotationRunRow, RotationScheduleRow, RotationWriter } from './rotation-rows.js';
import type { RowIntegrity } from './row-integrity.js';
import { storedInteger } from './row-integrity.js';
import type { Scope } from './scope.js';
import type { SqlExecutor } from './sql-executor.js';

const FUNCTION_COLUMNS = `name AS "name", kind AS "kind", target AS "target", options AS "options",
  key_sealed AS "keySealed",
  created_at AS "createdAt", mac AS "mac"`;
const SCHEDULE_COLUMNS = `account AS "account", region AS "region", target_kind AS "targetKind",
  target_name AS "targetName", config AS "config",
  next_due AS "nextDue", lease_owner AS "leaseOwner", lease_until AS "leaseUntil", mac AS "mac"`;
const RUN_COLUMNS = `run_id AS "runId", account AS "account", region AS "region", target_kind AS "targetKind",
  target_name AS "targetName",
  token AS "token", status AS "status", step AS "step", error AS "error", attempts AS "attempts",
    started_at AS "startedAt", finished_at AS "finishedAt"`;

type Sealed<T> = T & { mac: Buffer | null };

const num = (v: unknown) => (v === null || v === undefined ? null : storedInteger(v));
const functionFields = (s: Scope, r: RotationFunctionRow) => [
  s.account,
  s.region,
  r.name,
  r.kind,
  r.target,
  r.options,
  r.keySealed,
  r.createdAt,
];
const scheduleFields = (
  r: Pick<RotationScheduleRow, 'account' | 'region' | 'targetKind' | 'targetName' | 'config'>,
) => [r.account, r.region, r.targetKind, r.targetName, r.config];
const run = (r: RotationRunRow): RotationRunRow => ({
  ...r,
  attempts: storedInteger(r.attempts),
  startedAt: storedInteger(r.startedAt),
  finishedAt: num(r.finishedAt),
});

/** Rotation reads and writes over one SqlExecutor (helpers are #private: every public method is the contract). */
export class SqlRotationRows implements RotationWriter {
  constructor(
    private readonly sql: SqlExecutor,
    private readonly integrity: RowIntegrity,
  ) {}

  #rotationFunction(scope: Scope, row: Sealed<RotationFunctionRow>): RotationFunctionRow {
    const { mac, ...fn } = row;
    fn.createdAt = storedInteger(fn.createdAt);
    this.integrity.check(
      'rotation_functions',
      functionFields(scope, fn),
      mac,
      `${scope.account}/${scope.region}/${fn.name}`,
    );
    return fn;
  }

  #schedule(row: Sealed<RotationScheduleRow>): RotationScheduleRow {
    const { mac, ...s } = row;
    this.integrity.check(
      'rotation_schedules',
      scheduleFields(s),
      mac,
      `${s.account}/${s.region}/${s.targetKind}/${s.targetName}`,
    );
    return { ...s, nextDue: num(s.nextDue), leaseUntil: num(s.leaseUntil) };
  }

  async getRotationFunction(scope: Scope, name: string): Promise<RotationFunctionRow | undefined> {
    const rows = await this.sql.all<Sealed<RotationFunctionRow>>(
      `SELECT ${FUNCTION_COLUMNS} FROM rotation_functions WHERE account = ? AND region = ? AND name = ?`,
      [scope.account, scope.region, name],
    );
    return rows[0] && this.#rotationFunction(scope, rows[0]);
  }

  async listRotationFunctions(scope: Scope): Promise<RotationFunctionRow[]> {
    const rows = await this.sql.all<Sealed<RotationFunctionRow>>(
      `SELECT ${FUNCTION_COLUMNS} FROM rotation_functions WHERE account = ? AND region = ? ORDER BY name`,
      [scope.account, scope.region],
    );
    return rows.map((r) => this.#rotationFunction(scope, r));
  }

  async putRotationFunction(scope: Scope, row: RotationFunctionRow): Promise<void> {
    const fields = functionFields(scope, row);
    await this.sql.run(
      `INSERT INTO rotation_functions (account, region, name, kind, target, options, key_sealed, created_at,
      mac) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (account, region, name) DO UPDATE SET kind = excluded.kind, target = excluded.target,
         options = excluded.options,
         key_sealed = excluded.key_sealed, created_at = excluded.created_at, mac = excluded.mac`,
      [...fields, this.integrity.seal('rotation_functions', fields)],
    );
  }

  async deleteRotationFunction(scope: Scope, name: string): Promise<boolean> {
    return (
      (await this.sql.run('DELETE FROM rotation_functions WHERE account = ? AND region = ? AND name = ?', [
        scope.account,
        scope.region,
        name,
      ])) > 0
    );
  }

  async getRotationSchedule(
    scope: Scope,
    targetKind: RotationScheduleRow['targetKind'],
    targetName: string,
  ): Promise<RotationScheduleRow | undefined> {
    const rows = await this.sql.all<Sealed<RotationScheduleRow>>(
      `SELECT ${SCHEDULE_COLUMNS} FROM rotation_schedules WHERE account = ? AND region = ? AND target_kind = ? AND ` +
        `target_name = ?`,
      [scope.account, scope.region, targetKind, targetName],
    );
    return rows[0] && this.#schedule(rows[0]);
  }

  async listDueRotations(now: number, limit: number): Promise<RotationScheduleRow[]> {
    const rows = await this.sql.all<Sealed<RotationScheduleRow>>(
      `SELECT ${SCHEDULE_COLUMNS} FROM rotation_schedules WHERE next_due IS NOT NULL AND next_due <= ?
         AND (lease_until IS NULL OR lease_until < ?) ORDER BY next_due LIMIT ?`,
      [now, now, limit],
    );
    return rows.map((r) => this.#schedule(r));
  }

  async putRotationSchedule(row: Omit<RotationScheduleRow, 'leaseOwner' | 'leaseUntil'>): Promise<void> {
    await this.sql.run(
      `INSERT INTO rotation_schedules (account, region, target_kind, target_name, config, next_due, mac) VALUES (?, ?,
      ?, ?, ?, ?, ?)
       ON CONFLICT (account, region, target_kind, target_name) DO UPDATE SET config = excluded.config,
         next_due = excluded.next_due, mac = excluded.mac`,
      [...scheduleFields(row), row.nextDue, this.integrity.seal('rotation_schedules', scheduleFields(row))],
    );
  }

  async deleteRotationSchedule(
    scope: Scope,
    targetKind: RotationScheduleRow['targetKind'],
    targetName: string,
  ): Promise<void> {
    await this.sql.run(
      'DELETE FROM rotation_schedules WHERE account = ? AND region = ? AND target_kind = ? AND target_name = ?',
      [scope.account, scope.region, targetKind, targetName],
    );
  }

  async leaseRotation(
    scope: Scope,
    targetKind: RotationScheduleRow['targetKind'],
    targetName: string,
    owner: string,
    now: number,
    until: number,
  ): Promise<boolean> {
    return (
      (await this.sql.run(
        `UPDATE rotation_schedules SET lease_owner = ?, lease_until = ?
       WHERE account = ? AND region = ? AND target_kind = ? AND target_name = ?
         AND (lease_until IS NULL OR lease_until < ?)`,
        [owner, until, scope.account, scope.region, targetKind, targetName, now],
      )) === 1
    );
  }

  async releaseRotation(
    scope: Scope,
    targetKind: RotationScheduleRow['targetKind'],
    targetName: string,
    owner: string,
    nextDue: number | null,
  ): Promise<void> {
    await this.sql.run(
      `UPDATE rotation_schedules SET lease_owner = NULL, lease_until = NULL, next_due = ?
       WHERE account = ? AND region = ? AND target_kind = ? AND target_name = ? AND lease_owner = ?`,
      [nextDue, scope.account, scope.region, targetKind, targetName, owner],
    );
  }

  async listRotationRuns(
    scope: Scope,
    target: { kind: RotationScheduleRow['targetKind']; name: string } | undefined,
    limit: number,
  ): Promise<RotationRunRow[]> {
    const where = target ? 'AND target_kind = ? AND target_name = ?' : '';
    const rows = await this.sql.all<RotationRunRow>(
      `SELECT ${RUN_COLUMNS} FROM rotation_runs WHERE account = ? AND region = ? ${where} ORDER BY started_at DESC, ` +
        `run_id LIMIT ?`,
      [scope.account, scope.region, ...(target ? [target.kind, target.name] : []), limit],
    );
    return rows.map(run);
  }

  async putRotationRun(row: RotationRunRow): Promise<void> {
    await this.sql.run(
      `INSERT INTO rotation_runs (run_id, account, region, target_kind, target_name, token, status, step, error,
      attempts, started_at, finished_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id) DO UPDATE SET status = excluded.status, step = excluded.step, error = excluded.error,
         attempts = excluded.attempts, finished_at = excluded.finished_at`,
      [
        row.runId,
        row.account,
        row.region,
        row.targetKind,
        row.targetName,
        row.token,
        row.status,
        row.step,
        row.error,
        row.attempts,
        row.startedAt,
        row.finishedAt,
      ],
    );
  }
}
