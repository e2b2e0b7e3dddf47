/**
 * The audit trail on PostgreSQL: its tables are the store's own (the store's migrations make
 * them; this storage only checks they ran), reached through a small pool of its own so the
 * ledger's thread can hold it. Appends
 * from every node are serialised by a transaction-scoped advisory lock, the chain lock.
 */
import type pg from 'pg';
import type { AuditStorage } from './audit-storage.js';
import type { AuditWriter } from './audit-rows.js';
import { openPool, PostgresExecutor, postgresSchemaVersion } from './postgres-connection.js';
import { AUDIT_OUTBOX_SCHEMA_VERSION } from './migrations.js';
import { RowIntegrity, type RowAuthenticator } from './row-integrity.js';
import { SqlAuditRows } from './sql-audit-rows.js';
import type { TransactionOptions } from './storage.js';

// Any constant works; it only has to differ from other applications' advisory lock keys.
const AUDIT_CHAIN_LOCK_KEY = 0x0c0ffe6;

export class PostgresAuditStorage extends SqlAuditRows implements AuditStorage {
  readonly kind = 'postgres' as const;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly rowIntegrity: RowIntegrity,
  ) {
    super(new PostgresExecutor(pool, false), rowIntegrity, async () => {
      throw new Error('lockChain needs a transaction');
    });
  }

  static async open(url: string, poolSize = 2): Promise<PostgresAuditStorage> {
    const { pool } = await openPool(url, poolSize);
    return new PostgresAuditStorage(pool, new RowIntegrity());
  }

  useIntegrity(authenticator: RowAuthenticator): void {
    this.rowIntegrity.use(authenticator);
  }

  /** The trail's tables are the store's (its migrations make them): checked, not made, here. */
  async migrate(): Promise<void> {
    const version = await postgresSchemaVersion(this.pool);
    if (version < AUDIT_OUTBOX_SCHEMA_VERSION) {
      throw new Error(
        `the store is at schema version ${version}: its migrations (${AUDIT_OUTBOX_SCHEMA_VERSION} and on) must run ` +
          `before its audit trail opens`,
      );
    }
  }

  async transaction<T>(work: (tx: AuditWriter) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      if (options.sync === false) await client.query('SET LOCAL synchronous_commit = off');
      const rows = new SqlAuditRows(new PostgresExecutor(client, false), this.rowIntegrity, async () => {
        await client.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_CHAIN_LOCK_KEY]);
      });
      const result = await work(rows);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * A transaction with an id commits with a record PostgreSQL flushes before answering, and with
   * it everything logged before (earlier commits made with synchronous_commit off).
   */
  async sync(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL synchronous_commit = on');
      await client.query('SELECT txid_current()');
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
