/** Conformance cases of the KMS domain (key-rows.ts): keys, wrapped material generations, aliases. */
import assert from 'node:assert/strict';
import type { Exercise } from './exercise.js';
import { scope } from './fixtures.js';

export function keyCases(exercise: Exercise): void {
  exercise('stores keys, wrapped material generations and aliases', async ({ storage }) => {
    const key = {
      keyId: 'k1',
      ...scope,
      description: 'd',
      keyManager: 'CUSTOMER' as const,
      createdAt: 5,
      currentMaterial: 1,
      enabled: true,
      attributes: null,
    };
    await storage.transaction(async (tx) => {
      await tx.insertKey(key);
      await tx.insertKey({ ...key, keyId: 'k0', keyManager: 'AWS', createdAt: 4, enabled: false });
      await tx.setKeyAttributes('k1', '{"state":"Disabled"}');
      await tx.setKeyAttributes('absent', '{}');
      await tx.insertKeyMaterial({ keyId: 'k1', materialNo: 1, wrapped: Buffer.from('w1'), createdAt: 5 });
      await tx.insertKeyMaterial({ keyId: 'k1', materialNo: 2, wrapped: Buffer.from('w2'), createdAt: 6 });
      await tx.setKeyCurrentMaterial('k1', 2);
      await tx.updateKeyMaterial({ keyId: 'k1', materialNo: 1, wrapped: Buffer.from('w1b'), createdAt: 5 });
      assert.equal(await tx.insertAlias({ ...scope, aliasName: 'alias/a', keyId: 'k1' }), true);
      assert.equal(await tx.insertAlias({ ...scope, aliasName: 'alias/a', keyId: 'k2' }), false);
      assert.equal(await tx.insertAlias({ ...scope, aliasName: 'alias/b', keyId: 'k0' }), true);
    });
    assert.deepEqual(await storage.listKeys(), [
      { ...key, keyId: 'k0', keyManager: 'AWS', createdAt: 4, enabled: false },
      { ...key, currentMaterial: 2, attributes: '{"state":"Disabled"}' },
    ]);
    assert.deepEqual(
      (await storage.listKeyMaterials()).map((m) => [m.keyId, m.materialNo, m.wrapped.toString(), m.createdAt]),
      [
        ['k1', 1, 'w1b', 5],
        ['k1', 2, 'w2', 6],
      ],
    );
    await assert.rejects(
      storage.transaction((tx) =>
        tx.insertKeyMaterial({ keyId: 'k1', materialNo: 2, wrapped: Buffer.from('x'), createdAt: 7 }),
      ),
    );
    assert.deepEqual(await storage.listAliases(), [
      { ...scope, aliasName: 'alias/a', keyId: 'k1' },
      { ...scope, aliasName: 'alias/b', keyId: 'k0' },
    ]);
    assert.equal(await storage.transaction((tx) => tx.deleteAlias(scope.account, scope.region, 'alias/a')), true);
    assert.equal(await storage.transaction((tx) => tx.deleteAlias(scope.account, scope.region, 'alias/a')), false);
    assert.deepEqual(
      (await storage.listAliases()).map((a) => a.aliasName),
      ['alias/b'],
    );
  });
}
