/**
 * Conformance cases of a store's life and its row integrity: schema versions and migration,
 * sealing only once integrity is set, closing, refusing rows changed behind Coffer's back in
 * every sealed table, and the upgrade that seals rows written before integrity existed.
 */
import assert from 'node:assert/strict';
import { LATEST_SCHEMA_VERSION } from '../../../src/storage/migrations.js';
import { RowIntegrity, SEALED_COLUMNS, TamperedRowError } from '../../../src/storage/row-integrity.js';
import { sealExistingRows } from '../../../src/storage/row-upgrades.js';
import type { Storage, StorageWriter } from '../../../src/storage/storage.js';
import { testRowAuthenticator } from '../../helpers/row-authenticator.js';
import type { Exercise } from './exercise.js';
import { put, row, scope } from './fixtures.js';

/** How to write a row of one sealed table, change it behind Coffer's back, and read it. */
interface TamperCase {
  write(tx: StorageWriter): Promise<void>;
  tamper: string;
  read(storage: Storage): Promise<unknown>;
}

const user = {
  account: scope.account,
  kind: 'user' as const,
  name: 'eve',
  id: 'AIDAEVE',
  arn: 'arn:aws:iam::1:user/eve',
  path: '/',
  createdAt: 1,
  attributes: '{}',
};

/** One case per sealed table but the audit's (whose readers report instead of refusing: audit-cases.ts). */
const TAMPER_CASES: Record<string, TamperCase> = {
  ssm_parameters: {
    write: async (tx) => {
      for (const version of [1, 2]) await tx.insertVersion(scope, row('/t', version));
      await tx.setLatestVersion(scope, '/t', 2);
    },
    tamper: `UPDATE ssm_parameters SET version = 1 WHERE name = '/t'`,
    read: (s) => s.listLatest(scope, { prefix: '/t', limit: 5 }),
  },
  ssm_parameter_versions: {
    write: (tx) => tx.insertVersion(scope, row('/v', 1)),
    tamper: `UPDATE ssm_parameter_versions SET allowed_pattern = '.*' WHERE name = '/v'`,
    read: (s) => s.getVersion(scope, '/v', 1),
  },
  ssm_parameter_labels: {
    write: (tx) => tx.putLabel(scope, '/t', 'prod', 2),
    tamper: `UPDATE ssm_parameter_labels SET version = 1 WHERE label = 'prod'`,
    read: (s) => s.listLabels(scope, '/t'),
  },
  resource_tags: {
    write: (tx) => tx.putTag(scope, 'Parameter', { resourceId: '/t', key: 'classification', value: 'restricted' }),
    tamper: `UPDATE resource_tags SET tag_value = 'open' WHERE resource_id = '/t'`,
    read: (s) => s.listTags(scope, 'Parameter', ['/t']),
  },
  iam_access_keys: {
    write: (tx) =>
      tx.insertAccessKey({
        accessKeyId: 'AKIAT',
        account: scope.account,
        principalArn: user.arn,
        ownerId: user.id,
        secretSealed: Buffer.from('s'),
        status: 'Inactive',
        createdAt: 1,
      }),
    tamper: `UPDATE iam_access_keys SET status = 'Active' WHERE access_key_id = 'AKIAT'`,
    read: (s) => s.listAccessKeys(user.arn),
  },
  iam_entities: {
    write: (tx) => tx.putIamEntity(user),
    tamper: `UPDATE iam_entities SET entity_id = 'AIDAADMIN' WHERE name = 'eve'`,
    read: (s) => s.findIamEntityFolded(scope.account, 'user', 'EVE'),
  },
  iam_documents: {
    write: (tx) =>
      tx.putIamDocument({
        ownerArn: user.arn,
        docKind: 'inline',
        docName: 'deny',
        account: scope.account,
        document: '{"Effect":"Deny"}',
        createdAt: 1,
      }),
    tamper: `UPDATE iam_documents SET document = '{"Effect":"Allow"}' WHERE doc_name = 'deny'`,
    read: (s) => s.listIamDocuments(user.arn, 'inline'),
  },
  iam_links: {
    write: (tx) =>
      tx.putIamLink({
        link: 'member',
        fromArn: 'arn:aws:iam::1:group/readers',
        toArn: user.arn,
        account: scope.account,
      }),
    tamper: `UPDATE iam_links SET from_arn = 'arn:aws:iam::1:group/admins' WHERE to_arn = '${user.arn}'`,
    read: (s) => s.listIamLinks('member', { toArn: user.arn }),
  },
  kms_keys: {
    write: (tx) =>
      tx.insertKey({
        keyId: 'kt',
        ...scope,
        description: '',
        keyManager: 'CUSTOMER',
        createdAt: 1,
        currentMaterial: 1,
        enabled: false,
        attributes: null,
      }),
    tamper: `UPDATE kms_keys SET enabled = 1 WHERE key_id = 'kt'`,
    read: (s) => s.listKeys(),
  },
  kms_aliases: {
    write: async (tx) => {
      await tx.insertAlias({ ...scope, aliasName: 'alias/t', keyId: 'kt' });
    },
    tamper: `UPDATE kms_aliases SET key_id = 'other' WHERE alias_name = 'alias/t'`,
    read: (s) => s.listAliases(),
  },
  sm_secrets: {
    write: (tx) =>
      tx.putSecret(scope, { name: 'st', arn: 'arn:st', createdAt: 1, attributes: '{"policy":"deny"}', purgeAt: null }),
    tamper: `UPDATE sm_secrets SET attributes = '{}' WHERE name = 'st'`,
    read: (s) => s.getSecret(scope, 'st'),
  },
  sm_secret_versions: {
    write: (tx) =>
      tx.insertSecretVersion(scope, 'st', {
        versionId: 'v1',
        createdAt: 1,
        kind: 'string',
        value: Buffer.from('sealed'),
        fingerprint: 'f',
      }),
    tamper: `UPDATE sm_secret_versions SET fingerprint = 'g' WHERE version_id = 'v1'`,
    read: (s) => s.listSecretVersions(scope, 'st'),
  },
  sm_version_stages: {
    write: (tx) => tx.putSecretStage(scope, 'st', { stage: 'AWSCURRENT', versionId: 'v1' }),
    tamper: `UPDATE sm_version_stages SET version_id = 'v0' WHERE name = 'st'`,
    read: (s) => s.listSecretStages(scope, 'st'),
  },
  rotation_functions: {
    write: (tx) =>
      tx.putRotationFunction(scope, {
        name: 'ft',
        kind: 'http',
        target: 'https://rotator.internal/',
        options: '{}',
        keySealed: Buffer.from('k'),
        createdAt: 1,
      }),
    tamper: `UPDATE rotation_functions SET target = 'https://attacker.example/' WHERE name = 'ft'`,
    read: (s) => s.getRotationFunction(scope, 'ft'),
  },
  rotation_schedules: {
    write: (tx) =>
      tx.putRotationSchedule({
        ...scope,
        targetKind: 'secret',
        targetName: 'st',
        config: '{"function":"ft"}',
        nextDue: 1,
      }),
    tamper: `UPDATE rotation_schedules SET config = '{"function":"evil"}' WHERE target_name = 'st'`,
    read: (s) => s.listDueRotations(10, 10),
  },
};

