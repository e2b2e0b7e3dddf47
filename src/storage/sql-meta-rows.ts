/**
 * The store metadata domain's queries (meta-rows.ts) shared by both SQL backends: named blobs
 * in coffer_meta, opaque to storage. SqlRows composes this class with the other domains' over
 * one executor.
 */
import type { MetaWriter } from './meta-rows.js';
import type { SqlExecutor } from './sql-executor.js';

/** Metadata reads and writes over one SqlExecutor. */
export class SqlMetaRows implements MetaWriter {
  constructor(private readonly sql: SqlExecutor) {}

  async getMeta(key: string): Promise<Buffer | undefined> {
    const rows = await this.sql.all<{ value: Buffer }>('SELECT value AS "value" FROM coffer_meta WHERE key = ?', [key]);
    return rows[0]?.value;
  }

  async insertMeta(key: string, value: Buffer): Promise<boolean> {
    return (
      (await this.sql.run('INSERT INTO coffer_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING', [
        key,
        value,
      ])) === 1
    );
  }

  async putMeta(key: string, value: Buffer): Promise<void> {
    await this.sql.run(
      'INSERT INTO coffer_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      [key, value],
    );
  }
}
