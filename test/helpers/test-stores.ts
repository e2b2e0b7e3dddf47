/**
 * Throwaway stores for tests: a SQLite file in a fresh temporary directory, or a fresh
 * PostgreSQL schema on 127.0.0.1:5432 (dropped afterwards), so runs never collide.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { openCoffer, type Coffer } from '../../src/bootstrap/open-coffer.js';
import type { CofferSettings } from '../../src/bootstrap/settings.js';
import type { RequestContext } from '../../src/engine/request-context.js';
import type { ParameterStore } from '../../src/engine/ssm/parameter-store.js';

export const POSTGRES_BASE_URL = process.env.COFFER_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export type BackendName = 'sqlite' | 'postgres';
/** Set (to the reason) when PostgreSQL is down and its suites are skipped: `{ skip: POSTGRES_SKIP }`. */
export const POSTGRES_SKIP: string | false =
  process.env.COFFER_TEST_POSTGRES === 'off' ? 'PostgreSQL does not answer' : false;

/** The backends the suites run on: PostgreSQL too, unless the runner found it down (scripts/run-tests.ts). */
export const BACKENDS: readonly BackendName[] =
  process.env.COFFER_TEST_POSTGRES === 'off' ? ['sqlite'] : ['sqlite', 'postgres'];

export const ctx: RequestContext = {
  account: '123456789012',
  region: 'us-east-1',
  principalArn: 'arn:aws:iam::123456789012:root',
};

/** Where one test store lives, and how to remove it. */
export interface TestLocation {
  readonly backend: BackendName;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly schema: string | undefined;
  settings(): CofferSettings;
  /** Environment variables that point a child process (or the CLI) at this store. */
  env(): Record<string, string>;
  destroy(): Promise<void>;
}

/** A fresh, empty location on a backend. */
export function testLocation(backend: BackendName): TestLocation {
  const dataDir = mkdtempSync(join(tmpdir(), 'coffer-test-'));
  const schema = backend === 'postgres' ? `coffer_t_${randomBytes(6).toString('hex')}` : undefined;
  const databaseUrl = schema ? `${POSTGRES_BASE_URL}?schema=${schema}` : undefined;
  return {
    backend,
    dataDir,
    databaseUrl,
    schema,
    settings: () => ({ dataDir, databaseUrl, account: ctx.account, region: ctx.region }),
    env: () => ({
      COFFER_DATA_DIR: dataDir,
      ...(databaseUrl ? { COFFER_DATABASE_URL: databaseUrl } : {}),
      COFFER_ACCOUNT_ID: ctx.account,
      COFFER_REGION: ctx.region,
    }),
    async destroy() {
      rmSync(dataDir, { recursive: true, force: true });
      if (schema) await dropSchema(schema);
    },
  };
}

/** Removes a test schema. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_BASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

/** Runs one query against a test schema (for looking at raw rows). */
export async function queryPostgres<T>(schema: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: POSTGRES_BASE_URL, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/**
 * Runs SQL on a test store behind Coffer's back, as an attacker with the database would (on
 * SQLite, `file` says which: the store's, or its audit trail's).
 */
export async function rawSql(location: TestLocation, sql: string, file = 'coffer.db'): Promise<void> {
  if (location.backend === 'sqlite') {
    const db = new Database(join(location.dataDir, file));
    try {
      db.exec(sql);
    } finally {
      db.close();
    }
  } else {
    await queryPostgres(location.schema!, sql);
  }
}

/** Runs SQL on a test store's audit trail behind Coffer's back (its own file on SQLite, the same schema on PostgreSQL).
 * */
export function rawAuditSql(location: TestLocation, sql: string): Promise<void> {
  return rawSql(location, sql, 'coffer-audit.db');
}

/** An open Coffer on a fresh location; `done` closes and removes it. */
export async function freshCoffer(
  backend: BackendName,
  env: NodeJS.ProcessEnv = {},
): Promise<{ coffer: Coffer; location: TestLocation; done(): Promise<void> }> {
  const location = testLocation(backend);
  const coffer = await openCoffer(location.settings(), env);
  return {
    coffer,
    location,
    async done() {
      await coffer.close();
      await location.destroy();
    },
  };
}

/** Registers before/after hooks that give the enclosing suite a fresh ParameterStore. */
export function useParameterStore(backend: BackendName): { readonly store: ParameterStore } {
  const fixture = {} as { store: ParameterStore; done?: () => Promise<void> };
  before(async () => {
    const fresh = await freshCoffer(backend);
    fixture.store = fresh.coffer.parameters;
    fixture.done = fresh.done;
  });
  after(() => fixture.done?.());
  return fixture;
}
