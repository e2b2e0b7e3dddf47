/**
 * PostgresExecutor's prepared statements: one name per text, prepared once per connection; off
 * for the audit trail's storage; a failure, or a transaction rolled back, leaves later runs working.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { PostgresExecutor, stalePreparedStatement } from '../../src/storage/postgres-connection.js';
import { PostgresStorage } from '../../src/storage/postgres-storage.js';
import { RowIntegrity } from '../../src/storage/row-integrity.js';
import { SqlParameterRows } from '../../src/storage/sql-parameter-rows.js';
import type { SqlExecutor } from '../../src/storage/sql-executor.js';
import { postgresExecutor } from '../helpers/raw-executors.js';
import { POSTGRES_BASE_URL, POSTGRES_SKIP, ctx, testLocation } from '../helpers/test-stores.js';
import { testRowAuthenticator } from '../helpers/row-authenticator.js';

describe('PostgresExecutor', { skip: POSTGRES_SKIP }, () => {
  let client: pg.Client;
  before(async () => {
    client = new pg.Client({ connectionString: POSTGRES_BASE_URL });
    await client.connect();
    await client.query('CREATE TEMPORARY TABLE executor_rows (k TEXT PRIMARY KEY, v INTEGER NOT NULL)');
  });
  after(async () => {
    await client.end();
  });

  /** The statements this session has prepared through the protocol, by text. */
  const preparedTexts = async () =>
    (await client.query('SELECT statement FROM pg_prepared_statements WHERE NOT from_sql')).rows.map(
      (r: { statement: string }) => r.statement,
    );
  const executor = (prepared?: boolean) =>
    new PostgresExecutor(client as unknown as pg.PoolClient, ...(prepared === undefined ? [] : [prepared]));

  it('prepares a statement once and runs it again by name, with each run’s values', async () => {
    const sql = executor();
    await sql.run('INSERT INTO executor_rows (k, v) VALUES (?, ?)', ['a', 1]);
    await sql.run('INSERT INTO executor_rows (k, v) VALUES (?, ?)', ['b', 2]);
    const texts = await preparedTexts();
    assert.equal(texts.filter((t) => t === 'INSERT INTO executor_rows (k, v) VALUES ($1, $2)').length, 1);
    assert.deepEqual(await sql.all('SELECT v AS "v" FROM executor_rows WHERE k = ?', ['b']), [{ v: 2 }]);
    assert.deepEqual(await sql.rows('SELECT k, v FROM executor_rows WHERE k = ?', ['a']), [['a', 1]]);
    // The same text in array mode and in object mode is one statement.
    assert.deepEqual(await sql.all('SELECT k, v FROM executor_rows WHERE k = ?', ['a']), [{ k: 'a', v: 1 }]);
    assert.equal((await preparedTexts()).filter((t) => t.startsWith('SELECT k, v FROM executor_rows')).length, 1);
  });

  it('runs a statement with an IN list of placeholders unnamed (a spelling per list length)', async () => {
    const before = (await preparedTexts()).length;
    const sql = executor();
    assert.deepEqual(await sql.all('SELECT k AS "k" FROM executor_rows WHERE k IN (?, ?) ORDER BY k', ['a', 'b']), [
      { k: 'a' },
      { k: 'b' },
    ]);
    assert.equal((await preparedTexts()).length, before);
  });

  it('prepares nothing when asked not to (the audit trail’s storage)', async () => {
    const before = (await preparedTexts()).length;
    const sql = executor(false);
    assert.equal(await sql.run('UPDATE executor_rows SET v = v + ? WHERE k = ?', [10, 'a']), 1);
    assert.deepEqual(await sql.all('SELECT v AS "v" FROM executor_rows WHERE k = ? AND v > ?', ['a', 5]), [{ v: 11 }]);
    assert.equal((await preparedTexts()).length, before);
  });

  it('keeps working after a statement fails to prepare or to run, and after a rollback', async () => {
    const sql = executor();
    await assert.rejects(sql.all('SELECT v FROM executor_missing WHERE k = ?', ['a']), /executor_missing/);
    await assert.rejects(sql.run('INSERT INTO executor_rows (k, v) VALUES (?, ?)', ['a', 3]), /duplicate key/);
    await client.query('BEGIN');
    await sql.run('DELETE FROM executor_rows WHERE k = ? AND v < ?', ['b', 100]);
    await client.query('ROLLBACK');
    // Prepared inside the rolled-back transaction: still there, and the row it deleted is back.
    assert.equal(await sql.run('DELETE FROM executor_rows WHERE k = ? AND v < ?', ['b', 0]), 0);
    assert.deepEqual(await sql.all('SELECT v AS "v" FROM executor_rows WHERE k = ?', ['b']), [{ v: 2 }]);
  });

  it('says when a prepared statement went stale under a changed column type', async () => {
    const sql = executor();
    await sql.all('SELECT k, v FROM executor_rows WHERE k = ? AND v >= ?', ['a', 0]);
    await client.query('ALTER TABLE executor_rows ALTER COLUMN v TYPE BIGINT');
    const error = await sql.all('SELECT k, v FROM executor_rows WHERE k = ? AND v >= ?', ['a', 0]).catch((e) => e);
    assert.equal(stalePreparedStatement(error), true, String(error));
    assert.equal(stalePreparedStatement(new Error('other')), false);
  });
});

