/**
 * The shared storage backend: PostgreSQL through a `pg` pool, for many stateless Coffer nodes.
 *
 * Writers of one parameter are serialised with a transaction-scoped advisory lock on a hash of
 * (account, region, name), so concurrent PutParameter calls from any node get strictly
 * increasing versions. `?schema=NAME` in the URL puts every table in that schema (tests use a
 * fresh schema per run).
 */
import pg from 'pg';
import { LATEST_SCHEMA_VERSION, MIGRATIONS_TABLE, POSTGRES_DIALECT, migrationStatements } from './migrations.js';
import { RowIntegrity, type RowAuthenticator } from './row-integrity.js';
import { upgradeRows } from './row-upgrades.js';
import { SqlRows, type SqlExecutor } from './sql-rows.js';
import type { Scope, Storage, StorageWriter, TransactionHook, TransactionOptions } from './storage.js';
import { assertNotInTransaction, runAsTransaction } from './transaction-scope.js';

// Any constants work; they only have to differ from other applications' advisory lock keys.
const MIGRATION_LOCK_KEY = 0x0c0ffe5;
const AUDIT_CHAIN_LOCK_KEY = 0x0c0ffe6;

const placeholderCache = new Map<string, string>();

/** Rewrites `?` placeholders as `$1, $2, ...` (no Coffer query has a literal `?`). */
function numbered(sql: string): string {
  let text = placeholderCache.get(sql);
  if (text === undefined) {
    let n = 0;
    text = sql.replace(/\?/g, () => `$${++n}`);
    placeholderCache.set(sql, text);
  }
  return text;
}

/** Runs SQL on a pool or on one checked-out client. */
class PostgresExecutor implements SqlExecutor {
  constructor(private readonly target: pg.Pool | pg.PoolClient) {}

  async all<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
    return (await this.target.query(numbered(sql), params as unknown[])).rows as T[];
  }

  async run(sql: string, params: readonly unknown[]): Promise<number> {
    return (await this.target.query(numbered(sql), params as unknown[])).rowCount ?? 0;
  }
}

async function lockParameterOn(client: pg.PoolClient, scope: Scope, name: string): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`${scope.account}:${scope.region}:${name}`]);
}

/** Splits `?schema=` off a connection URL (pg itself does not understand it). */
export function parsePostgresUrl(url: string): { connectionString: string; schema: string | undefined } {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? undefined;
  parsed.searchParams.delete('schema');
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error('the schema in COFFER_DATABASE_URL must be a lower-case SQL identifier');
  }
  return { connectionString: parsed.toString(), schema };
}

/** Storage on a PostgreSQL database. */
export class PostgresStorage extends SqlRows implements Storage {
  readonly kind = 'postgres' as const;
  private hook: TransactionHook | undefined;

  private constructor(private readonly pool: pg.Pool, private readonly schema: string | undefined, private readonly rowIntegrity: RowIntegrity) {
    super(new PostgresExecutor(pool), async () => {
      throw new Error('lockParameter needs a transaction');
    }, rowIntegrity);
  }

  useIntegrity(authenticator: RowAuthenticator): void {
    this.rowIntegrity.use(authenticator);
  }

  useTransactionHook(hook: TransactionHook): void {
    this.hook = hook;
  }

  /** Connects a pool to `url` (postgres://...); tables go in `?schema=` when given. */
  static async open(url: string, poolSize = 10): Promise<PostgresStorage> {
    const { connectionString, schema } = parsePostgresUrl(url);
    const pool = new pg.Pool({
      connectionString,
      max: poolSize,
      options: schema ? `-c search_path=${schema}` : undefined,
    });
    // A broken idle connection must not crash the process; the pool replaces it.
    pool.on('error', () => {});
    const storage = new PostgresStorage(pool, schema, new RowIntegrity());
    await pool.query('SELECT 1');
    return storage;
  }

  async schemaVersion(): Promise<number> {
    const found = await this.pool.query(`SELECT to_regclass($1) AS t`, [MIGRATIONS_TABLE]);
    if (!found.rows[0].t) return 0;
    const row = await this.pool.query(`SELECT MAX(version) AS v FROM ${MIGRATIONS_TABLE}`);
    return Number(row.rows[0].v ?? 0);
  }

  async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      if (this.schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`);
      const row = await client.query(`SELECT MAX(version) AS v FROM ${MIGRATIONS_TABLE}`);
      for (let v = Number(row.rows[0].v ?? 0) + 1; v <= LATEST_SCHEMA_VERSION; v++) {
        for (const statement of migrationStatements(v, POSTGRES_DIALECT)) await client.query(statement);
        await upgradeRows(v, new PostgresExecutor(client), this.rowIntegrity);
        await client.query(`INSERT INTO ${MIGRATIONS_TABLE} (version, applied_at) VALUES ($1, $2)`, [v, Date.now()]);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  async transaction<T>(work: (tx: StorageWriter) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    assertNotInTransaction();
    // Set by the hook (inside the work's closure), told how the transaction ended.
    const after: { settled?: ((committed: boolean) => void) | void } = {};
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      if (options.sync === false) await client.query('SET LOCAL synchronous_commit = off');
      const rows = new SqlRows(new PostgresExecutor(client), (scope, name) => lockParameterOn(client, scope, name), this.rowIntegrity,
        async () => { await client.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_CHAIN_LOCK_KEY]); });
      const hook = this.hook;
      const result = await runAsTransaction(async () => {
        const value = await work(rows);
        if (hook) after.settled = await hook(rows);
        return value;
      });
      await client.query('COMMIT');
      after.settled?.(true);
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      after.settled?.(false);
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
