/**
 * Keyset paging must be an index range, not a scan from the start: a page condition SQLite
 * cannot answer from the index makes reading everything, page by page, quadratic (audit verify
 * over a trail of a million index rows took minutes). Checked on SQLite's plan (structural,
 * not timed); PostgreSQL runs the same SQL.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import Database from 'better-sqlite3';
import { auditFileMigrationStatements, LATEST_AUDIT_FILE_VERSION } from '../../src/storage/migrations.js';
import { RowIntegrity } from '../../src/storage/row-integrity.js';
import { SqlAuditRows } from '../../src/storage/sql-audit-rows.js';
import type { SqlExecutor } from '../../src/storage/sql-executor.js';

/** Runs nothing; keeps each SELECT's plan. */
class PlanRecorder implements SqlExecutor {
  readonly plans: string[] = [];
  constructor(private readonly db: Database.Database) {}
  async all<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
    const plan = this.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[];
    this.plans.push(plan.map((p) => p.detail).join('; '));
    return [];
  }
  async rows(sql: string, params: readonly unknown[]): Promise<unknown[][]> {
    return this.all(sql, params);
  }
  async run(): Promise<number> {
    return 0;
  }
}

it('pages through the audit resource index by an index range', async () => {
  const db = new Database(':memory:');
  for (let v = 1; v <= LATEST_AUDIT_FILE_VERSION; v++) for (const s of auditFileMigrationStatements(v)) db.exec(s);
  const recorder = new PlanRecorder(db);
  const rows = new SqlAuditRows(recorder, new RowIntegrity(), async () => {});
  await rows.listIndexRows({ name: 'arn:aws:ssm:us-east-1:123456789012:parameter/a', seq: 7, position: 0 }, 1000);
  assert.match(
    recorder.plans[0]!,
    /^SEARCH audit_resources USING INDEX audit_resources_name \(\(resource_name,seq,position\)>/,
  );
  db.close();
});