/**
 * Runs `work` on a migrated PostgreSQL test store with a pool of one connection (so a connection
 * handed back is the next one used), and the store's executor on a connection of the test's own.
 */
async function onStore(work: (storage: PostgresStorage, sql: SqlExecutor) => Promise<void>): Promise<void> {
  const location = testLocation('postgres');
  const storage = await PostgresStorage.open(location.databaseUrl!, 1);
  const raw = postgresExecutor(location);
  try {
    storage.useIntegrity(testRowAuthenticator());
    await storage.migrate();
    await work(storage, raw.executor);
  } finally {
    await storage.close();
    await raw.close();
    await location.destroy();
  }
}

describe('PostgresStorage with stale prepared statements', { skip: POSTGRES_SKIP }, () => {
  it('drops the connection a failed transaction found stale, so the next one prepares again', () =>
    onStore(async (storage, sql) => {
      const read = () => storage.transaction((tx) => tx.getLatestVersion(ctx, '/stale/none'));
      assert.equal(await read(), undefined);
      // Another node's migration changing a column's type (Coffer's never do: they add).
      await sql.run('ALTER TABLE ssm_parameter_versions ALTER COLUMN last_modified_user TYPE VARCHAR', []);
      await assert.rejects(read(), (error) => stalePreparedStatement(error));
      assert.equal(await read(), undefined);
      assert.equal(await read(), undefined);
    }));
});

describe('PostgreSQL listing plan', { skip: POSTGRES_SKIP }, () => {
  it('reads one version per parameter listed, however many each keeps', () =>
    onStore(async (_storage, sql) => {
      // Rows by SQL (a table large enough that PostgreSQL plans as for a real store): the plan is
      // what is checked, so the recorder below returns none of them to be read and MAC-checked.
      await sql.run(
        `INSERT INTO ssm_parameter_versions (account, region, name, version, type, key_id, tier, data_type, value,
           last_modified_date, last_modified_user)
         SELECT ?, ?, '/plan/p' || lpad(i::text, 4, '0'), v, 'String', NULL, 'Standard', 'text',
           decode(repeat('ab', 60), 'hex'), 1, 'u'
         FROM generate_series(1, 5000) i, generate_series(1, 30) v`,
        [ctx.account, ctx.region],
      );
      await sql.run(
        `INSERT INTO ssm_parameters (account, region, name, version)
         SELECT ?, ?, '/plan/p' || lpad(i::text, 4, '0'), 30 FROM generate_series(1, 5000) i`,
        [ctx.account, ctx.region],
      );
      await sql.run('ANALYZE', []);
      // The listing's own SQL, each statement explained as it runs.
      const versionsRead: number[] = [];
      const recorder = Object.assign(Object.create(sql), {
        async rows(text: string, params: readonly unknown[]) {
          const [plan] = await sql.all<{ 'QUERY PLAN': unknown }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${text}`, params);
          versionsRead.push(rowsOf(plan!['QUERY PLAN'], 'ssm_parameter_versions'));
          return [];
        },
      });
      const integrity = new RowIntegrity();
      integrity.use(testRowAuthenticator());
      const rows = new SqlParameterRows(recorder, integrity, async () => {});
      await rows.listLatest(ctx, { prefix: '/plan/', after: '/plan/p0100', limit: 11 });
      // 11 versions, one per parameter listed: not all 30 each keeps (330), nor the table (a guard:
      // the plan must not depend on the planner's view of the two ranges).
      assert.deepEqual(versionsRead, [11]);
    }));
});

/** Rows the plan's scans of `table` returned, over all their loops. */
function rowsOf(plan: unknown, table: string): number {
  if (Array.isArray(plan)) return plan.reduce((sum: number, p) => sum + rowsOf(p, table), 0);
  if (typeof plan !== 'object' || plan === null) return 0;
  const node = plan as Record<string, unknown>;
  const own = node['Relation Name'] === table ? Number(node['Actual Rows']) * Number(node['Actual Loops']) : 0;
  return own + rowsOf(node.Plan, table) + rowsOf(node.Plans, table);
}
