/**
 * A keyring that follows other processes (each worker of `coffer serve --workers N`): a key
 * changed through one process holds on the other at its next lookup, and a reload that fails is
 * never taken as done: lookups fail (closed) until one succeeds, rather than use keys another
 * process may have disabled.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openCoffer } from '../../src/bootstrap/open-coffer.js';
import { ctx, freshCoffer } from '../helpers/test-stores.js';

describe('a keyring following other processes', () => {
  it('sees another process disable a key, and fails closed while it cannot reload', async () => {
    const first = await freshCoffer('sqlite');
    const second = await openCoffer(first.location.settings(), process.env, { worker: true });
    try {
      const key = await first.coffer.keyring.createKey(ctx, 'followed');
      assert.equal((await second.keyring.describe(ctx, key.keyId)).enabled, true);

      const storage = second.storage as unknown as { listKeys: () => Promise<unknown> };
      const listKeys = storage.listKeys.bind(storage);
      storage.listKeys = async () => {
        throw new Error('storage unavailable');
      };
      await first.coffer.keyring.setLifecycle(key.keyId, { state: 'Disabled' });
      // Every lookup fails while the reload does: none answers from the keys read before.
      for (let i = 0; i < 3; i++) await assert.rejects(second.keyring.describe(ctx, key.keyId), /storage unavailable/);
      storage.listKeys = listKeys;
      assert.equal((await second.keyring.describe(ctx, key.keyId)).enabled, false);
    } finally {
      await second.close();
      await first.done();
    }
  });
});
