/**
 * What both PostgreSQL storages (the store and its audit trail, which share one database) use:
 * the pool, an executor with numbered placeholders, and the store's migrations.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { LATEST_SCHEMA_VERSION, MIGRATIONS_TABLE, POSTGRES_DIALECT, migrationStatements } from './migrations.js';
import type { RowIntegrity } from './row-integrity.js';
import { upgradeRows } from './row-upgrades.js';
import type { SqlExecutor } from './sql-executor.js';

// Any constant works; it only has to differ from other applications' advisory lock keys.
const MIGRATION_LOCK_KEY = 0x0c0ffe5;

/**
 * A statement as pg runs it: its text with `$1, $2, ...` for Coffer's `?` placeholders (no Coffer
 * query has a literal `?`), and its name, so each connection parses it once and then only binds
 * it (a named prepared statement; pg prepares it on a connection's first use, and the server
 * keeps it for the connection's life). A name is a digest of the text, not a counter, so one name
 * means one statement in every process and version: a pooler that mixed up sessions would make a
 * run fail (no such statement) rather than bind the values to another process's SQL. The texts
 * are Coffer's own, with placeholders for every value. A text with an IN list of placeholders has
 * one spelling per list length, so it has no name rather than filling every connection with its
 * variants; names are capped too.
 */
interface Statement {
  readonly text: string;
  /** Decided on the first prepared run: null for a text that runs unnamed. */
  name?: string | null;
}

const statements = new Map<string, Statement>();
let named = 0;
const MAX_NAMED_STATEMENTS = 500;
const PLACEHOLDER_LIST = /\bIN \(\?/;

function statementOf(sql: string): Statement {
  let statement = statements.get(sql);
  if (statement === undefined) {
    let n = 0;
    statement = { text: sql.replace(/\?/g, () => `$${++n}`) };
    statements.set(sql, statement);
  }
  return statement;
}

function nameOf(sql: string, statement: Statement): string | undefined {
  if (statement.name === undefined) {
    const nameable = named < MAX_NAMED_STATEMENTS && !PLACEHOLDER_LIST.test(sql);
    if (nameable) named++;
    statement.name = nameable
      ? `coffer_${createHash('sha256').update(statement.text).digest('hex').slice(0, 32)}`
      : null;
  }
  return statement.name ?? undefined;
}

/**
 * Whether `error` says a connection's prepared statement is no longer usable: its result's shape
 * changed under it (another node's migration changed a column's type), or it is gone. pg would
 * keep running it by name on that connection, failing each time, so the connection is dropped.
 */
export function stalePreparedStatement(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '0A000' || code === '26000';
}

/**
 * Runs SQL on a pool or on one checked-out client. `prepared`: each statement is prepared once per
 * connection, and after five runs PostgreSQL may keep one generic plan for it (the saving: a point
 * read 131 -> 87 µs warm). That suits the store's statements, which find rows by key or walk a
 * key's range in order with a limit (their generic plans are the same index scans: BENCHMARKS.md).
 * The audit trail's lookups filter by time ranges whose best plan depends on the values, so the
 * trail's storage leaves `prepared` off and each of its statements is planned for its values.
 */
export class PostgresExecutor implements SqlExecutor {
  constructor(
    private readonly target: pg.Pool | pg.PoolClient,
    private readonly prepared = true,
  ) {}

  #config(sql: string, params: readonly unknown[]): pg.QueryConfig {
    const statement = statementOf(sql);
    return {
      name: this.prepared ? nameOf(sql, statement) : undefined,
      text: statement.text,
      values: params as unknown[],
    };
  }

  async all<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
    return (await this.target.query(this.#config(sql, params))).rows as T[];
  }

  async rows(sql: string, params: readonly unknown[]): Promise<unknown[][]> {
    return (await this.target.query({ ...this.#config(sql, params), rowMode: 'array' })).rows;
  }

  async run(sql: string, params: readonly unknown[]): Promise<number> {
    return (await this.target.query(this.#config(sql, params))).rowCount ?? 0;
  }
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

/** A pool on `url` (postgres://...), its tables in `?schema=` when given; answers once connected. */
export async function openPool(url: string, size: number): Promise<{ pool: pg.Pool; schema: string | undefined }> {
  const { connectionString, schema } = parsePostgresUrl(url);
  const pool = new pg.Pool({ connectionString, max: size, options: schema ? `-c search_path=${schema}` : undefined });
  // A broken idle connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }
  return { pool, schema };
}

/** The highest applied migration of the store on `pool`, 0 for an empty one. */
export async function postgresSchemaVersion(pool: pg.Pool): Promise<number> {
  const found = await pool.query(`SELECT to_regclass($1) AS t`, [MIGRATIONS_TABLE]);
  if (!found.rows[0].t) return 0;
  const row = await pool.query(`SELECT MAX(version) AS v FROM ${MIGRATIONS_TABLE}`);
  return Number(row.rows[0].v ?? 0);
}

/** Applies the store's pending migrations; safe from several processes at once (an advisory lock). */
export async function migratePostgres(
  pool: pg.Pool,
  schema: string | undefined,
  integrity: RowIntegrity,
): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`,
    );
    const row = await client.query(`SELECT MAX(version) AS v FROM ${MIGRATIONS_TABLE}`);
    for (let v = Number(row.rows[0].v ?? 0) + 1; v <= LATEST_SCHEMA_VERSION; v++) {
      for (const statement of migrationStatements(v, POSTGRES_DIALECT)) await client.query(statement);
      await upgradeRows(v, new PostgresExecutor(client, false), integrity);
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
