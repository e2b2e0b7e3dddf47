/**
 * What both SQLite files (the store and its audit trail) share: how a connection is opened, an
 * executor that prepares each statement once, and where reads outside transactions run.
 */
import Database from 'better-sqlite3';
import type { SqlExecutor } from './sql-executor.js';

const BUSY_TIMEOUT_MS = 15_000;

/**
 * A connection in WAL mode: the writer commits with synchronous=FULL, the reader only reads.
 * `pageSize` applies to a file not yet written (it must be set before WAL mode starts).
 */
export function openConnection(path: string, role: 'writer' | 'reader', pageSize?: number): Database.Database {
  const db = new Database(path);
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  if (role === 'writer') {
    if (pageSize !== undefined) db.pragma(`page_size = ${pageSize}`);
    db.pragma('journal_mode = WAL');
    // FULL: a commit is on disk before it is acknowledged, so a SIGKILL or power loss loses
    // no acknowledged write.
    db.pragma('synchronous = FULL');
  } else {
    db.pragma('query_only = ON');
  }
  return db;
}

/** Runs SQL on one better-sqlite3 connection, caching prepared statements by text. */
export class SqliteExecutor implements SqlExecutor {
  private readonly statements = new Map<string, Database.Statement>();
  /** The same texts prepared again in raw mode, for `rows`. */
  private readonly rawStatements = new Map<string, Database.Statement>();
  constructor(readonly db: Database.Database) {}

  /** Runs a statement without parameters (BEGIN, SAVEPOINT, PRAGMA...), prepared once. */
  control(sql: string): void {
    this.prepare(sql).run();
  }

  /** The statement for `sql`, prepared once per mode (a statement's raw mode is its own). */
  private prepare(sql: string, raw = false): Database.Statement {
    const cache = raw ? this.rawStatements : this.statements;
    let statement = cache.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      // raw() is refused on statements that return no rows (BEGIN, INSERT): only asked when wanted.
      if (raw) statement.raw(true);
      cache.set(sql, statement);
    }
    return statement;
  }

  async all<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
    return this.prepare(sql).all(...params) as T[];
  }

  async rows(sql: string, params: readonly unknown[]): Promise<unknown[][]> {
    return this.prepare(sql, true).all(...params) as unknown[][];
  }

  async run(sql: string, params: readonly unknown[]): Promise<number> {
    return this.prepare(sql).run(...params).changes;
  }

  /**
   * BLOBs as hex text: better-sqlite3 makes each BLOB a Buffer of its own (about 1.2 µs, and a
   * malloc the heap keeps), hex text costs a fifth of that and decodes into Node's pooled memory.
   */
  blobColumn(column: string): string {
    // hex() gives '' for NULL: NULL is kept NULL.
    return `CASE WHEN ${column} IS NULL THEN NULL ELSE hex(${column}) END`;
  }
}

/**
 * Where reads outside transactions run: on the writer connection while it is between
 * transactions (it sees exactly what is committed, and its page cache stays warm: a second
 * connection throws its whole cache away after every commit it did not make, and pays for it
 * on the next read), else on the read-only reader. Writes never come here; on the reader,
 * which is query_only, they would fail.
 */
export class IdleWriterReads implements SqlExecutor {
  constructor(
    private readonly reader: SqliteExecutor,
    private readonly writer: SqliteExecutor,
  ) {}

  /** The writer while it is between transactions, else the reader. */
  private get idle(): SqliteExecutor {
    return this.writer.db.inTransaction ? this.reader : this.writer;
  }

  all<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
    return this.idle.all<T>(sql, params);
  }

  rows(sql: string, params: readonly unknown[]): Promise<unknown[][]> {
    return this.idle.rows(sql, params);
  }

  run(sql: string, params: readonly unknown[]): Promise<number> {
    return this.reader.run(sql, params);
  }

  blobColumn(column: string): string {
    return this.writer.blobColumn(column);
  }
}