export function lifecycleCases(exercise: Exercise): void {
  exercise(
    'reports schema version 0 before migrating and the latest after; migrating twice is harmless',
    async ({ storage, backend }) => {
      assert.equal(storage.kind, backend);
      assert.equal(await storage.schemaVersion(), 0);
      await storage.migrate();
      await storage.migrate();
      assert.equal(await storage.schemaVersion(), LATEST_SCHEMA_VERSION);
      await put(storage, scope, row('/after-migrate', 1));
      await storage.migrate();
      assert.equal(
        (await storage.getLatestVersion(scope, '/after-migrate'))?.version,
        1,
        'migrating again keeps the rows',
      );
    },
    { migrated: false },
  );

  exercise(
    'neither seals nor checks rows until useIntegrity, then does both',
    async ({ storage }) => {
      await storage.migrate();
      await assert.rejects(put(storage, scope, row('/early', 1)), /row integrity is not configured/);
      await storage.transaction((tx) => tx.putMeta('unsealed', Buffer.from('ok')));
      assert.equal((await storage.getMeta('unsealed'))?.toString(), 'ok', 'unsealed tables work without it');
      storage.useIntegrity(testRowAuthenticator());
      await put(storage, scope, row('/late', 1));
      assert.equal((await storage.getLatestVersion(scope, '/late'))?.version, 1);
    },
    { migrated: false, integrity: false },
  );

  exercise('closes: nothing is read after close', async ({ storage }) => {
    await storage.transaction((tx) => tx.putMeta('k', Buffer.from('v')));
    await storage.close();
    await assert.rejects(async () => storage.getMeta('k'));
  });

  exercise(
    "refuses a row changed behind Coffer's back with TamperedRowError, in every sealed table",
    async ({ storage, raw }) => {
      assert.deepEqual(
        Object.keys(TAMPER_CASES).sort(),
        Object.keys(SEALED_COLUMNS)
          .filter((t) => t !== 'audit_events' && t !== 'audit_outbox')
          .sort(),
        'one case per sealed table (the audit tables report a changed row: their own cases)',
      );
      await storage.transaction(async (tx) => {
        for (const c of Object.values(TAMPER_CASES)) await c.write(tx);
      });
      for (const [table, c] of Object.entries(TAMPER_CASES)) await assert.doesNotReject(c.read(storage), table);
      await raw(
        Object.values(TAMPER_CASES)
          .map((c) => c.tamper)
          .join('; '),
      );
      for (const [table, c] of Object.entries(TAMPER_CASES)) {
        await assert.rejects(c.read(storage), (e: Error) => e instanceof TamperedRowError && e.table === table, table);
      }
    },
  );

  exercise(
    'refuses an integer column rewritten as text that reads as the same number (SQLite keeps what it is given)',
    async ({ storage, raw, backend }) => {
      // PostgreSQL's typed columns refuse text; SQLite stores '0x1' as text that Number() reads as 1.
      if (backend !== 'sqlite') return;
      await put(storage, scope, row('/hex', 1));
      await storage.transaction((tx) =>
        tx.putSecret(scope, { name: 'hex', arn: 'arn:hex', createdAt: 26, attributes: '{}', purgeAt: 26 }),
      );
      await raw(`UPDATE ssm_parameter_versions SET last_modified_date = '0x' || printf('%x', last_modified_date)
        WHERE name = '/hex';
      UPDATE sm_secrets SET purge_at = '0x1a' WHERE name = 'hex'`);
      await assert.rejects(storage.getLatestVersion(scope, '/hex'), TamperedRowError);
      await assert.rejects(storage.getSecret(scope, 'hex'), TamperedRowError);
      await assert.rejects(storage.getSecretRowSet(scope, 'hex'), TamperedRowError);
    },
  );

  exercise(
    'refuses a listing whose page holds a parameter without its latest version, rather than dropping it',
    async ({ storage, raw }) => {
      for (const name of ['/gap/a', '/gap/b', '/gap/c']) await put(storage, scope, row(name, 1));
      await raw(`DELETE FROM ssm_parameter_versions WHERE name = '/gap/b'`);
      assert.deepEqual(
        (await storage.listLatest(scope, { prefix: '/gap/', limit: 1 })).map((r) => r.name),
        ['/gap/a'],
      );
      await assert.rejects(
        storage.listLatest(scope, { prefix: '/gap/', limit: 5 }),
        (e: Error) => e instanceof TamperedRowError && e.table === 'ssm_parameters' && e.row.endsWith('/gap/b'),
      );
    },
  );

  exercise(
    'matches a row again once restored exactly, and never without its MAC; ids are listed unchecked',
    async ({ storage, raw }) => {
      await storage.transaction((tx) =>
        tx.insertAccessKey({
          accessKeyId: 'AKIASEALED',
          account: scope.account,
          principalArn: user.arn,
          ownerId: user.id,
          secretSealed: Buffer.from('s'),
          status: 'Active',
          createdAt: 2,
        }),
      );
      await raw(`UPDATE iam_access_keys SET principal_arn = 'arn:aws:iam::1:root' WHERE access_key_id = 'AKIASEALED'`);
      await assert.rejects(storage.getAccessKey('AKIASEALED'), TamperedRowError);
      await raw(`UPDATE iam_access_keys SET principal_arn = '${user.arn}' WHERE access_key_id = 'AKIASEALED'`);
      assert.equal((await storage.getAccessKey('AKIASEALED'))!.principalArn, user.arn);
      await raw(`UPDATE iam_access_keys SET mac = NULL WHERE access_key_id = 'AKIASEALED'`);
      await assert.rejects(storage.getAccessKey('AKIASEALED'), TamperedRowError);
      assert.deepEqual(await storage.listAccessKeyIds(user.arn), ['AKIASEALED']);
      await storage.transaction((tx) => tx.deleteAccessKey('AKIASEALED'));
      assert.deepEqual(await storage.listAccessKeyIds(user.arn), []);
    },
  );

  exercise(
    'seals rows written before integrity existed exactly as new writes are sealed (the upgrade to migration 5)',
    async ({ storage, raw, executor }) => {
      await put(storage, scope, row('/upgrade', 1));
      await storage.transaction((tx) => tx.putLabel(scope, '/upgrade', 'l', 1));
      await raw(
        'UPDATE ssm_parameter_versions SET mac = NULL; UPDATE ssm_parameters SET mac = NULL; UPDATE ' +
          'ssm_parameter_labels SET mac = NULL',
      );
      await assert.rejects(storage.getVersion(scope, '/upgrade', 1), TamperedRowError);
      const integrity = new RowIntegrity();
      integrity.use(testRowAuthenticator());
      const sql = executor();
      try {
        assert.equal(await sealExistingRows(sql.executor, integrity), 3);
      } finally {
        await sql.close();
      }
      assert.equal((await storage.listLatest(scope, { prefix: '/upgrade', limit: 5 }))[0]!.version, 1);
      assert.deepEqual(await storage.listLabels(scope, '/upgrade'), [{ label: 'l', version: 1 }]);
    },
  );
}
