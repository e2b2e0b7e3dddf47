/** Conformance cases of the Secrets Manager domain (secret-rows.ts): secrets, sealed versions, stages, purge times. */
import assert from 'node:assert/strict';
import { TamperedRowError } from '../../../src/storage/row-integrity.js';
import type { Exercise } from './exercise.js';
import { otherRegion, scope } from './fixtures.js';

const secret = {
  name: 'app/db',
  arn: 'arn:aws:secretsmanager:us-east-1:1:secret:app/db-AbCdEf',
  createdAt: 3,
  attributes: '{}',
  purgeAt: null,
};

export function secretCases(exercise: Exercise): void {
  exercise('stores secrets, sealed versions and staging labels, and deletes them together', async ({ storage }) => {
    await storage.transaction(async (tx) => {
      await tx.putSecret(scope, secret);
      await tx.putSecret(scope, { ...secret, attributes: '{"description":"d"}' });
      await tx.putSecret(scope, { ...secret, name: 'app/api', arn: 'arn:x' });
      await tx.putSecret(otherRegion, { ...secret, name: 'elsewhere' });
      await tx.insertSecretVersion(scope, 'app/db', {
        versionId: 'v1',
        createdAt: 4,
        kind: 'string',
        value: Buffer.from('sealed1'),
        fingerprint: 'f1',
      });
      await tx.insertSecretVersion(scope, 'app/db', {
        versionId: 'v2',
        createdAt: 5,
        kind: 'binary',
        value: Buffer.from('sealed2'),
        fingerprint: 'f2',
      });
      await tx.putSecretStage(scope, 'app/db', { stage: 'AWSCURRENT', versionId: 'v1' });
      await tx.putSecretStage(scope, 'app/db', { stage: 'AWSCURRENT', versionId: 'v2' });
      await tx.putSecretStage(scope, 'app/db', { stage: 'AWSPREVIOUS', versionId: 'v1' });
      await tx.putTag(scope, 'Secret', { resourceId: 'app/db', key: 'k', value: 'v' });
    });
    assert.deepEqual(await storage.getSecret(scope, 'app/db'), { ...secret, attributes: '{"description":"d"}' });
    assert.equal(await storage.getSecret(otherRegion, 'app/db'), undefined);
    assert.deepEqual(
      (await storage.listSecrets(scope)).map((r) => r.name),
      ['app/api', 'app/db'],
    );
    assert.deepEqual(
      (await storage.listSecretVersions(scope, 'app/db')).map((v) => [
        v.versionId,
        v.kind,
        v.value.toString(),
        v.createdAt,
        v.fingerprint,
      ]),
      [
        ['v1', 'string', 'sealed1', 4, 'f1'],
        ['v2', 'binary', 'sealed2', 5, 'f2'],
      ],
    );
    assert.deepEqual(await storage.listSecretStages(scope, 'app/db'), [
      { stage: 'AWSCURRENT', versionId: 'v2' },
      { stage: 'AWSPREVIOUS', versionId: 'v1' },
    ]);
    await storage.transaction(async (tx) => {
      await tx.deleteSecretStage(scope, 'app/db', 'AWSPREVIOUS');
      await tx.deleteSecretVersion(scope, 'app/db', 'v1');
    });
    assert.deepEqual(
      (await storage.listSecretVersions(scope, 'app/db')).map((v) => v.versionId),
      ['v2'],
    );
    assert.deepEqual(await storage.listSecretStages(scope, 'app/db'), [{ stage: 'AWSCURRENT', versionId: 'v2' }]);
    await storage.transaction((tx) => tx.deleteSecret(scope, 'app/db'));
    assert.equal(await storage.getSecret(scope, 'app/db'), undefined);
    assert.deepEqual(await storage.listSecretVersions(scope, 'app/db'), []);
    assert.deepEqual(await storage.listSecretStages(scope, 'app/db'), []);
    assert.deepEqual(await storage.listTags(scope, 'Secret', ['app/db']), []);
    assert.deepEqual(
      (await storage.listSecrets(scope)).map((r) => r.name),
      ['app/api'],
    );
  });

  exercise(
    'lists the secrets of every scope whose recovery window has ended, soonest first, up to a limit',
    async ({ storage }) => {
      const other = { account: '210987654321', region: 'eu-west-1' };
      await storage.transaction(async (tx) => {
        await tx.putSecret(other, {
          name: 'gone',
          arn: 'arn:x',
          createdAt: 1,
          attributes: '{"deletionDate":50}',
          purgeAt: 50,
        });
        await tx.putSecret(scope, {
          name: 'gone-too',
          arn: 'arn:z',
          createdAt: 1,
          attributes: '{"deletionDate":20}',
          purgeAt: 20,
        });
        await tx.putSecret(other, {
          name: 'later',
          arn: 'arn:y',
          createdAt: 1,
          attributes: '{"deletionDate":500}',
          purgeAt: 500,
        });
        await tx.putSecret(other, { name: 'kept', arn: 'arn:w', createdAt: 1, attributes: '{}', purgeAt: null });
      });
      assert.deepEqual(await storage.listSecretsToPurge(100, 10), [
        { ...scope, name: 'gone-too' },
        { account: other.account, region: other.region, name: 'gone' },
      ]);
      assert.deepEqual(await storage.listSecretsToPurge(100, 1), [{ ...scope, name: 'gone-too' }]);
      assert.deepEqual(
        await storage.listSecretsToPurge(50, 10),
        [
          { ...scope, name: 'gone-too' },
          { ...other, name: 'gone' },
        ],
        'the window ends at purgeAt',
      );
      assert.equal((await storage.getSecret(other, 'gone'))!.purgeAt, 50);
    },
  );

  exercise(
    'reads a secret with its versions and stages in one statement, as the separate reads give them',
    async ({ storage }) => {
      const version = (versionId: string, createdAt: number) => ({
        versionId,
        createdAt,
        kind: 'string' as const,
        value: Buffer.from(`sealed-${versionId}`),
        fingerprint: `f-${versionId}`,
      });
      await storage.transaction(async (tx) => {
        await tx.putSecret(scope, { ...secret, purgeAt: 9 });
        await tx.putSecret(scope, { ...secret, name: 'app/empty', arn: 'arn:e' });
        await tx.putSecret(otherRegion, secret);
        // Same creation time: ordered by id, whatever the order of insertion.
        await tx.insertSecretVersion(scope, 'app/db', version('v3', 7));
        await tx.insertSecretVersion(scope, 'app/db', version('v2', 7));
        await tx.insertSecretVersion(scope, 'app/db', version('v1', 6));
        await tx.insertSecretVersion(otherRegion, 'app/db', version('elsewhere', 1));
        await tx.putSecretStage(scope, 'app/db', { stage: 'AWSPREVIOUS', versionId: 'v2' });
        await tx.putSecretStage(scope, 'app/db', { stage: 'AWSCURRENT', versionId: 'v3' });
        await tx.putSecretStage(scope, 'app/db', { stage: 'Z-custom', versionId: 'v1' });
      });
      const set = await storage.getSecretRowSet(scope, 'app/db');
      assert.deepEqual(set, {
        row: await storage.getSecret(scope, 'app/db'),
        versions: await storage.listSecretVersions(scope, 'app/db'),
        stages: await storage.listSecretStages(scope, 'app/db'),
      });
      assert.deepEqual(set!.row, { ...secret, purgeAt: 9 });
      assert.deepEqual(
        set!.versions.map((v) => [v.versionId, v.createdAt, v.value.toString(), v.fingerprint, v.kind]),
        [
          ['v1', 6, 'sealed-v1', 'f-v1', 'string'],
          ['v2', 7, 'sealed-v2', 'f-v2', 'string'],
          ['v3', 7, 'sealed-v3', 'f-v3', 'string'],
        ],
      );
      assert.deepEqual(set!.stages, [
        { stage: 'AWSCURRENT', versionId: 'v3' },
        { stage: 'AWSPREVIOUS', versionId: 'v2' },
        { stage: 'Z-custom', versionId: 'v1' },
      ]);
      assert.deepEqual(await storage.getSecretRowSet(scope, 'app/empty'), {
        row: { ...secret, name: 'app/empty', arn: 'arn:e' },
        versions: [],
        stages: [],
      });
      assert.equal(await storage.getSecretRowSet(scope, 'app/none'), undefined);
      assert.equal(await storage.getSecretRowSet(scope, 'APP/DB'), undefined, 'names are exact');
      assert.deepEqual(
        (await storage.transaction((tx) => tx.getSecretRowSet(otherRegion, 'app/db')))!.versions.map(
          (v) => v.versionId,
        ),
        ['elsewhere'],
      );
    },
  );

  exercise(
    "refuses a row set with any of its rows changed behind Coffer's back, naming the table",
    async ({ storage, raw }) => {
      await storage.transaction(async (tx) => {
        for (const name of ['a', 'b', 'c']) {
          await tx.putSecret(scope, { ...secret, name, arn: `arn:${name}` });
          await tx.insertSecretVersion(scope, name, {
            versionId: 'v1',
            createdAt: 1,
            kind: 'string',
            value: Buffer.from('sealed'),
            fingerprint: 'f',
          });
          await tx.putSecretStage(scope, name, { stage: 'AWSCURRENT', versionId: 'v1' });
        }
      });
      await raw(`UPDATE sm_secrets SET attributes = '{"policy":"x"}' WHERE name = 'a';
      UPDATE sm_secret_versions SET fingerprint = 'g' WHERE name = 'b';
      UPDATE sm_version_stages SET version_id = 'v0' WHERE name = 'c'`);
      for (const [name, table] of [
        ['a', 'sm_secrets'],
        ['b', 'sm_secret_versions'],
        ['c', 'sm_version_stages'],
      ])
        await assert.rejects(
          storage.getSecretRowSet(scope, name!),
          (e: Error) => e instanceof TamperedRowError && e.table === table,
          table,
        );
    },
  );

  exercise('serialises transactions that take the secret lock, whatever Region they write', async ({ storage }) => {
    await storage.transaction((tx) => tx.putMeta('secret-counter', Buffer.from('0')));
    await Promise.all(
      Array.from({ length: 20 }, () =>
        storage.transaction(async (tx) => {
          await tx.lockSecret(scope.account, 'app/db');
          const n = Number((await tx.getMeta('secret-counter'))!.toString());
          await new Promise((resolve) => setImmediate(resolve));
          await tx.putMeta('secret-counter', Buffer.from(String(n + 1)));
        }),
      ),
    );
    assert.equal((await storage.getMeta('secret-counter'))!.toString(), '20');
  });
}
