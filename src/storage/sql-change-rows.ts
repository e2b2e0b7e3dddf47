/**
 * The change log's queries (change-rows.ts) shared by both SQL backends. `announce` is the
 * backend's way of telling other nodes a change is coming (PostgreSQL: a NOTIFY, delivered
 * when the transaction commits); SQLite tells its own process after each commit.
 */
import type { ChangeRow, ChangeRowInput, ChangeWriter } from './change-rows.js';
import type { SqlExecutor } from './sql-executor.js';

const COLUMNS =
  'seq AS "seq", account AS "account", region AS "region", kind AS "kind", name AS "name", arn AS "arn", ' +
  'version AS "version", operation AS "operation", at AS "at"';

type RawChange = Omit<ChangeRow, 'seq' | 'at'> & { seq: number | string; at: number | string };

/** bigint columns come back from pg as strings. */
const asRow = (r: RawChange): ChangeRow => ({ ...r, seq: Number(r.seq), at: Number(r.at) });

/** Change log reads and writes over one SqlExecutor. */
export class SqlChangeRows implements ChangeWriter {
  constructor(
    private readonly sql: SqlExecutor,
    private readonly announce: () => Promise<void>,
  ) {}

  async listChanges(afterSeq: number, limit: number): Promise<ChangeRow[]> {
    const rows = await this.sql.all<RawChange>(
      `SELECT ${COLUMNS} FROM coffer_changes WHERE seq > ? ORDER BY seq LIMIT ?`,
      [afterSeq, limit],
    );
    return rows.map(asRow);
  }

  async listChangesBySeq(seqs: readonly number[]): Promise<ChangeRow[]> {
    if (seqs.length === 0) return [];
    const marks = seqs.map(() => '?').join(', ');
    const rows = await this.sql.all<RawChange>(
      `SELECT ${COLUMNS} FROM coffer_changes WHERE seq IN (${marks}) ORDER BY seq`,
      seqs,
    );
    return rows.map(asRow);
  }

  async changeBounds(): Promise<{ oldest: number; latest: number }> {
    const rows = await this.sql.all<{ oldest: number | string | null; latest: number | string | null }>(
      'SELECT MIN(seq) AS "oldest", MAX(seq) AS "latest" FROM coffer_changes',
      [],
    );
    return { oldest: Number(rows[0]?.oldest ?? 0), latest: Number(rows[0]?.latest ?? 0) };
  }

  async appendChange(row: ChangeRowInput): Promise<void> {
    await this.sql.run(
      'INSERT INTO coffer_changes (account, region, kind, name, arn, version, operation, at) ' +
        'VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [row.account, row.region, row.kind, row.name, row.arn, row.version, row.operation, row.at],
    );
    await this.announce();
  }

  async pruneChanges(before: number): Promise<number> {
    // The latest row stays, so the log's head survives a quiet day (a resume point stays checkable).
    return this.sql.run('DELETE FROM coffer_changes WHERE at < ? AND seq < (SELECT MAX(seq) FROM coffer_changes)', [
      before,
    ]);
  }
}
