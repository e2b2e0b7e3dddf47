/**
 * Applying and verifying: retries on throttling, failures recorded by name while the rest go
 * on, a rerun after an interruption that writes each entry once, and verification by keyed
 * hash that catches a value changed behind the sync's back without printing it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CofferClientError } from '../../../src/client/client-error.js';
import { RetryPolicy } from '../../../src/client/retry-policy.js';
import {
  applyPlan,
  keyedHash,
  planDiffers,
  planSync,
  verifySync,
  type SyncEntry,
} from '../../../src/client/sync/index.js';
import { MemorySyncStore } from './memory-sync-store.js';

const entries = (n: number): SyncEntry[] =>
  Array.from({ length: n }, (_, i) => ({ name: `app/key-${String(i).padStart(2, '0')}`, value: `value-${i}` }));
const pauses: number[] = [];
const retry = () =>
  new RetryPolicy(
    { attempts: 4, baseMs: 100, maxMs: 1_000 },
    () => 0.5,
    async (ms) => {
      pauses.push(ms);
    },
  );

describe('sync apply and verify', () => {
  it('resumes an interrupted sync: the rerun writes only what is missing, each entry once', async () => {
    const source = new MemorySyncStore('src', entries(10));
    const destination = new MemorySyncStore('dst');
    destination.failAfter = 4;
    const first = await applyPlan(await planSync(source, destination), destination, { retry: retry() });
    assert.equal(first.written, 4);
    assert.equal(first.failed.length, 6);
    assert.ok(first.failed.every((f) => f.message === 'the destination went away'));
    destination.failAfter = undefined;
    const plan = await planSync(source, destination);
    assert.equal(plan.changes.filter((c) => c.action === 'create').length, 6);
    const second = await applyPlan(plan, destination, { retry: retry() });
    assert.deepEqual([second.written, second.failed.length], [6, 0]);
    assert.ok([...destination.writes.values()].every((count) => count === 1));
    assert.equal(destination.entries.size, 10);
    assert.equal(planDiffers(await planSync(source, destination)), false);
  });

  it('retries throttling with backoff, and gives up on an error a retry cannot cure', async () => {
    const source = new MemorySyncStore('src', entries(2));
    const destination = new MemorySyncStore('dst');
    destination.transient.push(
      new CofferClientError('ThrottlingException', 'slow down', { retryable: true, status: 400 }),
      new CofferClientError('InternalServerError', 'oops', { retryable: true, status: 500 }),
    );
    pauses.length = 0;
    const outcome = await applyPlan(await planSync(source, destination), destination, { retry: retry() });
    assert.deepEqual([outcome.written, outcome.failed.length], [2, 0]);
    assert.deepEqual(pauses, [50, 100]);
    destination.entries.clear();
    destination.transient.push(new CofferClientError('AccessDeniedException', 'no', { status: 400 }));
    const denied = await applyPlan(await planSync(source, destination), destination, { retry: retry() });
    assert.deepEqual(denied.failed, [{ name: 'app/key-00', code: 'AccessDeniedException', message: 'no' }]);
    assert.equal(denied.written, 1);
  });

  it('verifies by keyed hash and names the first value changed behind its back', async () => {
    const source = new MemorySyncStore('src', entries(3));
    const destination = new MemorySyncStore('dst');
    const plan = await planSync(source, destination);
    const outcome = await applyPlan(plan, destination);
    assert.deepEqual(await verifySync(plan, destination, outcome), { checked: 3, differences: 0 });
    destination.entries.set('app/key-01', { name: 'app/key-01', value: 'tampered' });
    destination.entries.delete('app/key-02');
    const result = await verifySync(plan, destination, outcome);
    assert.deepEqual(result, {
      checked: 3,
      differences: 2,
      firstDifference: { name: 'app/key-01', problem: 'value differs' },
    });
    assert.ok(!JSON.stringify(result).includes('value-1'));
  });

  it('keys its hashes per run', () => {
    const a = keyedHash(new Uint8Array(32).fill(1), 'secret');
    assert.notEqual(a, keyedHash(new Uint8Array(32).fill(2), 'secret'));
    assert.equal(keyedHash(new Uint8Array(32).fill(1), Buffer.from('secret')), a);
  });
});
