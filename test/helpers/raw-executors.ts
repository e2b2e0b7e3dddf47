/** SqlExecutors on a test store's own connection, for storage code run outside a Storage (upgrades). */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { PostgresExecutor } from '../../src/storage/postgres-connection.js';
import type { SqlExecutor } from '../../src/storage/sql-executor.js';
import { SqliteExecutor } from '../../src/storage/sqlite-connection.js';
import { POSTGRES_BASE_URL, type TestLocation } from './test-stores.js';

export interface RawExecutor {
  readonly executor: SqlExecutor;
  close(): Promise<void>;
}

/** The store's own executor on a connection of the test's (BLOBs read as production reads them). */
export function sqliteExecutor(location: TestLocation): RawExecutor {
  const db = new Database(join(location.dataDir, 'coffer.db'));
  return {
    executor: new SqliteExecutor(db),
    close: async () => {
      db.close();
    },
  };
}

/** The store's own executor, its statements unprepared (a test's are its own), on a client of the test's. */
export function postgresExecutor(location: TestLocation): RawExecutor {
  const client = new pg.Client({ connectionString: POSTGRES_BASE_URL, options: `-c search_path=${location.schema}` });
  // pg queues the executor's queries until the connection is up (and fails them if it never is).
  const connected = client.connect().catch(() => {});
  return {
    executor: new PostgresExecutor(client as unknown as pg.PoolClient, false),
    close: async () => {
      await connected;
      await client.end();
    },
  };
}
