/**
 * The shared storage backend: PostgreSQL through a `pg` pool, for many stateless Coffer nodes.
 *
 * Writers of one parameter are serialised with a transaction-scoped advisory lock on a hash of
 * (account, region, name), so concurrent PutParameter calls from any node get strictly
 * increasing versions. `?schema=NAME` in the URL puts every table in that schema (tests use a
 * fresh schema per run).
 */
import type pg from 'pg';
import {
  migratePostgres,
  openPool,
  PostgresExecutor,
  postgresSchemaVersion,
  stalePreparedStatement,
} from './postgres-connection.js';
import { RowIntegrity, type RowAuthenticator } from './row-integrity.js';
import { SqlRows } from './sql-rows.js';
import type { Scope, Storage, StorageWriter, TransactionHook, TransactionOptions } from './storage.js';
import { assertNotInTransaction, runAsTransaction } from './transaction-scope.js';
import { ChangeNotices, changeChannel } from './postgres-change-notices.js';

export { parsePostgresUrl } from './postgres-connection.js';

async function lockParameterOn(client: pg.PoolClient, scope: Scope, name: string): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
    `${scope.account}:${scope.region}:${name}`,
  ]);
}

/** Storage on a PostgreSQL database. */
export class PostgresStorage extends SqlRows implements Storage {
  readonly kind = 'postgres' as const;
  private hook: TransactionHook | undefined;
  private readonly notices: ChangeNotices;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string | undefined,
    private readonly rowIntegrity: RowIntegrity,
  ) {
    super(
      new PostgresExecutor(pool),
      async () => {
        throw new Error('lockParameter needs a transaction');
      },
      rowIntegrity,
    );
    this.notices = new ChangeNotices(pool, changeChannel(schema));
  }

  useIntegrity(authenticator: RowAuthenticator): void {
    this.rowIntegrity.use(authenticator);
  }

  useTransactionHook(hook: TransactionHook): void {
    this.hook = hook;
  }

  watchChanges(listener: () => void): () => void {
    return this.notices.watch(listener);
  }

  /** Connects a pool to `url` (postgres://...); tables go in `?schema=` when given. */
  static async open(url: string, poolSize = 10): Promise<PostgresStorage> {
    const { pool, schema } = await openPool(url, poolSize);
    return new PostgresStorage(pool, schema, new RowIntegrity());
  }

  schemaVersion(): Promise<number> {
    return postgresSchemaVersion(this.pool);
  }

  migrate(): Promise<void> {
    return migratePostgres(this.pool, this.schema, this.rowIntegrity);
  }

  async transaction<T>(work: (tx: StorageWriter) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    assertNotInTransaction();
    // Set by the hook (inside the work's closure), told how the transaction ended.
    const after: { settled?: ((committed: boolean) => void) | undefined } = {};
    const client = await this.pool.connect();
    let failure: unknown;
    try {
      await client.query('BEGIN');
      if (options.sync === false) await client.query('SET LOCAL synchronous_commit = off');
      const rows = new SqlRows(
        new PostgresExecutor(client),
        (scope, name) => lockParameterOn(client, scope, name),
        this.rowIntegrity,
        // Delivered to every node's listener when (and only if) the transaction commits.
        async () => {
          await client.query('SELECT pg_notify($1, $2)', [this.notices.channel, '']);
        },
      );
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
      failure = error;
      throw error;
    } finally {
      // A connection whose prepared statements went stale is not handed out again (pg-pool
      // already drops one after an error outside a transaction).
      client.release(stalePreparedStatement(failure) ? (failure as Error) : undefined);
    }
  }

  async close(): Promise<void> {
    await this.notices.close();
    await this.pool.end();
  }
}
