/**
 * The embedded store's audit trail: an SQLite file of its own beside the store's
 * (coffer-audit.db), in WAL mode, with a writer connection for transactions and a reader for
 * reads while one is open (as the store's own file: sqlite-connection.ts). Read events commit
 * without waiting for the disk unless asked (TransactionOptions.sync): they survive the process,
 * and a write's event is already durable in the store's outbox.
 */
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AuditStorage } from './audit-storage.js';
import type { AuditWriter } from './audit-rows.js';
import { AUDIT_FILE_MIGRATIONS_TABLE, LATEST_AUDIT_FILE_VERSION, auditFileMigrationStatements } from './migrations.js';
import { ensurePrivateDirectory, ensurePrivateFile } from './private-files.js';
import { RowIntegrity, type RowAuthenticator } from './row-integrity.js';
import { SerialQueue } from './serial-queue.js';
import { SqlAuditRows } from './sql-audit-rows.js';
import { IdleWriterReads, openConnection, SqliteExecutor } from './sqlite-connection.js';
import type { TransactionOptions } from './storage.js';

/** The trail's tables as the store's migration 7 left them (renamed), and their columns. */
const MOVED_TABLES: Readonly<Record<string, string>> = {
  audit_events:
    'seq, event_id, event_time, account, event_source, event_name, read_only, username, access_key_id, error_code, ' +
    'prev_hash, hash, record, principal, resources, mac',
  audit_resources: 'resource_name, seq, position, resource_type, arn, event_time, principal, read_only, succeeded',
  audit_index_state: 'id, indexed_through',
  audit_digests: 'digest_no, kind, created_at, first_seq, last_seq, head_hash, previous_hash, signature',
};

const AUDIT_PAGE_SIZE = 16 * 1024;

export class SqliteAuditStorage extends SqlAuditRows implements AuditStorage {
  readonly kind = 'sqlite' as const;
  private readonly writerRows: SqlAuditRows;
  private readonly queue = new SerialQueue();

  // SQLite's write lock serialises appends across processes: the chain lock has nothing to add.
  private constructor(
    private readonly reader: SqliteExecutor,
    private readonly writer: SqliteExecutor,
    private readonly rowIntegrity: RowIntegrity,
    private readonly storePath: string | undefined,
  ) {
    super(new IdleWriterReads(reader, writer), rowIntegrity, async () => {});
    this.writerRows = new SqlAuditRows(writer, rowIntegrity, async () => {});
  }

  /**
   * Opens (creating if needed) the audit file at `path`, 0600 in a 0700 directory; `storePath`
   * is the store whose trail from before the audit file existed migrate() takes over.
   */
  static open(path: string, storePath?: string): SqliteAuditStorage {
    ensurePrivateDirectory(dirname(path));
    ensurePrivateFile(path);
    // 16 KiB pages: a group of events is a few pages, so a commit is a few writes, not dozens.
    const writer = new SqliteExecutor(openConnection(path, 'writer', AUDIT_PAGE_SIZE));
    // Most commits need not wait for the disk (read events; a write's event is durable in the
    // store's outbox): NORMAL by default, FULL for the transactions that ask for it.
    writer.db.pragma('synchronous = NORMAL');
    return new SqliteAuditStorage(
      new SqliteExecutor(openConnection(path, 'reader')),
      writer,
      new RowIntegrity(),
      storePath,
    );
  }

  useIntegrity(authenticator: RowAuthenticator): void {
    this.rowIntegrity.use(authenticator);
  }

