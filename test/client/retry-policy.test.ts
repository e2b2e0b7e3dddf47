/**
 * The retry policy: retries only what may succeed on a retry, stops after the attempts, and
 * pauses with full jitter, each pause within [0, min(maxMs, baseMs * 2^retry)).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CofferClientError } from '../../src/client/client-error.js';
import { RetryPolicy } from '../../src/client/retry-policy.js';

const throttled = () => new CofferClientError('ThrottlingException', 'slow down', { retryable: true, status: 400 });
const denied = () => new CofferClientError('AccessDeniedException', 'no', { status: 400 });

function policyOf(random: () => number, settings = { attempts: 3, baseMs: 100, maxMs: 5000 }) {
  const pauses: number[] = [];
  const policy = new RetryPolicy(settings, random, async (ms) => {
    pauses.push(ms);
  });
  return { policy, pauses };
}

function failing(...errors: Error[]) {
  const call = async () => {
    const error = errors[call.calls++];
    if (error) throw error;
    return 'ok';
  };
  call.calls = 0;
  return call;
}

describe('RetryPolicy', () => {
  it('retries retryable errors until one call succeeds', async () => {
    const { policy, pauses } = policyOf(() => 0.5);
    const call = failing(throttled(), throttled());
    assert.equal(await policy.run(call), 'ok');
    assert.equal(call.calls, 3);
    assert.deepEqual(pauses, [50, 100]);
  });

  it('raises the last error once the attempts are spent', async () => {
    const { policy } = policyOf(() => 0);
    const call = failing(throttled(), throttled(), throttled(), throttled());
    await assert.rejects(policy.run(call), { code: 'ThrottlingException' });
    assert.equal(call.calls, 3);
  });

  it('never retries an error a retry cannot cure, nor one that is not a CofferClientError', async () => {
    const { policy, pauses } = policyOf(() => 0);
    const call = failing(denied());
    await assert.rejects(policy.run(call), { code: 'AccessDeniedException' });
    const plain = failing(new Error('bug'));
    await assert.rejects(policy.run(plain), /bug/);
    assert.equal(call.calls + plain.calls, 2);
    assert.deepEqual(pauses, []);
  });

  it('keeps every pause within the capped exponential step (full jitter)', () => {
    const settings = { attempts: 10, baseMs: 100, maxMs: 5000 };
    const high = policyOf(() => 0.999_999, settings).policy;
    const low = policyOf(() => 0, settings).policy;
    const steps = [100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000];
    steps.forEach((step, retry) => {
      assert.equal(low.backoffMs(retry), 0);
      assert.ok(high.backoffMs(retry) < step && high.backoffMs(retry) >= step - 1, `retry ${retry}`);
    });
    assert.ok(high.backoffMs(60) < 5000, 'no overflow past the cap');
  });
});
