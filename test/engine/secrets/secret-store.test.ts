/**
 * Secrets Manager's engine on each backend, below the wire: versions and labels, deletion
 * windows with reads that never write (a secret past its window is gone, and only the sweeper or
 * a write that reuses the name purges it), RestoreSecret after the window answering at once,
 * and every later write on the node still answering (finding 12's deadlock).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Coffer } from '../../../src/bootstrap/open-coffer.js';
import { expectError } from '../../helpers/expect-error.js';
import { BACKENDS, ctx, freshCoffer } from '../../helpers/test-stores.js';

const DAY = 86_400_000;

for (const backend of BACKENDS) {
  describe(`Secrets Manager engine: ${backend}`, () => {
    let coffer: Coffer;
    let done: () => Promise<void>;

    before(async () => {
      ({ coffer, done } = await freshCoffer(backend));
    });
    after(() => done());

    it('keeps versions with AWSCURRENT and AWSPREVIOUS, and a repeated token is a no-op', async () => {
      const store = coffer.secrets.store;
      const token = '11111111-1111-1111-1111-111111111111';
      await store.createSecret(ctx, { Name: 'e/one', SecretString: 'v1', ClientRequestToken: token });
      await store.createSecret(ctx, { Name: 'e/one', SecretString: 'v1', ClientRequestToken: token });
      await store.putSecretValue(ctx, { SecretId: 'e/one', SecretString: 'v2' });
      assert.equal((await store.getSecretValue(ctx, { SecretId: 'e/one' })).SecretString, 'v2');
      assert.equal(
        (await store.getSecretValue(ctx, { SecretId: 'e/one', VersionStage: 'AWSPREVIOUS' })).SecretString,
        'v1',
      );
      assert.equal((await store.getSecretValue(ctx, { SecretId: 'e/one', VersionId: token })).SecretString, 'v1');
    });

    it(
      'RestoreSecret after the recovery window answers ResourceNotFound at once, and the node keeps ' + 'writing',
      async () => {
        const { store } = coffer.secrets;
        await store.createSecret(ctx, { Name: 'e/expired', SecretString: 'old' });
        await store.deleteSecret(ctx, { SecretId: 'e/expired', RecoveryWindowInDays: 7 });
        await expectError(
          store.getSecretValue(ctx, { SecretId: 'e/expired' }),
          'InvalidRequestException',
          /marked for deletion/,
        );
        coffer.clock.advance(8 * DAY);
        await expectError(store.restoreSecret(ctx, { SecretId: 'e/expired' }), 'ResourceNotFoundException');
        await expectError(store.getSecretValue(ctx, { SecretId: 'e/expired' }), 'ResourceNotFoundException');
        await expectError(store.describeSecret(ctx, { SecretId: 'e/expired' }), 'ResourceNotFoundException');
        // Every later write on the node still answers.
        await store.putSecretValue(ctx, { SecretId: 'e/one', SecretString: 'v3' });
        await coffer.parameters.putParameter(ctx, { Name: '/after/restore', Value: 'v', Type: 'String' });
        // Reads did not purge: the rows are there until the sweeper (or a write of the name) removes them.
        assert.ok(await coffer.storage.getSecret(ctx, 'e/expired'));
        const listed = await coffer.secrets.listing.listSecrets(ctx, { IncludePlannedDeletion: true });
        assert.ok(!listed.SecretList!.some((s) => s.Name === 'e/expired'));
        assert.equal(await coffer.secrets.store.records.sweep(), 1);
        assert.equal(await coffer.storage.getSecret(ctx, 'e/expired'), undefined);
      },
    );

    it('CreateSecret reuses a name whose window has ended, purging the old secret in its own transaction', async () => {
      const store = coffer.secrets.store;
      await store.createSecret(ctx, { Name: 'e/reused', SecretString: 'first' });
      await store.deleteSecret(ctx, { SecretId: 'e/reused', RecoveryWindowInDays: 7 });
      await expectError(
        store.createSecret(ctx, { Name: 'e/reused', SecretString: 'second' }),
        'InvalidRequestException',
        /scheduled for deletion/,
      );
      coffer.clock.advance(8 * DAY);
      const created = await store.createSecret(ctx, { Name: 'e/reused', SecretString: 'second' });
      assert.equal((await store.getSecretValue(ctx, { SecretId: created.ARN })).SecretString, 'second');
      assert.equal((await store.listSecretVersionIds(ctx, { SecretId: 'e/reused' })).Versions!.length, 1);
    });

    it('a restore inside the window brings the secret back; the sweeper leaves it alone', async () => {
      const store = coffer.secrets.store;
      await store.createSecret(ctx, { Name: 'e/restored', SecretString: 'kept' });
      await store.deleteSecret(ctx, { SecretId: 'e/restored', RecoveryWindowInDays: 7 });
      await store.restoreSecret(ctx, { SecretId: 'e/restored' });
      coffer.clock.advance(30 * DAY);
      assert.equal(await store.records.sweep(), 0);
      assert.equal((await store.getSecretValue(ctx, { SecretId: 'e/restored' })).SecretString, 'kept');
    });

    it("RotateSecret writes its schedule and the secret's rotation settings together", async () => {
      await coffer.rotation.service.registerFunction(ctx, { Name: 'pw', Builtin: 'random-password' });
      await coffer.secrets.store.createSecret(ctx, { Name: 'e/rotated', SecretString: 'x' });
      await coffer.rotation.service.rotateSecret(ctx, {
        SecretId: 'e/rotated',
        RotationLambdaARN: 'pw',
        RotationRules: { AutomaticallyAfterDays: 10 },
        RotateImmediately: false,
      });
      const described = await coffer.secrets.store.describeSecret(ctx, { SecretId: 'e/rotated' });
      assert.equal(described.RotationEnabled, true);
      assert.ok(await coffer.storage.getRotationSchedule(ctx, 'secret', 'e/rotated'));
      await coffer.rotation.service.cancelRotateSecret(ctx, { SecretId: 'e/rotated' });
      assert.equal((await coffer.secrets.store.describeSecret(ctx, { SecretId: 'e/rotated' })).RotationEnabled, false);
      assert.equal(await coffer.storage.getRotationSchedule(ctx, 'secret', 'e/rotated'), undefined);
    });

    it("GetSecretValue reads in one query, its authorization's, and only for the secret authorized", async () => {
      const { store, permissions } = coffer.secrets;
      await store.createSecret(ctx, { Name: 'e/counted', SecretString: 'one' });
      await store.createSecret(ctx, { Name: 'e/other', SecretString: 'two' });
      // The day's LastAccessedDate written first, so the reads below write nothing.
      await store.getSecretValue(ctx, { SecretId: 'e/counted' });
      await store.getSecretValue(ctx, { SecretId: 'e/other' });
      const storage = coffer.storage as unknown as Record<string, (...args: unknown[]) => unknown>;
      const counted = ['getSecret', 'getSecretRowSet', 'listSecretVersions', 'listSecretStages'];
      let queries = 0;
      for (const method of counted) {
        const original = storage[method]!;
        storage[method] = function (this: unknown, ...args: unknown[]) {
          queries++;
          return original.apply(this, args);
        };
      }
      try {
        // As the pipeline runs it: the permissions, then the action, on the request's own context.
        const request = { ...ctx };
        await permissions.permissionsFor(request, 'GetSecretValue', { SecretId: 'e/counted' });
        assert.equal((await store.getSecretValue(request, { SecretId: 'e/counted' })).SecretString, 'one');
        assert.equal(queries, 1, 'one query for authorization and read together');
        queries = 0;
        assert.equal((await store.getSecretValue({ ...ctx }, { SecretId: 'e/counted' })).SecretString, 'one');
        assert.equal(queries, 1, 'one query without authorization (the root)');
        // A read of another secret than the one authorized reads it afresh.
        const mixed = { ...ctx };
        await permissions.permissionsFor(mixed, 'GetSecretValue', { SecretId: 'e/counted' });
        assert.equal((await store.getSecretValue(mixed, { SecretId: 'e/other' })).SecretString, 'two');
        // The record kept goes with its read: a second read on the same context reads again.
        const twice = { ...ctx };
        await permissions.permissionsFor(twice, 'GetSecretValue', { SecretId: 'e/counted' });
        await store.getSecretValue(twice, { SecretId: 'e/counted' });
        await store.putSecretValue(ctx, { SecretId: 'e/counted', SecretString: 'three' });
        assert.equal((await store.getSecretValue(twice, { SecretId: 'e/counted' })).SecretString, 'three');
        // The deletion window's checks apply to the record kept.
        await store.deleteSecret(ctx, { SecretId: 'e/other', RecoveryWindowInDays: 7 });
        const deleted = { ...ctx };
        await permissions.permissionsFor(deleted, 'GetSecretValue', { SecretId: 'e/other' });
        await expectError(
          store.getSecretValue(deleted, { SecretId: 'e/other' }),
          'InvalidRequestException',
          /marked for deletion/,
        );
        // An id that names nothing is resolved again, so a malformed one is told so.
        const missing = { ...ctx };
        await permissions.permissionsFor(missing, 'GetSecretValue', { SecretId: 'x'.repeat(2049) });
        await expectError(store.getSecretValue(missing, { SecretId: 'x'.repeat(2049) }), 'ValidationException');
      } finally {
        for (const method of counted) delete storage[method];
      }
    });
  });
}
