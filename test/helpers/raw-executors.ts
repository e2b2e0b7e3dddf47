/** SqlExecutors on a test store's own connection, for storage code run outside a Storage (upgrades). */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { SqlExecutor } from '../../src/storage/sql-executor.js';
import { POSTGRES_BASE_URL, type TestLocation } from './test-stores.js';

export interface RawExecutor {
  readonly executor: SqlExecutor;
  close(): Promise<void>;
}

export function sqliteExecutor(location: TestLocation): RawExecutor {
  const db = new Database(join(location.dataDir, 'coffer.db'));
  return {
    executor: {
      all: async <T>(sql: string, params: readonly unknown[]) => db.prepare(sql).all(...params) as T[],
      rows: async (sql: string, params: readonly unknown[]) =>
        db
          .prepare(sql)
          .raw(true)
          .all(...params) as unknown[][],
      run: async (sql: string, params: readonly unknown[]) => db.prepare(sql).run(...params).changes,
    },
    close: async () => {
      db.close();
    },
  };
}

export function postgresExecutor(location: TestLocation): RawExecutor {
  const client = new pg.Client({ connectionString: POSTGRES_BASE_URL, options: `-c search_path=${location.schema}` });
  const connected = client.connect();
  const numbered = (sql: string) => {
    let n = 0;
    return sql.replace(/\?/g, () => `$${++n}`);
  };
  return {
    executor: {
      all: async <T>(sql: string, params: readonly unknown[]) => {
        await connected;
        return (await client.query(numbered(sql), params as unknown[])).rows as T[];
      },
      rows: async (sql: string, params: readonly unknown[]) => {
        await connected;
        return (await client.query({ text: numbered(sql), values: params as unknown[], rowMode: 'array' })).rows;
      },
      run: async (sql: string, params: readonly unknown[]) => {
        await connected;
        return (await client.query(numbered(sql), params as unknown[])).rowCount ?? 0;
      },
    },
    close: () => client.end(),
  };
}
