/**
 * The row queries shared by both SQL backends.
 *
 * SQLite and PostgreSQL accept the same SQL for everything Coffer does (ON CONFLICT upserts,
 * quoted aliases, `?` placeholders that the PostgreSQL executor renumbers), so the queries live
 * once, in groups stacked into this class (identity, secrets, rotation, keys, parameters), and
 * each backend supplies only an executor, its locking, and the row integrity it shares.
 */
import type { Scope, StorageWriter } from './storage.js';
import type { RowIntegrity } from './row-integrity.js';
import { SqlParameterRows } from './sql-parameter-rows.js';
import type { SqlExecutor } from './sql-executor.js';

export type { SqlExecutor };
export { prefixUpperBound } from './sql-parameter-rows.js';

/** Row-level reads and writes over any SqlExecutor. */
export class SqlRows extends SqlParameterRows implements StorageWriter {
  constructor(
    sql: SqlExecutor,
    private readonly lock: (scope: Scope, name: string) => Promise<void>,
    integrity: RowIntegrity,
  ) {
    super(sql, integrity);
  }

  lockParameter(scope: Scope, name: string): Promise<void> {
    return this.lock(scope, name);
  }

  async getMeta(key: string): Promise<Buffer | undefined> {
    const rows = await this.sql.all<{ value: Buffer }>('SELECT value AS "value" FROM coffer_meta WHERE key = ?', [key]);
    return rows[0]?.value;
  }

  async insertMeta(key: string, value: Buffer): Promise<boolean> {
    return (await this.sql.run('INSERT INTO coffer_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING', [key, value])) === 1;
  }

  async putMeta(key: string, value: Buffer): Promise<void> {
    await this.sql.run('INSERT INTO coffer_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
  }

  async deleteAllParameters(): Promise<void> {
    for (const table of ['ssm_parameters', 'ssm_parameter_versions', 'ssm_parameter_labels', 'resource_tags',
      'iam_entities', 'iam_documents', 'iam_links', 'sm_secrets', 'sm_secret_versions', 'sm_version_stages', 'rotation_schedules', 'rotation_runs']) {
      await this.sql.run(`DELETE FROM ${table}`, []);
    }
  }
}
