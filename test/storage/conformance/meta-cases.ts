/** Conformance cases of the store metadata domain (meta-rows.ts). */
import assert from 'node:assert/strict';
import type { Exercise } from './exercise.js';

export function metaCases(exercise: Exercise): void {
  exercise('stores meta values, inserting only when absent with insertMeta', async ({ storage }) => {
    await storage.transaction(async (tx) => {
      assert.equal(await tx.insertMeta('k', Buffer.from('one')), true);
      assert.equal(await tx.insertMeta('k', Buffer.from('two')), false);
      assert.equal((await tx.getMeta('k'))!.toString(), 'one', 'a transaction reads its own writes');
    });
    assert.equal((await storage.getMeta('k'))!.toString(), 'one');
    await storage.transaction((tx) => tx.putMeta('k', Buffer.from('three')));
    await storage.transaction((tx) => tx.putMeta('fresh', Buffer.from('four')));
    assert.equal((await storage.getMeta('k'))!.toString(), 'three');
    assert.equal((await storage.getMeta('fresh'))!.toString(), 'four');
    assert.equal(await storage.getMeta('absent'), undefined);
  });
}