  migrate(): Promise<void> {
    return this.queue.run(async () => {
      const db = this.writer.db;
      db.exec('BEGIN IMMEDIATE');
      try {
        db.exec(
          `CREATE TABLE IF NOT EXISTS ${AUDIT_FILE_MIGRATIONS_TABLE} (version INTEGER PRIMARY KEY, applied_at ` +
            `INTEGER NOT NULL)`,
        );
        const { v } = db.prepare(`SELECT MAX(version) AS v FROM ${AUDIT_FILE_MIGRATIONS_TABLE}`).get() as {
          v: number | null;
        };
        if ((v ?? 0) > LATEST_AUDIT_FILE_VERSION)
          throw new Error(`the audit file has schema version ${v}, newer than this Coffer understands; upgrade Coffer`);
        for (let version = (v ?? 0) + 1; version <= LATEST_AUDIT_FILE_VERSION; version++) {
          for (const statement of auditFileMigrationStatements(version)) db.exec(statement);
          db.prepare(`INSERT INTO ${AUDIT_FILE_MIGRATIONS_TABLE} (version, applied_at) VALUES (?, ?)`).run(
            version,
            Date.now(),
          );
        }
        db.exec('COMMIT');
      } catch (error) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw error;
      }
      this.takeOverMovedTrail();
    });
  }

  /**
   * A store from before the audit file had its trail in its own file, renamed moved_* by the
   * store's migration 7: its rows come here (as they were, MACs and all, so the chain still
   * verifies), then the old tables go. Copying twice changes nothing, so a crash between the two
   * steps is mended at the next start. An audit file that holds events of its own already takes
   * nothing (two chains are never mixed): the old tables stay, to be looked at.
   */
  private takeOverMovedTrail(): void {
    if (!this.storePath || !existsSync(this.storePath)) return;
    const db = this.writer.db;
    db.prepare('ATTACH DATABASE ? AS store').run(this.storePath);
    try {
      const moved = (
        db
          .prepare(
            `SELECT name FROM store.sqlite_master WHERE type = 'table' AND name LIKE 'moved\\_audit\\_%' ESCAPE '\\'`,
          )
          .all() as { name: string }[]
      ).map((r) => r.name);
      if (moved.length === 0) return;
      db.exec('BEGIN IMMEDIATE');
      try {
        const own = db.prepare('SELECT MIN(seq) AS first FROM main.audit_events').get() as { first: number | null };
        const theirs = moved.includes('moved_audit_events')
          ? (db.prepare('SELECT MIN(seq) AS first FROM store.moved_audit_events').get() as { first: number | null })
          : { first: null };
        // Nothing to take, ours already (a copy cut short before its drop), or ours empty: take it; another chain:
        // leave it.
        if (theirs.first !== null && own.first !== null && own.first !== theirs.first) {
          db.exec('ROLLBACK');
          return;
        }
        for (const [table, columns] of Object.entries(MOVED_TABLES)) {
          if (moved.includes(`moved_${table}`))
            db.exec(`INSERT OR IGNORE INTO main.${table} (${columns}) SELECT ${columns} FROM store.moved_${table}`);
        }
        db.exec('COMMIT');
      } catch (error) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw error;
      }
      for (const table of moved) db.exec(`DROP TABLE IF EXISTS store.${table}`);
    } finally {
      db.exec('DETACH DATABASE store');
    }
  }

  transaction<T>(work: (tx: AuditWriter) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    return this.queue.run(async () => {
      const sync = options.sync !== false;
      const control = (sql: string) => this.writer.control(sql);
      if (sync) control('PRAGMA synchronous = FULL');
      try {
        control('BEGIN IMMEDIATE');
        try {
          const result = await work(this.writerRows);
          control('COMMIT');
          return result;
        } catch (error) {
          if (this.writer.db.inTransaction) control('ROLLBACK');
          throw error;
        }
      } finally {
        if (sync) control('PRAGMA synchronous = NORMAL');
      }
    });
  }

  /** A checkpoint syncs the log, then the database file (synchronous=NORMAL syncs at checkpoints only). */
  sync(): Promise<void> {
    return this.queue.run(async () => {
      this.writer.db.pragma('wal_checkpoint(PASSIVE)');
    });
  }

  async close(): Promise<void> {
    await this.queue.run(async () => {
      this.reader.db.close();
      this.writer.db.close();
    });
  }
}
