/** Conformance cases of the rotation domain (rotation-rows.ts): functions, schedules with one-winner leases, runs. */
import assert from 'node:assert/strict';
import type { RotationRunRow } from '../../../src/storage/storage.js';
import type { Exercise } from './exercise.js';
import { otherRegion, scope } from './fixtures.js';

const fn = {
  name: 'f',
  kind: 'http' as const,
  target: 'http://127.0.0.1:1/',
  options: '{}',
  keySealed: Buffer.from('k'),
  createdAt: 1,
};
const run: RotationRunRow = {
  runId: 'r1',
  ...scope,
  targetKind: 'secret',
  targetName: 'app/db',
  token: 't',
  status: 'pending',
  step: 'createSecret',
  error: null,
  attempts: 1,
  startedAt: 10,
  finishedAt: null,
};

export function rotationCases(exercise: Exercise): void {
  exercise('stores, replaces, lists and deletes rotation functions', async ({ storage }) => {
    await storage.transaction(async (tx) => {
      await tx.putRotationFunction(scope, fn);
      await tx.putRotationFunction(scope, { ...fn, name: 'b', kind: 'builtin', target: 'postgres-password' });
      await tx.putRotationFunction(scope, { ...fn, options: '{"timeout":5}' });
    });
    assert.deepEqual(await storage.getRotationFunction(scope, 'f'), { ...fn, options: '{"timeout":5}' });
    assert.equal(await storage.getRotationFunction(otherRegion, 'f'), undefined);
    assert.deepEqual(
      (await storage.listRotationFunctions(scope)).map((f) => [f.name, f.kind]),
      [
        ['b', 'builtin'],
        ['f', 'http'],
      ],
    );
    assert.equal(await storage.transaction((tx) => tx.deleteRotationFunction(scope, 'f')), true);
    assert.equal(await storage.transaction((tx) => tx.deleteRotationFunction(scope, 'f')), false);
    assert.deepEqual(
      (await storage.listRotationFunctions(scope)).map((f) => f.name),
      ['b'],
    );
  });

  exercise('keeps schedules with one-winner leases that only their holder releases', async ({ storage }) => {
    await storage.transaction(async (tx) => {
      await tx.putRotationSchedule({
        ...scope,
        targetKind: 'secret',
        targetName: 'app/db',
        config: '{"a":1}',
        nextDue: 100,
      });
      await tx.putRotationSchedule({ ...scope, targetKind: 'parameter', targetName: '/p', config: '{}', nextDue: 500 });
      await tx.putRotationSchedule({
        ...otherRegion,
        targetKind: 'secret',
        targetName: 'never',
        config: '{}',
        nextDue: null,
      });
    });
    assert.deepEqual(
      (await storage.listDueRotations(200, 10)).map((r) => r.targetName),
      ['app/db'],
    );
    assert.deepEqual(
      (await storage.listDueRotations(600, 10)).map((r) => r.targetName),
      ['app/db', '/p'],
      'soonest first',
    );
    assert.deepEqual(
      (await storage.listDueRotations(600, 1)).map((r) => r.targetName),
      ['app/db'],
    );
    const leases = await Promise.all(
      ['node-a', 'node-b', 'node-c'].map((owner) =>
        storage.transaction((tx) => tx.leaseRotation(scope, 'secret', 'app/db', owner, 200, 300)),
      ),
    );
    assert.equal(leases.filter(Boolean).length, 1, 'exactly one node gets the lease');
    assert.deepEqual(await storage.listDueRotations(250, 10), [], 'a leased schedule is not due for others');
    const owner = (await storage.getRotationSchedule(scope, 'secret', 'app/db'))!.leaseOwner!;
    assert.equal(
      await storage.transaction((tx) => tx.leaseRotation(scope, 'secret', 'app/db', owner, 250, 350)),
      false,
      'not even the holder takes it twice',
    );
    assert.equal(
      await storage.transaction((tx) => tx.leaseRotation(scope, 'secret', 'app/db', 'node-z', 301, 400)),
      true,
      'an expired lease can be taken',
    );
    await storage.transaction((tx) => tx.releaseRotation(scope, 'secret', 'app/db', owner, 999));
    assert.equal(
      (await storage.getRotationSchedule(scope, 'secret', 'app/db'))!.leaseOwner,
      'node-z',
      'only the holder releases',
    );
    await storage.transaction((tx) => tx.releaseRotation(scope, 'secret', 'app/db', 'node-z', 999));
    assert.deepEqual(await storage.getRotationSchedule(scope, 'secret', 'app/db'), {
      ...scope,
      targetKind: 'secret',
      targetName: 'app/db',
      config: '{"a":1}',
      nextDue: 999,
      leaseOwner: null,
      leaseUntil: null,
    });
    await storage.transaction((tx) => tx.leaseRotation(scope, 'parameter', '/p', 'node-a', 600, 700));
    await storage.transaction((tx) =>
      tx.putRotationSchedule({ ...scope, targetKind: 'parameter', targetName: '/p', config: '{"b":2}', nextDue: 800 }),
    );
    assert.deepEqual(
      await storage.getRotationSchedule(scope, 'parameter', '/p'),
      {
        ...scope,
        targetKind: 'parameter',
        targetName: '/p',
        config: '{"b":2}',
        nextDue: 800,
        leaseOwner: 'node-a',
        leaseUntil: 700,
      },
      'a replaced schedule keeps its lease',
    );
    await storage.transaction((tx) => tx.deleteRotationSchedule(scope, 'parameter', '/p'));
    assert.equal(await storage.getRotationSchedule(scope, 'parameter', '/p'), undefined);
    assert.equal(await storage.getRotationSchedule(otherRegion, 'secret', 'app/db'), undefined);
  });

  exercise(
    'records rotation runs, replacing by id, newest first by target or for the whole scope',
    async ({ storage }) => {
      await storage.transaction(async (tx) => {
        await tx.putRotationRun(run);
        await tx.putRotationRun({
          ...run,
          status: 'failed',
          step: 'testSecret',
          error: 'HTTP 500',
          attempts: 2,
          finishedAt: 20,
        });
        await tx.putRotationRun({ ...run, runId: 'r2', startedAt: 30 });
        await tx.putRotationRun({ ...run, runId: 'r3', targetKind: 'parameter', targetName: '/p', startedAt: 40 });
        await tx.putRotationRun({ ...run, ...otherRegion, runId: 'r4', startedAt: 50 });
      });
      assert.deepEqual(
        (await storage.listRotationRuns(scope, { kind: 'secret', name: 'app/db' }, 10)).map((r) => [
          r.runId,
          r.status,
          r.step,
          r.error,
          r.attempts,
          r.finishedAt,
        ]),
        [
          ['r2', 'pending', 'createSecret', null, 1, null],
          ['r1', 'failed', 'testSecret', 'HTTP 500', 2, 20],
        ],
      );
      assert.deepEqual(
        (await storage.listRotationRuns(scope, undefined, 10)).map((r) => r.runId),
        ['r3', 'r2', 'r1'],
      );
      assert.deepEqual(
        (await storage.listRotationRuns(scope, undefined, 2)).map((r) => r.runId),
        ['r3', 'r2'],
      );
      assert.deepEqual(await storage.listRotationRuns(scope, { kind: 'parameter', name: '/p' }, 10), [
        { ...run, runId: 'r3', targetKind: 'parameter', targetName: '/p', startedAt: 40 },
      ]);
    },
  );
}
