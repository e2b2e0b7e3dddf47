/** Conformance cases of the parameter-policy domain (policy-action-rows.ts): planned actions and one-winner leases. */
import assert from 'node:assert/strict';
import type { PlannedPolicyAction } from '../../../src/storage/storage.js';
import type { Exercise } from './exercise.js';
import { otherRegion, scope } from './fixtures.js';

const expiration: PlannedPolicyAction = {
  slot: 0,
  version: 2,
  policyType: 'Expiration',
  due: 100,
  status: 'Pending',
  attempts: 0,
};
const notice: PlannedPolicyAction = { ...expiration, slot: 1, policyType: 'ExpirationNotification', due: 50 };

export function policyActionCases(exercise: Exercise): void {
  exercise("replaces a parameter's planned actions and lists them by slot", async ({ storage }) => {
    await storage.transaction((tx) => tx.replacePolicyActions(scope, '/p', [notice, expiration]));
    await storage.transaction((tx) => tx.replacePolicyActions(otherRegion, '/p', [expiration]));
    const listed = await storage.listPolicyActions(scope, '/p');
    assert.deepEqual(
      listed.map((a) => [a.slot, a.policyType, a.due, a.status, a.version, a.attempts, a.leaseOwner, a.leaseUntil]),
      [
        [0, 'Expiration', 100, 'Pending', 2, 0, null, null],
        [1, 'ExpirationNotification', 50, 'Pending', 2, 0, null, null],
      ],
    );
    assert.equal(listed[0]!.name, '/p');
    assert.equal(listed[0]!.account, scope.account);
    await storage.transaction((tx) => tx.replacePolicyActions(scope, '/p', [{ ...expiration, due: null }]));
    assert.deepEqual(
      (await storage.listPolicyActions(scope, '/p')).map((a) => [a.slot, a.due]),
      [[0, null]],
    );
    await storage.transaction((tx) => tx.replacePolicyActions(scope, '/p', []));
    assert.deepEqual(await storage.listPolicyActions(scope, '/p'), []);
    assert.equal((await storage.listPolicyActions(otherRegion, '/p')).length, 1, 'other scopes keep theirs');
  });

  exercise(
    'lists due actions of every scope, soonest first, skipping leased, finished, failed and undated ones',
    async ({ storage }) => {
      await storage.transaction(async (tx) => {
        await tx.replacePolicyActions(scope, '/a', [expiration, notice]);
        await tx.replacePolicyActions(otherRegion, '/b', [{ ...expiration, due: 70 }]);
        await tx.replacePolicyActions(scope, '/c', [
          { ...expiration, due: null },
          { ...notice, status: 'Finished' },
          { ...expiration, slot: 2, status: 'Failed' },
        ]);
        await tx.replacePolicyActions(scope, '/d', [{ ...expiration, due: 500 }]);
      });
      const due = await storage.listDuePolicyActions(100, 10);
      assert.deepEqual(
        due.map((a) => [a.region, a.name, a.slot]),
        [
          [scope.region, '/a', 1],
          [otherRegion.region, '/b', 0],
          [scope.region, '/a', 0],
        ],
      );
      assert.equal((await storage.listDuePolicyActions(100, 1)).length, 1);
      assert.ok(await storage.transaction((tx) => tx.leasePolicyAction(scope, '/a', 1, 'n1', 100, 200)));
      assert.deepEqual(
        (await storage.listDuePolicyActions(150, 10)).map((a) => a.name),
        ['/b', '/a'],
        'a leased action is not due until its lease ends',
      );
      assert.equal((await storage.listDuePolicyActions(201, 10)).length, 3);
    },
  );

  exercise(
    'leases an action to one owner, marks it InProgress, and releases it with its outcome',
    async ({ storage }) => {
      await storage.transaction((tx) => tx.replacePolicyActions(scope, '/a', [expiration]));
      assert.equal(
        await storage.transaction((tx) => tx.leasePolicyAction(scope, '/a', 0, 'n1', 99, 200)),
        false,
        'not before it is due',
      );
      const [first, second] = await Promise.all([
        storage.transaction((tx) => tx.leasePolicyAction(scope, '/a', 0, 'n1', 100, 200)),
        storage.transaction((tx) => tx.leasePolicyAction(scope, '/a', 0, 'n2', 100, 200)),
      ]);
      assert.deepEqual([first, second].sort(), [false, true], 'exactly one owner wins');
      const winner = first ? 'n1' : 'n2';
      const [leased] = await storage.listPolicyActions(scope, '/a');
      assert.deepEqual([leased!.status, leased!.leaseOwner, leased!.leaseUntil], ['InProgress', winner, 200]);
      // Another owner's release changes nothing, and says so.
      assert.equal(
        await storage.transaction((tx) =>
          tx.releasePolicyAction(scope, '/a', 0, winner === 'n1' ? 'n2' : 'n1', {
            status: 'Failed',
            due: null,
            attempts: 9,
          }),
        ),
        false,
      );
      assert.equal((await storage.listPolicyActions(scope, '/a'))[0]!.status, 'InProgress');
      assert.equal(
        await storage.transaction((tx) =>
          tx.releasePolicyAction(scope, '/a', 0, winner, { status: 'Pending', due: 300, attempts: 1 }),
        ),
        true,
      );
      const [released] = await storage.listPolicyActions(scope, '/a');
      assert.deepEqual(
        [released!.status, released!.due, released!.attempts, released!.leaseOwner, released!.leaseUntil],
        ['Pending', 300, 1, null, null],
      );
      // An expired lease can be taken over.
      assert.ok(await storage.transaction((tx) => tx.leasePolicyAction(scope, '/a', 0, 'n3', 300, 400)));
      assert.ok(await storage.transaction((tx) => tx.leasePolicyAction(scope, '/a', 0, 'n4', 401, 500)));
      await storage.transaction((tx) =>
        tx.releasePolicyAction(scope, '/a', 0, 'n4', { status: 'Finished', due: 300, attempts: 1 }),
      );
      assert.equal(
        await storage.transaction((tx) => tx.leasePolicyAction(scope, '/a', 0, 'n5', 600, 700)),
        false,
        'a finished action is never leased again',
      );
    },
  );

  exercise('the reset removes every planned action', async ({ storage }) => {
    await storage.transaction((tx) => tx.replacePolicyActions(scope, '/a', [expiration]));
    await storage.transaction((tx) => tx.deleteAllParameters());
    assert.deepEqual(await storage.listPolicyActions(scope, '/a'), []);
  });
}
