/** Conformance cases of the Parameter Store domain (parameter-rows.ts): versions, head, labels, tags, the parameter
 * lock. */
import assert from 'node:assert/strict';
import type { Exercise } from './exercise.js';
import { otherRegion, put, row, scope } from './fixtures.js';

export function parameterCases(exercise: Exercise): void {
  exercise('keeps versions and returns the latest through the head', async ({ storage }) => {
    await put(storage, scope, row('/app/a', 1));
    await put(storage, scope, row('/app/a', 2, { type: 'SecureString', keyId: 'alias/aws/ssm', description: 'd' }));
    await put(storage, scope, row('/app/a', 3));
    const latest = await storage.getLatestVersion(scope, '/app/a');
    assert.deepEqual(latest, row('/app/a', 3));
    const second = await storage.getVersion(scope, '/app/a', 2);
    assert.equal(second!.keyId, 'alias/aws/ssm');
    assert.equal(second!.description, 'd');
    assert.equal(typeof second!.lastModifiedDate, 'number');
    assert.ok(Buffer.isBuffer(second!.value));
    assert.equal((await storage.getVersion(scope, '/app/a', 1))!.value.toString(), 'sealed-/app/a-1');
    assert.equal(await storage.getVersion(scope, '/app/a', 9), undefined);
    assert.equal(await storage.getLatestVersion(scope, '/absent'), undefined);
    assert.deepEqual(await storage.versionSpan(scope, '/app/a'), { count: 3, oldest: 1 });
    assert.deepEqual(await storage.versionSpan(scope, '/absent'), { count: 0, oldest: undefined });
    assert.deepEqual(
      (await storage.listVersions(scope, '/app/a', 0, 10)).map((r) => r.version),
      [1, 2, 3],
    );
    assert.deepEqual(
      (await storage.listVersions(scope, '/app/a', 1, 10)).map((r) => r.version),
      [2, 3],
    );
    assert.deepEqual(
      (await storage.listVersions(scope, '/app/a', 0, 2)).map((r) => r.version),
      [1, 2],
    );
  });

  exercise('reads back every column as written, by every read (each column distinct and set)', async ({ storage }) => {
    const full = row('/full/p', 7, {
      type: 'SecureString',
      keyId: 'alias/full-key',
      tier: 'Advanced',
      dataType: 'aws:ec2:image',
      description: 'the description',
      allowedPattern: '^ami-[0-9a-f]+$',
      policies: '[{"Type":"Expiration","Version":"1.0","Attributes":{"Timestamp":"2030-01-01T00:00:00Z"}}]',
      value: Buffer.from([0, 1, 2, 250, 255]),
      lastModifiedDate: 1_700_000_123_456,
      lastModifiedUser: 'arn:aws:iam::111111111111:user/writer',
    });
    await put(storage, scope, full);
    assert.deepEqual(await storage.getLatestVersion(scope, '/full/p'), full);
    assert.deepEqual(await storage.getVersion(scope, '/full/p', 7), full);
    assert.deepEqual(await storage.listVersions(scope, '/full/p', 0, 5), [full]);
    assert.deepEqual(await storage.listLatest(scope, { prefix: '/full/', limit: 5 }), [full]);
  });

  exercise('namespaces rows by account and region', async ({ storage }) => {
    await put(storage, scope, row('/app/a', 1));
    await put(storage, scope, row('/app/a', 2));
    assert.equal(await storage.getLatestVersion(otherRegion, '/app/a'), undefined);
    await put(storage, otherRegion, row('/app/a', 1));
    assert.equal((await storage.getLatestVersion(scope, '/app/a'))!.version, 2);
    assert.equal((await storage.getLatestVersion(otherRegion, '/app/a'))!.version, 1);
    assert.deepEqual(
      (await storage.listLatest(otherRegion, { limit: 10 })).map((r) => [r.name, r.version]),
      [['/app/a', 1]],
    );
  });

  exercise(
    'lists latest versions in byte order of name, by prefix, after a cursor, with a limit',
    async ({ storage }) => {
      for (const name of ['/app/B', '/app/b', '/app/a/x', '/apple', '/app/c', '/app/a'])
        await put(storage, scope, row(name, 1));
      await put(storage, scope, row('/app/a', 2));
      const all = await storage.listLatest(scope, { prefix: '/app/', limit: 100 });
      assert.deepEqual(
        all.map((r) => [r.name, r.version]),
        [
          ['/app/B', 1],
          ['/app/a', 2],
          ['/app/a/x', 1],
          ['/app/b', 1],
          ['/app/c', 1],
        ],
      );
      const page = await storage.listLatest(scope, { prefix: '/app/', after: '/app/a', limit: 2 });
      assert.deepEqual(
        page.map((r) => r.name),
        ['/app/a/x', '/app/b'],
      );
      assert.equal((await storage.listLatest(scope, { limit: 100 })).length, 6);
      assert.deepEqual(
        (await storage.listLatest(scope, { after: '/app/c', limit: 100 })).map((r) => r.name),
        ['/apple'],
      );
    },
  );

  exercise('moves a label between versions and deletes it', async ({ storage }) => {
    await put(storage, scope, row('/app/a', 1));
    await put(storage, scope, row('/app/a', 2));
    await storage.transaction(async (tx) => {
      await tx.putLabel(scope, '/app/a', 'prod', 1);
      await tx.putLabel(scope, '/app/a', 'prod', 2);
      await tx.putLabel(scope, '/app/a', 'beta', 1);
    });
    assert.deepEqual(await storage.listLabels(scope, '/app/a'), [
      { label: 'beta', version: 1 },
      { label: 'prod', version: 2 },
    ]);
    await storage.transaction((tx) => tx.deleteLabel(scope, '/app/a', 'beta'));
    assert.deepEqual(await storage.listLabels(scope, '/app/a'), [{ label: 'prod', version: 2 }]);
    assert.deepEqual(await storage.listLabels(otherRegion, '/app/a'), []);
  });

  exercise('upserts, lists and deletes tags', async ({ storage }) => {
    await storage.transaction(async (tx) => {
      await tx.putTag(scope, 'Parameter', { resourceId: '/app/a', key: 'env', value: 'dev' });
      await tx.putTag(scope, 'Parameter', { resourceId: '/app/a', key: 'env', value: 'prod' });
      await tx.putTag(scope, 'Parameter', { resourceId: '/app/b', key: 'team', value: 'x' });
      await tx.putTag(scope, 'Secret', { resourceId: '/app/a', key: 'other', value: 'type' });
    });
    assert.deepEqual(await storage.listTags(scope, 'Parameter', ['/app/a', '/app/b']), [
      { resourceId: '/app/a', key: 'env', value: 'prod' },
      { resourceId: '/app/b', key: 'team', value: 'x' },
    ]);
    await storage.transaction((tx) => tx.deleteTag(scope, 'Parameter', '/app/b', 'team'));
    assert.deepEqual(await storage.listTags(scope, 'Parameter', ['/app/b']), []);
    assert.deepEqual(await storage.listTags(scope, 'Parameter', []), []);
    assert.deepEqual(await storage.listTags(scope, 'Secret', ['/app/a']), [
      { resourceId: '/app/a', key: 'other', value: 'type' },
    ]);
  });

  exercise(
    'deletes a parameter with its versions, labels and tags, and nothing of another scope',
    async ({ storage }) => {
      await put(storage, scope, row('/app/a', 1));
      await put(storage, scope, row('/app/a', 2));
      await put(storage, otherRegion, row('/app/a', 1));
      await storage.transaction(async (tx) => {
        await tx.putLabel(scope, '/app/a', 'prod', 2);
        await tx.putTag(scope, 'Parameter', { resourceId: '/app/a', key: 'env', value: 'prod' });
      });
      assert.equal(await storage.transaction((tx) => tx.deleteParameter(scope, '/app/a')), true);
      assert.equal(await storage.getLatestVersion(scope, '/app/a'), undefined);
      assert.equal((await storage.versionSpan(scope, '/app/a')).count, 0);
      assert.deepEqual(await storage.listLabels(scope, '/app/a'), []);
      assert.deepEqual(await storage.listTags(scope, 'Parameter', ['/app/a']), []);
      assert.equal(await storage.transaction((tx) => tx.deleteParameter(scope, '/app/a')), false);
      assert.equal((await storage.getLatestVersion(otherRegion, '/app/a'))!.version, 1);
    },
  );

  exercise('deletes a single version', async ({ storage }) => {
    await put(storage, scope, row('/v/x', 1));
    await put(storage, scope, row('/v/x', 2));
    await storage.transaction((tx) => tx.deleteVersion(scope, '/v/x', 1));
    assert.deepEqual(
      (await storage.listVersions(scope, '/v/x', 0, 10)).map((r) => r.version),
      [2],
    );
    assert.equal((await storage.getLatestVersion(scope, '/v/x'))!.version, 2);
  });

  exercise('refuses a duplicate version inside a transaction and keeps the earlier row', async ({ storage }) => {
    await put(storage, scope, row('/v/x', 1));
    await put(storage, scope, row('/v/x', 2));
    await assert.rejects(put(storage, scope, row('/v/x', 2, { value: Buffer.from('other') })));
    assert.equal((await storage.getVersion(scope, '/v/x', 2))!.value.toString(), 'sealed-/v/x-2');
  });

  exercise('serialises read-modify-write transactions that take the parameter lock', async ({ storage }) => {
    await storage.transaction((tx) => tx.putMeta('counter', Buffer.from('0')));
    await Promise.all(
      Array.from({ length: 20 }, () =>
        storage.transaction(async (tx) => {
          await tx.lockParameter(scope, 'counter');
          const n = Number((await tx.getMeta('counter'))!.toString());
          await new Promise((resolve) => setImmediate(resolve));
          await tx.putMeta('counter', Buffer.from(String(n + 1)));
        }),
      ),
    );
    assert.equal((await storage.getMeta('counter'))!.toString(), '20');
  });
}
