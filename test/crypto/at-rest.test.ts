/**
 * What an attacker with the database sees: no plaintext value of any parameter (SecureString
 * or not) and no key bytes, in the SQLite file (with its WAL) or the PostgreSQL tables; and a
 * ciphertext tampered with or swapped between rows fails with a clear integrity error.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openCoffer } from '../../src/bootstrap/open-coffer.js';
import { sqlitePath } from '../../src/storage/open-storage.js';
import { expectError } from '../helpers/expect-error.js';
import { BACKENDS, ctx, queryPostgres, rawSql, testLocation, type TestLocation } from '../helpers/test-stores.js';

async function rawDump(location: TestLocation): Promise<Buffer> {
  if (location.backend === 'sqlite') {
    const file = sqlitePath(location.dataDir);
    return Buffer.concat([file, `${file}-wal`].filter(existsSync).map((f) => readFileSync(f)));
  }
  const tables = [
    'coffer_meta',
    'kms_keys',
    'kms_key_materials',
    'kms_aliases',
    'ssm_parameters',
    'ssm_parameter_versions',
    'ssm_parameter_labels',
    'resource_tags',
  ];
  const rows = await Promise.all(
    tables.map((t) => queryPostgres<{ r: string }>(location.schema!, `SELECT row_to_json(t)::text AS r FROM ${t} t`)),
  );
  return Buffer.from(
    rows
      .flat()
      .map((r) => r.r)
      .join('\n'),
  );
}

for (const backend of BACKENDS) {
  describe(`at rest: ${backend}`, () => {
    it('holds no plaintext value and no key bytes anywhere in the store', async () => {
      const masterKey = randomBytes(32);
      const location = testLocation(backend);
      const coffer = await openCoffer(location.settings(), { COFFER_MASTER_KEY: masterKey.toString('base64') });
      const secrets = Array.from({ length: 30 }, () => `pl41n-${randomBytes(12).toString('hex')}`);
      for (const [i, secret] of secrets.entries()) {
        const type = (['SecureString', 'String', 'StringList'] as const)[i % 3];
        await coffer.parameters.putParameter(ctx, { Name: `/rest/p${i}`, Value: secret, Type: type });
        await coffer.parameters.putParameter(ctx, { Name: `/rest/p${i}`, Value: `${secret}-v2`, Overwrite: true });
      }
      await coffer.close();
      const dump = await rawDump(location);
      assert.ok(dump.includes('/rest/p1'), 'the dump holds the rows');
      for (const secret of secrets) {
        assert.ok(!dump.includes(secret), `plaintext ${secret} found at rest`);
        assert.ok(
          !dump.includes(Buffer.from(secret).toString('base64').slice(0, 20)),
          'base64 plaintext found at rest',
        );
      }
      assert.ok(!dump.includes(masterKey), 'raw master key found at rest');
      assert.ok(!dump.includes(masterKey.toString('base64')), 'base64 master key found at rest');
      await location.destroy();
    });

    it('refuses to open a value moved to another row, and a truncated value', async () => {
      const env = { COFFER_MASTER_KEY: randomBytes(32).toString('base64') };
      const location = testLocation(backend);
      const coffer = await openCoffer(location.settings(), env);
      await coffer.parameters.putParameter(ctx, { Name: '/swap/a', Value: 'alpha', Type: 'SecureString' });
      await coffer.parameters.putParameter(ctx, { Name: '/swap/b', Value: 'bravo', Type: 'SecureString' });
      await coffer.parameters.putParameter(ctx, { Name: '/swap/c', Value: 'one', Type: 'SecureString' });
      await coffer.parameters.putParameter(ctx, { Name: '/swap/c', Value: 'two', Overwrite: true });
      await coffer.close();
      await rawSql(
        location,
        `UPDATE ssm_parameter_versions SET value = (SELECT value FROM ssm_parameter_versions WHERE name = '/swap/b') ` +
          `WHERE name = '/swap/a'`,
      );
      await rawSql(
        location,
        `UPDATE ssm_parameter_versions SET value = (SELECT value FROM ssm_parameter_versions WHERE name = '/swap/c' ` +
          `AND version = 1) WHERE name = '/swap/c' AND version = 2`,
      );
      const flip =
        backend === 'sqlite'
          ? `UPDATE ssm_parameter_versions SET value = substr(value, 1, length(value) - 1) WHERE name = '/swap/b'`
          : `UPDATE ssm_parameter_versions SET value = substring(value from 1 for length(value) - 1) WHERE name = ` +
            `'/swap/b'`;
      await rawSql(location, flip);
      const reopened = await openCoffer(location.settings(), env);
      for (const name of ['/swap/a', '/swap/b', '/swap/c']) {
        // The row's MAC refuses it before its ciphertext is even opened (which would refuse it too).
        const error = await expectError(
          reopened.parameters.getParameter(ctx, { Name: name, WithDecryption: true }),
          'TAMPERED_ROW',
          /changed outside Coffer/,
        );
        assert.ok(!/alpha|bravo|one|two/.test(error.message));
      }
      await reopened.close();
      await location.destroy();
    });

    it(
      "refuses values of a key whose row was deleted behind Coffer's back, rather than skip the key's " + 'state',
      async () => {
        const env = { COFFER_MASTER_KEY: randomBytes(32).toString('base64') };
        const location = testLocation(backend);
        const coffer = await openCoffer(location.settings(), env);
        const key = await coffer.keyring.createKey(ctx, 'doomed');
        await coffer.parameters.putParameter(ctx, {
          Name: '/doomed/p',
          Value: 'doomed-value',
          Type: 'SecureString',
          KeyId: key.keyId,
        });
        await coffer.kms.disableKey(ctx, { KeyId: key.keyId });
        await coffer.close();
        await rawSql(location, `DELETE FROM kms_keys WHERE key_id = '${key.keyId}'`);
        const reopened = await openCoffer(location.settings(), env);
        const error = await expectError(
          reopened.parameters.getParameter(ctx, { Name: '/doomed/p', WithDecryption: true }),
          'InvalidCiphertextException',
        );
        assert.doesNotMatch(error.message, /doomed-value/);
        await reopened.close();
        await location.destroy();
      },
    );
  });
}

describe('data directory', () => {
  it('keeps the store and the key file together under COFFER_DATA_DIR', async () => {
    const location = testLocation('sqlite');
    const coffer = await openCoffer(location.settings(), {});
    await coffer.close();
    assert.ok(existsSync(join(location.dataDir, 'coffer.db')));
    assert.ok(existsSync(join(location.dataDir, 'master.key')));
    await location.destroy();
  });
});
