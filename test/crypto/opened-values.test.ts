/**
 * The barrier remembers what it opened (OpenedValues): a value read again skips AES-GCM, and
 * nothing else changes. Context binding, tampering, the key's state and the bound all hold.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { DisabledException, InvalidCiphertextException } from '../../src/crypto/errors.js';
import { OpenedValues } from '../../src/crypto/opened-values.js';
import { ValueBarrier } from '../../src/crypto/value-barrier.js';
import { ctx, freshCoffer } from '../helpers/test-stores.js';

describe('OpenedValues', () => {
  it('finds a value only by the same envelope, context and key object', () => {
    const opened = new OpenedValues();
    const key = randomBytes(32);
    const envelope = Buffer.from('envelope');
    opened.remember(key, OpenedValues.idOf(envelope, 'aad'), Buffer.from('plain'));
    assert.equal(opened.find(key, OpenedValues.idOf(envelope, 'aad'))!.toString(), 'plain');
    assert.equal(opened.find(key, OpenedValues.idOf(envelope, 'aae')), undefined);
    assert.equal(opened.find(key, OpenedValues.idOf(Buffer.from('envelopf'), 'aad')), undefined);
    assert.equal(opened.find(Buffer.from(key), OpenedValues.idOf(envelope, 'aad')), undefined, 'another key object');
    // The envelope's length is part of the id: moving a byte from envelope to context is another pair.
    assert.equal(opened.find(key, OpenedValues.idOf(Buffer.from('envelop'), 'eaad')), undefined);
  });

  it('keeps its own copy of what it is given', () => {
    const opened = new OpenedValues();
    const key = randomBytes(32);
    const plaintext = Buffer.from('plain');
    opened.remember(key, OpenedValues.idOf(Buffer.from('e'), 'aad'), plaintext);
    plaintext.fill(0);
    assert.equal(opened.find(key, OpenedValues.idOf(Buffer.from('e'), 'aad'))!.toString(), 'plain');
  });

  it('keeps at most 4 MB of plaintext, forgetting the oldest first, and never a value over 4 KB', () => {
    const opened = new OpenedValues();
    const key = randomBytes(32);
    const aad = 'aad';
    opened.remember(key, OpenedValues.idOf(Buffer.from('big'), aad), Buffer.alloc(4097));
    assert.equal(opened.find(key, OpenedValues.idOf(Buffer.from('big'), aad)), undefined);
    for (let i = 0; i < 1100; i++)
      opened.remember(key, OpenedValues.idOf(Buffer.from(`e${i}`), aad), Buffer.alloc(4096, i % 256));
    assert.equal(opened.find(key, OpenedValues.idOf(Buffer.from('e0'), aad)), undefined, 'the oldest left');
    assert.equal(opened.find(key, OpenedValues.idOf(Buffer.from('e1099'), aad))![0], 1099 % 256);
  });
});

describe('value barrier reading a value again', () => {
  it('still binds the context, refuses a tampered envelope and a disabled key', async () => {
    const { coffer, done } = await freshCoffer('sqlite');
    try {
      const key = await coffer.keyring.createKey(ctx, 'opened values');
      const barrier = new ValueBarrier(coffer.keyring);
      const context = { service: 'ssm', account: ctx.account, region: ctx.region, name: '/a', version: '1' };
      const sealed = barrier.seal('value', key.keyId, context);
      assert.equal(await barrier.open(sealed, context), 'value');
      assert.equal(await barrier.open(sealed, context), 'value', 'read again');
      const bytes = await barrier.openBytes(sealed, context);
      bytes.fill(0);
      assert.equal((await barrier.openBytes(sealed, context)).toString(), 'value', 'openBytes hands out copies');
      await assert.rejects(barrier.open(sealed, { ...context, version: '2' }), InvalidCiphertextException);
      const tampered = Buffer.from(sealed);
      tampered[tampered.length - 1]! ^= 1;
      await assert.rejects(barrier.open(tampered, context), InvalidCiphertextException);
      await coffer.keyring.setLifecycle(key.keyId, { state: 'Disabled' });
      await assert.rejects(barrier.open(sealed, context), DisabledException);
      await coffer.keyring.setLifecycle(key.keyId, { state: 'Enabled' });
      assert.equal(await barrier.open(sealed, context), 'value');
      // A reload forgets what was opened under the material it replaced.
      const opened = (barrier as unknown as { opened: OpenedValues }).opened;
      assert.equal(opened.size, 1);
      await coffer.keyring.reload();
      const other = barrier.seal('other', key.keyId, context);
      await barrier.open(other, context);
      assert.equal(opened.size, 0, 'a value opened once is not remembered');
      await barrier.open(other, context);
      assert.equal(opened.size, 1, 'only the value opened twice since the reload');
    } finally {
      await done();
    }
  });
});
