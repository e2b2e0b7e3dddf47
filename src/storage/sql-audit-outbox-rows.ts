/**
 * The audit outbox's queries (audit-outbox-rows.ts) shared by both SQL backends. SqlRows
 * composes this class with the other domains' over one executor.
 */
import type { AuditOutboxRow, AuditOutboxWriter, StoredAuditOutboxRow } from './audit-outbox-rows.js';
import { storedInteger, type RowIntegrity } from './row-integrity.js';
import type { SqlExecutor } from './sql-executor.js';

/** Rows deleted per statement, within both backends' parameter limits. */
const IDS_PER_DELETE = 500;

const fields = (r: AuditOutboxRow) => [r.eventId, r.createdAt, r.record, r.names];

/** Outbox reads and writes over one SqlExecutor. */
export class SqlAuditOutboxRows implements AuditOutboxWriter {
  constructor(
    private readonly sql: SqlExecutor,
    private readonly integrity: RowIntegrity,
  ) {}

  async listAuditOutbox(createdBefore: number, limit: number): Promise<StoredAuditOutboxRow[]> {
    const rows = await this.sql.all<AuditOutboxRow & { createdAt: unknown; mac: Buffer | null }>(
      `SELECT event_id AS "eventId", created_at AS "createdAt", record AS "record", names AS "names", mac AS "mac"
       FROM audit_outbox WHERE created_at <= ? ORDER BY created_at, event_id LIMIT ?`,
      [createdBefore, limit],
    );
    return rows.map(({ mac, ...row }) => {
      const stored = { ...row, createdAt: storedInteger(row.createdAt) };
      return { ...stored, intact: this.integrity.verifies('audit_outbox', fields(stored), mac) };
    });
  }

  async insertAuditOutbox(row: AuditOutboxRow): Promise<void> {
    await this.sql.run('INSERT INTO audit_outbox (event_id, created_at, record, names, mac) VALUES (?, ?, ?, ?, ?)', [
      ...fields(row),
      this.integrity.seal('audit_outbox', fields(row)),
    ]);
  }

  async deleteAuditOutbox(eventIds: readonly string[]): Promise<number> {
    let deleted = 0;
    for (let i = 0; i < eventIds.length; i += IDS_PER_DELETE) {
      const chunk = eventIds.slice(i, i + IDS_PER_DELETE);
      deleted += await this.sql.run(
        `DELETE FROM audit_outbox WHERE event_id IN (${chunk.map(() => '?').join(', ')})`,
        chunk,
      );
    }
    return deleted;
  }
}
