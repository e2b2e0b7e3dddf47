/**
 * The embedded storage backend: one SQLite file in WAL mode, through better-sqlite3.
 *
 * Two connections: a writer that runs transactions one at a time, committing concurrent ones
 * together (BEGIN IMMEDIATE takes the database write lock, so writers in other processes wait
 * on busy_timeout), and a reader for reads outside transactions, which in WAL mode sees only
 * committed data and never blocks on the writer.
 */
import { AsyncResource } from 'node:async_hooks';
import { dirname } from 'node:path';
import { LATEST_SCHEMA_VERSION, MIGRATIONS_TABLE, SQLITE_DIALECT, migrationStatements } from './migrations.js';
import { ensurePrivateDirectory, ensurePrivateFile } from './private-files.js';
import { RowIntegrity, type RowAuthenticator } from './row-integrity.js';
import { upgradeRows } from './row-upgrades.js';
import { SerialQueue } from './serial-queue.js';
import { IdleWriterReads, openConnection, SqliteExecutor } from './sqlite-connection.js';
import { SqlRows } from './sql-rows.js';
import type { Storage, StorageWriter, TransactionHook, TransactionOptions } from './storage.js';
import { assertNotInTransaction, runAsTransaction } from './transaction-scope.js';

/** Most transactions committed together. */
const MAX_BATCH = 64;

interface PendingTransaction {
  /** The work, bound to the async context of its caller (the batch runs in another one). */
  work: (tx: StorageWriter) => Promise<unknown>;
  /** Whether its commit must reach the disk before it is acknowledged. */
  sync: boolean;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Storage on an SQLite file. */
export class SqliteStorage extends SqlRows implements Storage {
  readonly kind = 'sqlite' as const;
  private readonly writer: SqliteExecutor;
  private readonly writerRows: SqlRows;
  private readonly queue = new SerialQueue();
  private readonly pending: PendingTransaction[] = [];
  private hook: TransactionHook | undefined;
  private readonly changeListeners = new Set<() => void>();

  // SQLite's own write lock serialises writers, so lockParameter has nothing to add.
  private constructor(
    private readonly reader: SqliteExecutor,
    writer: SqliteExecutor,
    private readonly rowIntegrity: RowIntegrity,
  ) {
    super(new IdleWriterReads(reader, writer), async () => {}, rowIntegrity);
    this.writer = writer;
    this.writerRows = new SqlRows(writer, async () => {}, rowIntegrity);
  }

  /**
   * Opens (creating if needed) the database file at `path`: its directory 0700 when created,
   * the file 0600 whatever the umask (SQLite gives its -wal and -shm files the file's mode).
   */
  static open(path: string): SqliteStorage {
    ensurePrivateDirectory(dirname(path));
    ensurePrivateFile(path);
    const writer = new SqliteExecutor(openConnection(path, 'writer'));
    return new SqliteStorage(new SqliteExecutor(openConnection(path, 'reader')), writer, new RowIntegrity());
  }

  useIntegrity(authenticator: RowAuthenticator): void {
    this.rowIntegrity.use(authenticator);
  }

  useTransactionHook(hook: TransactionHook): void {
    this.hook = hook;
  }

  /** This process's commits are the ones it can know of at once; the feed polls for the others'. */
  watchChanges(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  async schemaVersion(): Promise<number> {
    const table = this.writer.db
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?`)
      .get(MIGRATIONS_TABLE);
    if (!table) return 0;
    const row = this.writer.db.prepare(`SELECT MAX(version) AS v FROM ${MIGRATIONS_TABLE}`).get() as {
      v: number | null;
    };
    return row.v ?? 0;
  }

  async migrate(): Promise<void> {
    await this.queue.run(async () => {
      const db = this.writer.db;
      db.exec('BEGIN IMMEDIATE');
      try {
        db.exec(
          `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`,
        );
        for (let v = (await this.schemaVersion()) + 1; v <= LATEST_SCHEMA_VERSION; v++) {
          for (const statement of migrationStatements(v, SQLITE_DIALECT)) db.exec(statement);
          await upgradeRows(v, this.writer, this.rowIntegrity);
          db.prepare(`INSERT INTO ${MIGRATIONS_TABLE} (version, applied_at) VALUES (?, ?)`).run(v, Date.now());
        }
        db.exec('COMMIT');
      } catch (error) {
        db.exec('ROLLBACK');
        throw error;
      }
    });
  }

  /**
   * Group commit: transactions that queue up while one batch is running share the next
   * BEGIN IMMEDIATE ... COMMIT, each inside its own savepoint, so a batch costs one fsync.
   * A transaction that fails rolls back to its savepoint and leaves the others untouched; every
   * caller hears back only after the COMMIT that made its writes durable.
   */
  transaction<T>(work: (tx: StorageWriter) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    assertNotInTransaction();
    const hook = this.hook;
    // The batch runs in whichever caller's context began it: each work runs in its own caller's.
    const caller = new AsyncResource('coffer-transaction');
    // Set by the hook (inside the work's closure), told how the transaction ended.
    const after: { settled?: ((committed: boolean) => void) | undefined } = {};
    const bound = (tx: StorageWriter) =>
      caller.runInAsyncScope(() =>
        runAsTransaction(async () => {
          const result = await work(tx);
          if (hook) after.settled = await hook(tx);
          return result;
        }),
      );
    return new Promise<T>((resolve, reject) => {
      this.pending.push({
        work: bound,
        sync: options.sync !== false,
        resolve: (value) => {
          after.settled?.(true);
          resolve(value as T);
        },
        reject: (error) => {
          after.settled?.(false);
          reject(error);
        },
      });
      if (this.pending.length === 1) void this.queue.run(() => this.drain());
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      // Let pending I/O run first: requests that arrived while the last COMMIT was syncing
      // enqueue their transactions now and join this batch.
      await new Promise((resolve) => setImmediate(resolve));
      await this.commitBatch(this.pending.splice(0, MAX_BATCH));
    }
  }

  private async commitBatch(batch: PendingTransaction[]): Promise<void> {
    const db = this.writer.db;
    const control = (sql: string) => this.writer.control(sql);
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    // One transaction in the batch that must reach the disk makes the whole batch wait for it.
    const sync = batch.some((item) => item.sync);
    try {
      if (!sync) control('PRAGMA synchronous = NORMAL');
      control('BEGIN IMMEDIATE');
      for (const item of batch) {
        control('SAVEPOINT coffer_tx');
        try {
          const value = await item.work(this.writerRows);
          control('RELEASE coffer_tx');
          outcomes.push({ ok: true, value });
        } catch (error) {
          control('ROLLBACK TO coffer_tx');
          control('RELEASE coffer_tx');
          outcomes.push({ ok: false, error });
        }
      }
      control('COMMIT');
    } catch (error) {
      if (db.inTransaction) control('ROLLBACK');
      for (const item of batch) item.reject(error);
      return;
    } finally {
      if (!sync) control('PRAGMA synchronous = FULL');
    }
    if (outcomes.some((o) => o.ok)) for (const listener of this.changeListeners) listener();
    batch.forEach((item, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.error);
    });
  }

  async close(): Promise<void> {
    await this.queue.run(async () => {
      this.reader.db.close();
      this.writer.db.close();
    });
  }
}
