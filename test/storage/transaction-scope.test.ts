/**
 * The work scope (transaction-scope.ts) is enabled only while scoped work runs, following the
 * value the work returns: a promise, or any thenable, until it settles.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { currentTag, runTagged, workScopeEnabled } from '../../src/storage/transaction-scope.js';

it('stays enabled until the thenable a tagged work returns settles, and sees the tag meanwhile', async () => {
  let settle: (value: string) => void = () => {};
  // biome-ignore lint/suspicious/noThenProperty: a thenable that is no Promise is what this case is about
  const thenable = { then: (resolve: (value: string) => void) => (settle = resolve) };
  let seen: unknown;
  const running = runTagged('draft', () => {
    void Promise.resolve().then(() => {
      seen = currentTag();
    });
    return thenable as unknown as PromiseLike<string>;
  });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(seen, 'draft');
  assert.equal(workScopeEnabled(), true);
  settle('done');
  assert.equal(await running, 'done');
  assert.equal(workScopeEnabled(), false);
  assert.equal(currentTag(), undefined);
});

it('runs untagged work outside any scope directly, leaving the scope disabled', async () => {
  assert.equal(await runTagged(undefined, async () => workScopeEnabled()), false);
  assert.equal(
    runTagged(undefined, () => 1),
    1,
  );
});
