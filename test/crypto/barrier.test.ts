/**
 * The crypto barrier's properties: AES-GCM integrity, context binding, key rotation, and the
 * master key's checks.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { rotateMasterKey } from '../../src/bootstrap/master-key-rotation.js';
import { openCoffer } from '../../src/bootstrap/open-coffer.js';
import { gcmOpen, gcmSeal } from '../../src/crypto/aes-gcm.js';
import { InvalidCiphertextException } from '../../src/crypto/errors.js';
import { ValueBarrier } from '../../src/crypto/value-barrier.js';
import { sqlitePath } from '../../src/storage/open-storage.js';
import { expectError } from '../helpers/expect-error.js';
import { ctx, freshCoffer, testLocation, BACKENDS } from '../helpers/test-stores.js';

describe('AES-256-GCM', () => {
  it('round-trips and detects any flipped bit, wrong key or wrong AAD', () => {
    const key = randomBytes(32);
    const sealed = gcmSeal(key, Buffer.from('plaintext'), Buffer.from('aad'));
    assert.equal(gcmOpen(key, sealed, Buffer.from('aad')).toString(), 'plaintext');
    for (const index of [0, 12, sealed.length - 1]) {
      const tampered = Buffer.from(sealed);
      tampered[index]! ^= 1;
      assert.throws(() => gcmOpen(key, tampered, Buffer.from('aad')), InvalidCiphertextException);
    }
    assert.throws(() => gcmOpen(randomBytes(32), sealed, Buffer.from('aad')), InvalidCiphertextException);
    assert.throws(() => gcmOpen(key, sealed, Buffer.from('other')), InvalidCiphertextException);
    assert.throws(() => gcmOpen(key, sealed.subarray(0, 10), Buffer.from('aad')), InvalidCiphertextException);
  });

  it('never repeats a nonce, across the refills of its nonce pool (4 KB: 341 nonces each)', () => {
    const key = randomBytes(32);
    const first = gcmSeal(key, Buffer.from('x'), Buffer.alloc(0));
    const nonces = new Set<string>();
    for (let i = 0; i < 2000; i++)
      nonces.add(gcmSeal(key, Buffer.from('x'), Buffer.alloc(0)).subarray(0, 12).toString('hex'));
    assert.equal(nonces.size, 2000);
    assert.ok(!nonces.has(first.subarray(0, 12).toString('hex')));
    assert.equal(gcmOpen(key, first, Buffer.alloc(0)).toString(), 'x', 'an envelope made before refills still opens');
  });
});

describe('value barrier and keyring', () => {
  it('binds a ciphertext to its encryption context', async () => {
    const { coffer, done } = await freshCoffer('sqlite');
    try {
      const key = await coffer.keyring.resolve(ctx, undefined);
      const barrier = new ValueBarrier(coffer.keyring);
      const context = { service: 'ssm', account: ctx.account, region: ctx.region, name: '/a', version: '1' };
      const sealed = barrier.seal('value', key.keyId, context);
      assert.equal(await barrier.open(sealed, context), 'value');
      await assert.rejects(barrier.open(sealed, { ...context, version: '2' }), InvalidCiphertextException);
      await assert.rejects(barrier.open(sealed, { ...context, name: '/b' }), InvalidCiphertextException);
      await assert.rejects(barrier.open(sealed, { ...context, region: 'eu-west-1' }), InvalidCiphertextException);
    } finally {
      await done();
    }
  });

  it('has alias/aws/ssm and alias/aws/secretsmanager from the start, with a KMS-style ARN', async () => {
    const { coffer, done } = await freshCoffer('sqlite');
    try {
      assert.deepEqual(
        coffer.keyring
          .list(ctx)
          .map((k) => k.aliases.join())
          .sort(),
        ['alias/aws/secretsmanager', 'alias/aws/ssm'],
      );
      const key = await coffer.keyring.resolve(ctx, undefined);
      assert.match(key.keyId, /^[0-9a-f-]{36}$/);
      assert.equal(key.arn, `arn:aws:kms:us-east-1:123456789012:key/${key.keyId}`);
      assert.deepEqual(key.aliases, ['alias/aws/ssm']);
      assert.equal(key.keyManager, 'AWS');
      for (const reference of [
        key.keyId,
        key.arn,
        'alias/aws/ssm',
        'arn:aws:kms:us-east-1:123456789012:alias/aws/ssm',
      ]) {
        assert.equal((await coffer.keyring.resolve(ctx, reference)).keyId, key.keyId);
      }
    } finally {
      await done();
    }
  });

  it('rotating a logical key seals new versions with new material and still opens old ones', async () => {
    const { coffer, done } = await freshCoffer('sqlite');
    try {
      const key = await coffer.keyring.createKey(ctx, 'app key', 'alias/app');
      await coffer.parameters.putParameter(ctx, {
        Name: '/r/x',
        Value: 'before',
        Type: 'SecureString',
        KeyId: 'alias/app',
      });
      const rotated = await coffer.keyring.rotateKeyMaterial(ctx, key.keyId);
      assert.equal(rotated.generations, 2);
      await coffer.parameters.putParameter(ctx, { Name: '/r/x', Value: 'after', Overwrite: true });
      const history = (await coffer.parameters.getParameterHistory(ctx, { Name: '/r/x', WithDecryption: true }))
        .Parameters!;
      assert.deepEqual(
        history.map((h) => h.Value),
        ['before', 'after'],
      );
      const envelopes = (await coffer.parameters.getParameterHistory(ctx, { Name: '/r/x' })).Parameters!.map((h) =>
        Buffer.from(h.Value!, 'base64'),
      );
      assert.deepEqual(
        envelopes.map((e) => e.readUInt32BE(17)),
        [1, 2],
      );
    } finally {
      await done();
    }
  });
});

describe('master key', () => {
  it('is created on first use as <data-dir>/master.key with mode 0600', async () => {
    const { location, done } = await freshCoffer('sqlite');
    try {
      const path = join(location.dataDir, 'master.key');
      assert.equal(statSync(path).mode & 0o777, 0o600);
      assert.equal(Buffer.from(readFileSync(path, 'utf8').trim(), 'base64').length, 32);
    } finally {
      await done();
    }
  });

  it('refuses a malformed COFFER_MASTER_KEY', async () => {
    const location = testLocation('sqlite');
    await assert.rejects(openCoffer(location.settings(), { COFFER_MASTER_KEY: 'c2hvcnQ=' }), /32 bytes/);
    await location.destroy();
  });

  for (const backend of BACKENDS) {
    it(`a wrong master key fails at start with a clear error and changes nothing (${backend})`, async () => {
      const right = randomBytes(32).toString('base64');
      const location = testLocation(backend);
      const first = await openCoffer(location.settings(), { COFFER_MASTER_KEY: right });
      await first.parameters.putParameter(ctx, { Name: '/m/x', Value: 'kept', Type: 'SecureString' });
      await first.close();
      const before = backend === 'sqlite' ? readFileSync(sqlitePath(location.dataDir)) : undefined;
      await expectError(
        openCoffer(location.settings(), { COFFER_MASTER_KEY: randomBytes(32).toString('base64') }),
        'WrongMasterKey',
        /does not open this store/,
      );
      if (before) assert.ok(readFileSync(sqlitePath(location.dataDir)).equals(before));
      const again = await openCoffer(location.settings(), { COFFER_MASTER_KEY: right });
      assert.equal(
        (await again.parameters.getParameter(ctx, { Name: '/m/x', WithDecryption: true })).Parameter!.Value,
        'kept',
      );
      await again.close();
      await location.destroy();
    });
  }

  it('rotate-master re-wraps the keyring, replaces the key file, and leaves parameter rows untouched', async () => {
    const location = testLocation('sqlite');
    const coffer = await openCoffer(location.settings(), {});
    await coffer.parameters.putParameter(ctx, { Name: '/m/y', Value: 'survives', Type: 'SecureString' });
    const rowBefore = await coffer.storage.getLatestVersion(ctx, '/m/y');
    const oldKey = readFileSync(join(location.dataDir, 'master.key'), 'utf8');
    const result = await rotateMasterKey(coffer, {});
    assert.ok(result.rewrapped >= 1);
    assert.equal(result.newKeyText, undefined);
    const newKey = readFileSync(join(location.dataDir, 'master.key'), 'utf8');
    assert.notEqual(newKey, oldKey);
    assert.equal(statSync(join(location.dataDir, 'master.key')).mode & 0o777, 0o600);
    assert.ok((await coffer.storage.getLatestVersion(ctx, '/m/y'))!.value.equals(rowBefore!.value));
    await coffer.close();
    const reopened = await openCoffer(location.settings(), {});
    assert.equal(
      (await reopened.parameters.getParameter(ctx, { Name: '/m/y', WithDecryption: true })).Parameter!.Value,
      'survives',
    );
    await reopened.close();
    await expectError(openCoffer(location.settings(), { COFFER_MASTER_KEY: oldKey.trim() }), 'WrongMasterKey');
    await location.destroy();
  });

  it('finishes a rotation interrupted after the keyring was re-wrapped', async () => {
    const location = testLocation('sqlite');
    const coffer = await openCoffer(location.settings(), {});
    await coffer.parameters.putParameter(ctx, { Name: '/m/z', Value: 'z', Type: 'SecureString' });
    // Simulate a crash between the re-wrap commit and the key file rename.
    const { MasterKeyFile, decodeMasterKey, generateMasterKeyText } = await import('../../src/crypto/master-key.js');
    const file = new MasterKeyFile(location.dataDir);
    const text = generateMasterKeyText();
    file.stage(text);
    await coffer.keyring.rotateMaster(decodeMasterKey(text, 'test'));
    await coffer.close();
    const reopened = await openCoffer(location.settings(), {});
    assert.equal(
      (await reopened.parameters.getParameter(ctx, { Name: '/m/z', WithDecryption: true })).Parameter!.Value,
      'z',
    );
    assert.equal(readFileSync(file.path, 'utf8').trim(), text);
    assert.equal(existsSync(file.stagedPath), false);
    await reopened.close();
    await location.destroy();
  });

  it('rotate-master with COFFER_MASTER_KEY hands back the new key instead of writing a file', async () => {
    const location = testLocation('sqlite');
    const env = { COFFER_MASTER_KEY: randomBytes(32).toString('base64') };
    const coffer = await openCoffer(location.settings(), env);
    await coffer.parameters.putParameter(ctx, { Name: '/m/e', Value: 'e', Type: 'SecureString' });
    const result = await rotateMasterKey(coffer, env);
    await coffer.close();
    assert.equal(existsSync(join(location.dataDir, 'master.key')), false);
    const reopened = await openCoffer(location.settings(), { COFFER_MASTER_KEY: result.newKeyText });
    assert.equal(
      (await reopened.parameters.getParameter(ctx, { Name: '/m/e', WithDecryption: true })).Parameter!.Value,
      'e',
    );
    await reopened.close();
    await location.destroy();
  });
});
