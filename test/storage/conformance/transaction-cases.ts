/**
 * Conformance cases of transactions: isolation of reads outside them, atomicity, independent group commits, commits
 * that do not
 * wait for the disk, refusal of nesting, transaction hooks, and the reset across domains.
 */
import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import { NestedTransactionError, workScopeEnabled } from '../../../src/storage/transaction-scope.js';
import type { Exercise } from './exercise.js';
import { put, row, scope } from './fixtures.js';

export function transactionCases(exercise: Exercise): void {
  exercise('rolls back every write of a failed transaction', async ({ storage }) => {
    await assert.rejects(
      storage.transaction(async (tx) => {
        await tx.insertVersion(scope, row('/rollback', 1));
        await tx.setLatestVersion(scope, '/rollback', 1);
        await tx.putMeta('rollback', Buffer.from('x'));
        await tx.putSecret(scope, { name: 'rollback', arn: 'arn:x', createdAt: 1, attributes: '{}', purgeAt: null });
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(await storage.getLatestVersion(scope, '/rollback'), undefined);
    assert.equal(await storage.getMeta('rollback'), undefined);
    assert.equal(await storage.getSecret(scope, 'rollback'), undefined);
  });

  exercise(
    'shows reads outside transactions only what is committed, while a transaction is half done and after it',
    async ({ storage }) => {
      await storage.transaction((tx) => tx.putMeta('isolated', Buffer.from('before')));
      let release!: () => void;
      const paused = new Promise<void>((resolve) => {
        release = resolve;
      });
      let written!: () => void;
      const halfway = new Promise<void>((resolve) => {
        written = resolve;
      });
      const pending = storage.transaction(async (tx) => {
        await tx.putMeta('isolated', Buffer.from('during'));
        await tx.putMeta('isolated-new', Buffer.from('x'));
        written();
        await paused;
      });
      await halfway;
      // The transaction has written and is waiting: its writes are not committed yet.
      assert.equal((await storage.getMeta('isolated'))!.toString(), 'before');
      assert.equal(await storage.getMeta('isolated-new'), undefined);
      release();
      await pending;
      assert.equal((await storage.getMeta('isolated'))!.toString(), 'during');
      assert.equal((await storage.getMeta('isolated-new'))!.toString(), 'x');
    },
  );

  exercise(
    'commits concurrent transactions independently: one failing among many changes nothing of its own',
    async ({ storage }) => {
      const outcomes = await Promise.allSettled(
        Array.from({ length: 12 }, (_, i) =>
          storage.transaction(async (tx) => {
            await tx.putMeta(`group-${i}`, Buffer.from(String(i)));
            if (i === 5) throw new Error('the fifth fails');
            return i;
          }),
        ),
      );
      assert.deepEqual(
        outcomes.map((o) => o.status),
        outcomes.map((_, i) => (i === 5 ? 'rejected' : 'fulfilled')),
      );
      assert.deepEqual(
        outcomes.filter((o) => o.status === 'fulfilled').map((o) => (o as PromiseFulfilledResult<number>).value),
        [0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11],
      );
      assert.equal(await storage.getMeta('group-5'), undefined);
      assert.equal((await storage.getMeta('group-11'))!.toString(), '11');
    },
  );

  exercise(
    'commits and rolls back alike when told not to wait for the disk, beside transactions that do',
    async ({ storage }) => {
      const outcomes = await Promise.allSettled([
        storage.transaction((tx) => tx.putMeta('fast', Buffer.from('1')), { sync: false }),
        storage.transaction((tx) => tx.putMeta('durable', Buffer.from('2'))),
        storage.transaction(
          async (tx) => {
            await tx.putMeta('fast-failed', Buffer.from('3'));
            throw new Error('fails');
          },
          { sync: false },
        ),
      ]);
      assert.deepEqual(
        outcomes.map((o) => o.status),
        ['fulfilled', 'fulfilled', 'rejected'],
      );
      assert.equal((await storage.getMeta('fast'))!.toString(), '1');
      assert.equal((await storage.getMeta('durable'))!.toString(), '2');
      assert.equal(await storage.getMeta('fast-failed'), undefined);
    },
  );

  exercise(
    'refuses a transaction begun inside another one at once, instead of waiting for ever',
    async ({ storage }) => {
      await assert.rejects(
        storage.transaction(async () => storage.transaction(async () => 1)),
        NestedTransactionError,
      );
      // The outer transaction failed cleanly; the next one runs.
      assert.equal(await storage.transaction(async () => 2), 2);
    },
  );

  exercise(
    'enables the work scope only while transactions run (it costs every promise while enabled)',
    async ({ storage }) => {
      assert.equal(workScopeEnabled(), false);
      const during = await Promise.all([1, 2, 3].map(() => storage.transaction(async () => workScopeEnabled())));
      assert.deepEqual(during, [true, true, true]);
      await assert.rejects(storage.transaction(async () => Promise.reject(new Error('no'))));
      assert.equal(workScopeEnabled(), false, 'disabled again once every transaction has settled');
      // Still caught once the scope was disabled and enabled again.
      await assert.rejects(
        storage.transaction(async () => storage.transaction(async () => 1)),
        NestedTransactionError,
      );
      assert.equal(workScopeEnabled(), false);
    },
  );

  exercise(
    "runs the transaction hook after each transaction's work, inside it, in the context of its caller",
    async ({ storage }) => {
      const caller = new AsyncLocalStorage<string>();
      storage.useTransactionHook(async (tx) => {
        const who = caller.getStore() ?? 'nobody';
        const work = await tx.getMeta(`work-${who}`);
        await tx.putMeta(`hook-${who}`, Buffer.from(`saw ${work?.toString() ?? 'nothing'}`));
      });
      await Promise.all(
        ['a', 'b', 'c'].map((who) =>
          caller.run(who, () => storage.transaction((tx) => tx.putMeta(`work-${who}`, Buffer.from(who)))),
        ),
      );
      for (const who of ['a', 'b', 'c']) assert.equal((await storage.getMeta(`hook-${who}`))?.toString(), `saw ${who}`);
      await storage.transaction(async () => {});
      assert.equal(
        (await storage.getMeta('hook-nobody'))?.toString(),
        'saw nothing',
        'a transaction without writes runs the hook too',
      );
    },
  );

  exercise("tells the hook's callback, once committed, that its transaction committed", async ({ storage }) => {
    const told: [string, boolean, Promise<Buffer | undefined>][] = [];
    storage.useTransactionHook(async (tx) => {
      const mark = (await tx.getMeta('marked'))?.toString();
      if (!mark) return;
      // What a read outside the transaction sees when the callback runs.
      return (committed) => {
        told.push([mark, committed, storage.getMeta('marked')]);
      };
    });
    await storage.transaction(async () => {});
    assert.equal(told.length, 0, 'no callback: nothing to tell');
    await storage.transaction((tx) => tx.putMeta('marked', Buffer.from('m1')));
    assert.deepEqual(
      told.map(([mark, committed]) => [mark, committed]),
      [['m1', true]],
    );
    assert.equal((await told[0]![2])?.toString(), 'm1', 'told after the commit: a read outside sees the write');
    await assert.rejects(
      storage.transaction(async (tx) => {
        await tx.putMeta('marked', Buffer.from('m2'));
        throw new Error('work fails before the hook');
      }),
    );
    assert.equal(told.length, 1, 'a transaction whose work failed never reached its hook');
  });

  exercise('rolls a transaction back when its hook throws, and leaves the others be', async ({ storage }) => {
    storage.useTransactionHook(async (tx) => {
      if (await tx.getMeta('doomed')) throw new Error('the hook refuses');
    });
    const outcomes = await Promise.allSettled([
      storage.transaction((tx) => tx.putMeta('doomed', Buffer.from('x'))),
      storage.transaction((tx) => tx.putMeta('fine', Buffer.from('y'))),
    ]);
    assert.equal(outcomes[0]!.status, 'rejected');
    assert.match(String((outcomes[0] as PromiseRejectedResult).reason), /the hook refuses/);
    assert.equal(outcomes[1]!.status, 'fulfilled');
    assert.equal(await storage.getMeta('doomed'), undefined);
    assert.equal((await storage.getMeta('fine'))?.toString(), 'y');
  });

  exercise(
    'resets parameters, tags, IAM entities, secrets and rotation schedules and runs, keeping keys, access keys, ' +
      'functions, meta and audit',
    async ({ storage }) => {
      await put(storage, scope, row('/p', 1));
      await storage.transaction(async (tx) => {
        await tx.putLabel(scope, '/p', 'l', 1);
        await tx.putTag(scope, 'Parameter', { resourceId: '/p', key: 'k', value: 'v' });
        await tx.putIamEntity({
          account: scope.account,
          kind: 'user',
          name: 'ann',
          id: 'AIDA1',
          arn: 'arn:u',
          path: '/',
          createdAt: 1,
          attributes: '{}',
        });
        await tx.putIamDocument({
          ownerArn: 'arn:u',
          docKind: 'inline',
          docName: 'd',
          account: scope.account,
          document: '{}',
          createdAt: 1,
        });
        await tx.putIamLink({ link: 'attached', fromArn: 'arn:u', toArn: 'arn:p', account: scope.account });
        await tx.putSecret(scope, { name: 's', arn: 'arn:s', createdAt: 1, attributes: '{}', purgeAt: null });
        await tx.insertSecretVersion(scope, 's', {
          versionId: 'v',
          createdAt: 1,
          kind: 'string',
          value: Buffer.from('x'),
          fingerprint: 'f',
        });
        await tx.putSecretStage(scope, 's', { stage: 'AWSCURRENT', versionId: 'v' });
        await tx.putRotationSchedule({ ...scope, targetKind: 'secret', targetName: 's', config: '{}', nextDue: 1 });
        await tx.putRotationRun({
          runId: 'r',
          ...scope,
          targetKind: 'secret',
          targetName: 's',
          token: 't',
          status: 'pending',
          step: null,
          error: null,
          attempts: 0,
          startedAt: 1,
          finishedAt: null,
        });
        await tx.putRotationFunction(scope, {
          name: 'f',
          kind: 'builtin',
          target: 'x',
          options: '{}',
          keySealed: Buffer.from('k'),
          createdAt: 1,
        });
        await tx.insertAccessKey({
          accessKeyId: 'AKIAKEPT',
          account: scope.account,
          principalArn: 'arn:u',
          ownerId: 'AIDA1',
          secretSealed: Buffer.from('s'),
          status: 'Active',
          createdAt: 1,
        });
        await tx.insertKey({
          keyId: 'k',
          ...scope,
          description: '',
          keyManager: 'AWS',
          createdAt: 1,
          currentMaterial: 1,
          enabled: true,
          attributes: null,
        });
        await tx.putMeta('kept', Buffer.from('m'));
        await tx.putTag(scope, 'Key', { resourceId: 'k', key: 'guard', value: 'kept' });
        await tx.insertAuditOutbox({ eventId: 'e', createdAt: 1, record: '{}', names: '[]' });
      });
      await storage.transaction((tx) => tx.deleteAllParameters());
      // Keys survive the reset with their tags (an aws:ResourceTag Deny on a key still applies).
      assert.deepEqual(
        (await storage.listTags(scope, 'Key', ['k'])).map((t) => [t.key, t.value]),
        [['guard', 'kept']],
      );
      assert.deepEqual(await storage.listLatest(scope, { limit: 10 }), []);
      assert.equal((await storage.versionSpan(scope, '/p')).count, 0);
      assert.deepEqual(await storage.listLabels(scope, '/p'), []);
      assert.deepEqual(await storage.listTags(scope, 'Parameter', ['/p']), []);
      assert.deepEqual(await storage.listIamEntities(scope.account, 'user'), []);
      assert.deepEqual(await storage.listIamDocuments('arn:u', 'inline'), []);
      assert.deepEqual(await storage.listIamLinks('attached', { fromArn: 'arn:u' }), []);
      assert.deepEqual(await storage.listSecrets(scope), []);
      assert.deepEqual(await storage.listSecretVersions(scope, 's'), []);
      assert.deepEqual(await storage.listSecretStages(scope, 's'), []);
      assert.equal(await storage.getRotationSchedule(scope, 'secret', 's'), undefined);
      assert.deepEqual(await storage.listRotationRuns(scope, undefined, 10), []);
      assert.equal((await storage.getRotationFunction(scope, 'f'))?.name, 'f');
      assert.equal((await storage.getAccessKey('AKIAKEPT'))?.accessKeyId, 'AKIAKEPT');
      assert.equal((await storage.listKeys()).length, 1);
      assert.equal((await storage.getMeta('kept'))?.toString(), 'm');
      assert.deepEqual(
        (await storage.listAuditOutbox(1, 10)).map((r) => r.eventId),
        ['e'],
        'the audit outbox stays',
      );
    },
  );
}
