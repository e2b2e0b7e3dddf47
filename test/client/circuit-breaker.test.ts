/**
 * The circuit breaker's transitions on a fake clock: closed to open after consecutive failures,
 * failing fast while open, one half-open probe after resetMs, closed on its success and open
 * again on its failure; answers that are not failures count as success.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CircuitBreaker, type BreakerState } from '../../src/client/circuit-breaker.js';
import { CofferClientError } from '../../src/client/client-error.js';
import { deferred, FakeTime } from './fake-time.js';

const down = () => Promise.reject(new CofferClientError('NetworkingError', 'no answer', { retryable: true }));
const up = () => Promise.resolve('ok');
const absent = () => Promise.reject(new CofferClientError('ParameterNotFound', 'not found', { status: 400 }));

function breakerOf(time: FakeTime) {
  const transitions: string[] = [];
  const breaker = new CircuitBreaker('test', { failureThreshold: 3, resetMs: 10_000 }, time, (from, to) =>
    transitions.push(`${from}->${to}`),
  );
  return { breaker, transitions };
}

async function fail(breaker: CircuitBreaker, times: number): Promise<void> {
  for (let i = 0; i < times; i++) await assert.rejects(breaker.run(down), { code: 'NetworkingError' });
}

describe('CircuitBreaker', () => {
  it('opens after failureThreshold consecutive failures and then fails fast', async () => {
    const time = new FakeTime();
    const { breaker, transitions } = breakerOf(time);
    await fail(breaker, 2);
    assert.equal(breaker.state, 'closed');
    await fail(breaker, 1);
    assert.equal(breaker.state, 'open');
    let called = false;
    await assert.rejects(
      breaker.run(async () => {
        called = true;
      }),
      (error: CofferClientError) => error.code === 'CircuitOpen' && !error.retryable,
    );
    assert.equal(called, false);
    assert.deepEqual(transitions, ['closed->open']);
  });

  it('counts consecutive failures only: a success in between starts the count again', async () => {
    const { breaker } = breakerOf(new FakeTime());
    await fail(breaker, 2);
    await breaker.run(up);
    await fail(breaker, 2);
    assert.equal(breaker.state, 'closed');
  });

  it('takes a definitive answer (not found) for proof the store is up', async () => {
    const { breaker } = breakerOf(new FakeTime());
    await fail(breaker, 2);
    await assert.rejects(breaker.run(absent), { code: 'ParameterNotFound' });
    await fail(breaker, 2);
    assert.equal(breaker.state, 'closed');
  });

  it('lets one probe through after resetMs, and closes when it succeeds', async () => {
    const time = new FakeTime();
    const { breaker, transitions } = breakerOf(time);
    await fail(breaker, 3);
    time.advance(9_999);
    await assert.rejects(breaker.run(up), { code: 'CircuitOpen' });
    time.advance(1);
    const probe = deferred<string>();
    const probing = breaker.run(() => probe.promise);
    assert.equal(breaker.state, 'half-open');
    await assert.rejects(breaker.run(up), { code: 'CircuitOpen' }, 'only one probe at a time');
    probe.resolve('ok');
    assert.equal(await probing, 'ok');
    assert.equal(breaker.state, 'closed');
    assert.equal(await breaker.run(up), 'ok');
    assert.deepEqual(transitions, ['closed->open', 'open->half-open', 'half-open->closed']);
  });

  it('opens again when the probe fails, for another resetMs', async () => {
    const time = new FakeTime();
    const { breaker, transitions } = breakerOf(time);
    await fail(breaker, 3);
    time.advance(10_000);
    await fail(breaker, 1);
    assert.equal(breaker.state, 'open');
    time.advance(9_999);
    await assert.rejects(breaker.run(up), { code: 'CircuitOpen' });
    time.advance(1);
    assert.equal(await breaker.run(up), 'ok');
    const expected: string[] = ['closed->open', 'open->half-open', 'half-open->open', 'open->half-open'];
    assert.deepEqual(transitions, [...expected, 'half-open->closed']);
    assert.equal(breaker.state satisfies BreakerState, 'closed');
  });
});
