/** How many workers `coffer serve` runs: --workers, else COFFER_WORKERS, else one per core. */
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { describe, it } from 'node:test';
import { UsageError } from '../../src/cli/cli-command.js';
import { workerCount } from '../../src/cli/worker-pool.js';

describe('workerCount', () => {
  it('is one per core by default, COFFER_WORKERS when set, --workers over both', () => {
    assert.equal(workerCount(undefined, {}), Math.min(availableParallelism(), 64));
    assert.equal(workerCount(undefined, { COFFER_WORKERS: '' }), Math.min(availableParallelism(), 64));
    assert.equal(workerCount(undefined, { COFFER_WORKERS: '3' }), 3);
    assert.equal(workerCount('1', { COFFER_WORKERS: '3' }), 1);
  });

  it('refuses what is not a whole number from 1 to 64', () => {
    for (const text of ['0', '-1', '1.5', 'two', '65', ' '])
      assert.throws(
        () => workerCount(text, {}),
        (error: Error) => error instanceof UsageError && /1 to 64/.test(error.message),
      );
  });
});
