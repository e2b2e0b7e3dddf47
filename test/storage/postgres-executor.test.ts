/**
 * PostgresExecutor's prepared statements: one name per text, prepared once per connection; off
 * for the audit trail's storage; a failure, or a transaction rolled back, leaves later runs working.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { PostgresExecutor } from '../../src/storage/postgres-connection.js';
import { POSTGRES_BASE_URL, POSTGRES_SKIP } from '../helpers/test-stores.js';

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
});
