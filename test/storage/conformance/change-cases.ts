/** Conformance cases of the change log domain (change-rows.ts). */
import assert from 'node:assert/strict';
import type { ChangeRowInput } from '../../../src/storage/storage.js';
import type { Exercise } from './exercise.js';

const change = (name: string, at: number, version = '1'): ChangeRowInput => ({
  account: '123456789012',
  region: 'us-east-1',
  kind: 'parameter',
  name,
  arn: `arn:aws:ssm:us-east-1:123456789012:parameter${name}`,
  version,
  operation: 'PutParameter',
  at,
});

export function changeCases(exercise: Exercise): void {
  exercise(
    'appends changes in sequence, lists them after a point, by number, and prunes old ones',
    async ({ storage }) => {
      assert.deepEqual(await storage.changeBounds(), { oldest: 0, latest: 0 });
      await storage.transaction(async (tx) => {
        await tx.appendChange(change('/a', 1000));
        await tx.appendChange(change('/b', 2000, '2'));
      });
      await storage.transaction((tx) => tx.appendChange(change('/c', 3000)));
      // A rolled-back change is never seen.
      await storage
        .transaction(async (tx) => {
          await tx.appendChange(change('/gone', 3500));
          throw new Error('rolled back');
        })
        .catch(() => {});
      const all = await storage.listChanges(0, 10);
      assert.deepEqual(
        all.map((c) => [c.name, c.version, c.at]),
        [
          ['/a', '1', 1000],
          ['/b', '2', 2000],
          ['/c', '1', 3000],
        ],
      );
      assert.ok(all[0]!.seq < all[1]!.seq && all[1]!.seq < all[2]!.seq);
      assert.deepEqual(all[1], { ...change('/b', 2000, '2'), seq: all[1]!.seq });
      assert.deepEqual(
        (await storage.listChanges(all[0]!.seq, 1)).map((c) => c.name),
        ['/b'],
      );
      assert.deepEqual(
        (await storage.listChangesBySeq([all[2]!.seq, all[0]!.seq, 999_999])).map((c) => c.name),
        ['/a', '/c'],
      );
      assert.deepEqual(await storage.listChangesBySeq([]), []);
      assert.deepEqual(await storage.changeBounds(), { oldest: all[0]!.seq, latest: all[2]!.seq });
      // Pruning everything before the end keeps the latest row: the head stays known.
      assert.equal(await storage.transaction((tx) => tx.pruneChanges(10_000)), 2);
      assert.deepEqual(await storage.changeBounds(), { oldest: all[2]!.seq, latest: all[2]!.seq });
    },
  );

  exercise('tells watchers once a change has committed', async ({ storage, backend }) => {
    let told = 0;
    const stop = storage.watchChanges(() => told++);
    const waitFor = async (count: number) => {
      const deadline = Date.now() + 5000;
      while (told < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      return told >= count;
    };
    try {
      // PostgreSQL's listener connects in the background and says so once it listens.
      if (backend === 'postgres') assert.ok(await waitFor(1), 'the listener says when it listens');
      const before = told;
      await storage.transaction((tx) => tx.appendChange(change('/w', Date.now())));
      assert.ok(await waitFor(before + 1), 'a committed change wakes the watcher');
    } finally {
      stop();
    }
  });
}
