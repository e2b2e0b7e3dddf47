/**
 * ValueCache on a fake clock: max age and its jitter, single flight, refresh-ahead,
 * stale-if-error and its bound, negative caching, invalidation (loads in flight included), and
 * the LRU bounds on entries and bytes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CofferClientError } from '../../src/client/client-error.js';
import { ValueCache, type ValueCacheSettings } from '../../src/client/value-cache.js';
import { deferred, FakeTime } from './fake-time.js';

const unavailable = () => new CofferClientError('NetworkingError', 'no answer', { retryable: true });
const notFound = () => new CofferClientError('ParameterNotFound', 'Parameter /x not found.', { status: 400 });

function cacheOf(time: FakeTime, settings: Partial<ValueCacheSettings<string>> = {}) {
  return new ValueCache<string>({ clock: time, random: () => 0, jitter: 0, refreshAheadRatio: 1, ...settings });
}

/** A loader that counts its calls and answers from a list (the last answer repeats). */
function counting(...answers: (string | Error)[]) {
  const loader = async () => {
    const answer = answers[Math.min(loader.calls++, answers.length - 1)]!;
    if (answer instanceof Error) throw answer;
    return answer;
  };
  loader.calls = 0;
  return loader;
}

describe('ValueCache', () => {
  it('expireAll makes entries and loads in flight read again on next use, still served stale', async () => {
    const time = new FakeTime();
    const cache = cacheOf(time, { maxAgeMs: 60_000, staleIfErrorMs: 60_000 });
    const load = counting('old', unavailable(), 'new');
    assert.equal(await cache.get('k', load), 'old');
    const slow = deferred<string>();
    const inFlight = cache.get('f', () => slow.promise);
    cache.expireAll();
    slow.resolve('f-old');
    assert.equal(await inFlight, 'f-old');
    assert.equal(cache.freshValue('f'), undefined, 'a load begun before is stored expired');
    assert.equal(await cache.get('k', load), 'old', 'read again: unavailable, so served stale');
    assert.equal(await cache.get('k', load), 'new');
    assert.equal(load.calls, 3);
  });

  it('answers freshValue only for a fresh value not due for refresh, counting a hit, in LRU order', async () => {
    const time = new FakeTime();
    const cache = cacheOf(time, { maxAgeMs: 1000, refreshAheadRatio: 0.5, maxEntries: 2 });
    assert.equal(cache.freshValue('a'), undefined);
    await cache.get('a', counting('va'));
    await cache.get('b', counting('vb'));
    assert.equal(cache.freshValue('a'), 'va', 'a is now the most recently used; b, stored last, is not');
    await cache.get('c', counting('vc'));
    assert.equal(cache.peek('b'), undefined, 'the least recently used entry went');
    assert.equal(cache.freshValue('a'), 'va');
    assert.equal(cache.stats().hits, 2);
    time.advance(500);
    assert.equal(cache.freshValue('a'), undefined, 'due for refresh-ahead: get() must take it');
    await assert.rejects(cache.get('n', async () => Promise.reject(notFound())));
    assert.equal(cache.freshValue('n'), undefined, 'a negative entry is no value');
  });

  it('serves a value until its max age, then loads again', async () => {
    const time = new FakeTime();
    const cache = cacheOf(time, { maxAgeMs: 1000 });
    const load = counting('v1', 'v2');
    assert.equal(await cache.get('k', load), 'v1');
    time.advance(999);
    assert.equal(await cache.get('k', load), 'v1');
    time.advance(1);
    assert.equal(await cache.get('k', load), 'v2');
    assert.equal(load.calls, 2);
    assert.deepEqual(
      { hits: cache.stats().hits, misses: cache.stats().misses, entries: cache.stats().entries },
      { hits: 1, misses: 2, entries: 1 },
    );
  });

  it('cuts each max age by a random fraction within the jitter', async () => {
    for (const [random, expiresAfter] of [
      [0, 1000],
      [0.5, 950],
      [0.999, 900.1],
    ] as const) {
      const time = new FakeTime();
      const cache = cacheOf(time, { maxAgeMs: 1000, jitter: 0.1, random: () => random });
      const load = counting('a', 'b');
      await cache.get('k', load);
      time.advance(Math.ceil(expiresAfter) - 1);
      assert.equal(await cache.get('k', load), 'a', `fresh before ${expiresAfter} ms (random ${random})`);
      time.advance(1);
      assert.equal(await cache.get('k', load), 'b', `expired at ${expiresAfter} ms (random ${random})`);
    }
  });

  it('keeps nothing when the max age is zero', async () => {
    const cache = cacheOf(new FakeTime(), { maxAgeMs: 0 });
    const load = counting('a', 'b');
    assert.equal(await cache.get('k', load), 'a');
    assert.equal(await cache.get('k', load), 'b');
    assert.equal(cache.stats().entries, 0);
  });

  it('loads a cold key once for a thousand concurrent readers', async () => {
    const cache = cacheOf(new FakeTime(), { maxAgeMs: 1000 });
    const gate = deferred<string>();
    let calls = 0;
    const loader = () => {
      calls++;
      return gate.promise;
    };
    const reads = Array.from({ length: 1000 }, () => cache.get('k', loader));
    gate.resolve('v');
    assert.deepEqual(new Set(await Promise.all(reads)), new Set(['v']));
    assert.equal(calls, 1);
  });

  it('refreshes ahead: a late read is served at once and one background load replaces the entry', async () => {
    const time = new FakeTime();
    const cache = cacheOf(time, { maxAgeMs: 1000, refreshAheadRatio: 0.75 });
    const refreshed: string[] = [];
    cache.on('refresh', ({ key }) => refreshed.push(key));
    await cache.get('k', async () => 'old');
    time.advance(750);
    const gate = deferred<string>();
    let calls = 0;
    const loader = () => {
      calls++;
      return gate.promise;
    };
    assert.equal(await cache.get('k', loader), 'old');
    assert.equal(await cache.get('k', loader), 'old');
    assert.equal(calls, 1);
    gate.resolve('new');
    await gate.promise;
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(await cache.get('k', loader), 'new');
    assert.deepEqual(refreshed, ['k']);
    assert.equal(cache.stats().refreshes, 1);
  });

  it('keeps serving the old value when a background refresh fails', async () => {
    const time = new FakeTime();
    const cache = cacheOf(time, { maxAgeMs: 1000, refreshAheadRatio: 0.5 });
    await cache.get('k', async () => 'old');
    time.advance(600);
    assert.equal(await cache.get('k', counting(unavailable())), 'old');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(await cache.get('k', counting('never')), 'old');
  });

  it('serves a stale value while loads fail for unavailability, within staleIfErrorMs only', async () => {
    const time = new FakeTime();
    const cache = cacheOf(time, { maxAgeMs: 1000, staleIfErrorMs: 5000 });
    const stale: { key: string; code: string }[] = [];
    cache.on('stale', (e) => stale.push(e));
    await cache.get('k', async () => 'v');
    time.advance(1000 + 4999);
    assert.equal(await cache.get('k', counting(unavailable())), 'v');
    assert.deepEqual(stale, [{ key: 'k', code: 'NetworkingError' }]);
    time.advance(1);
    await assert.rejects(cache.get('k', counting(unavailable())), { code: 'NetworkingError' });
    assert.equal(cache.stats().staleServes, 1);
  });

  it('serves no stale value for a definitive answer: a deleted parameter is gone', async () => {
    const time = new FakeTime();
    const cache = cacheOf(time, { maxAgeMs: 1000, negativeMaxAgeMs: 0 });
    await cache.get('k', async () => 'v');
    time.advance(1000);
    await assert.rejects(cache.get('k', counting(notFound())), { code: 'ParameterNotFound' });
  });

  it('remembers not-found answers for negativeMaxAgeMs', async () => {
    const time = new FakeTime();
    const cache = cacheOf(time, { maxAgeMs: 60_000, negativeMaxAgeMs: 5000 });
    const load = counting(notFound(), 'created');
    await assert.rejects(cache.get('k', load), { code: 'ParameterNotFound' });
    time.advance(4999);
    await assert.rejects(cache.get('k', load), { code: 'ParameterNotFound' });
    assert.equal(load.calls, 1);
    assert.equal(cache.stats().negativeHits, 1);
    time.advance(1);
    assert.equal(await cache.get('k', load), 'created');
  });

  it('does not remember errors that are not answers', async () => {
    const cache = cacheOf(new FakeTime(), { maxAgeMs: 60_000 });
    const load = counting(unavailable(), 'v');
    await assert.rejects(cache.get('k', load), { code: 'NetworkingError' });
    assert.equal(await cache.get('k', load), 'v');
    assert.equal(cache.stats().errors, 1);
  });

  it('caps an entry at notAfter and at what the loader says with expireBy', async () => {
    const time = new FakeTime();
    const cache = cacheOf(time, { maxAgeMs: 60_000 });
    await cache.get('a', async () => 'a1', { notAfter: time.now() + 100 });
    await cache.get('b', async (load) => {
      load.expireBy(time.now() + 200);
      return 'b1';
    });
    time.advance(100);
    assert.equal(await cache.get('a', async () => 'a2'), 'a2');
    assert.equal(await cache.get('b', async () => 'b2'), 'b1');
    time.advance(100);
    assert.equal(await cache.get('b', async () => 'b2'), 'b2');
  });

  it('skips the stored entry with forceFetch', async () => {
    const cache = cacheOf(new FakeTime(), { maxAgeMs: 60_000 });
    await cache.get('k', async () => 'old');
    assert.equal(await cache.get('k', async () => 'new', { forceFetch: true }), 'new');
    assert.equal(await cache.get('k', async () => 'newer'), 'new');
  });

  it('invalidates by name every entry that depends on it, and listings of a path holding it', async () => {
    const cache = cacheOf(new FakeTime(), { maxAgeMs: 60_000 });
    await cache.get('parameter /a/b', async () => '1', { names: ['/a/b'] });
    await cache.get('parameter /a/b:2', async () => '1', { names: ['/a/b'] });
    await cache.get('path /a', async () => '1', { paths: ['/a'] });
    await cache.get('path /z', async () => '1', { paths: ['/z'] });
    await cache.get('secret x', async (load) => {
      load.dependsOn('arn:aws:secretsmanager:r:1:secret:x-AbCdEf');
      return '1';
    });
    assert.equal(cache.invalidateName('/a/b'), 3);
    assert.equal(cache.invalidateName('arn:aws:secretsmanager:r:1:secret:x-AbCdEf'), 1);
    assert.deepEqual(
      ['parameter /a/b', 'parameter /a/b:2', 'path /a', 'path /z', 'secret x'].map((k) => cache.peek(k)),
      [undefined, undefined, undefined, '1', undefined],
    );
  });

  it('never stores what a load read before an invalidation of its name', async () => {
    const cache = cacheOf(new FakeTime(), { maxAgeMs: 60_000 });
    const before = deferred<string>();
    const reading = cache.get('parameter /a', () => before.promise, { names: ['/a'] });
    await Promise.resolve();
    cache.invalidateName('/a');
    const after = cache.get('parameter /a', async () => 'new', { names: ['/a'] });
    before.resolve('old');
    assert.equal(await reading, 'old', 'the reader that asked before the change gets what was read');
    assert.equal(await after, 'new', 'a read after the change does not join the old load');
    assert.equal(cache.peek('parameter /a'), 'new');
  });

  it('never stores a load whose discovered names were invalidated mid-flight', async () => {
    const cache = cacheOf(new FakeTime(), { maxAgeMs: 60_000 });
    const gate = deferred<void>();
    const reading = cache.get('secret partial', async (load) => {
      load.dependsOn('arn:full');
      await gate.promise;
      return 'old';
    });
    await new Promise((resolve) => setImmediate(resolve));
    cache.invalidateName('arn:full');
    gate.resolve();
    assert.equal(await reading, 'old');
    assert.equal(cache.peek('secret partial'), undefined);
  });

  it('invalidateAll forgets entries and loads in flight', async () => {
    const cache = cacheOf(new FakeTime(), { maxAgeMs: 60_000 });
    await cache.get('a', async () => '1');
    const gate = deferred<string>();
    const reading = cache.get('b', () => gate.promise);
    await Promise.resolve();
    assert.equal(cache.invalidateAll(), 1);
    gate.resolve('2');
    await reading;
    assert.deepEqual(cache.stats().entries, 0);
  });

  it('evicts the least recently used entry past maxEntries', async () => {
    const cache = cacheOf(new FakeTime(), { maxAgeMs: 60_000, maxEntries: 2 });
    await cache.get('a', async () => 'a');
    await cache.get('b', async () => 'b');
    await cache.get('a', async () => 'unused');
    await cache.get('c', async () => 'c');
    assert.deepEqual(
      ['a', 'b', 'c'].map((k) => cache.peek(k)),
      ['a', undefined, 'c'],
    );
  });

  it('evicts by bytes, and keeps no value bigger than the bound', async () => {
    const cache = cacheOf(new FakeTime(), { maxAgeMs: 60_000, maxBytes: 100, sizeOf: (v) => v.length });
    await cache.get('a', async () => 'x'.repeat(40));
    await cache.get('b', async () => 'y'.repeat(40));
    assert.equal(cache.stats().entries, 2);
    await cache.get('c', async () => 'z'.repeat(40));
    assert.deepEqual(
      ['a', 'b', 'c'].map((k) => cache.peek(k) !== undefined),
      [false, true, true],
    );
    assert.ok(cache.stats().bytes <= 100);
    await cache.get('huge', async () => 'h'.repeat(500));
    assert.equal(cache.peek('huge'), undefined);
  });
});

describe('cache keys', () => {
  it('never give two different reads one key, whatever the names hold', async () => {
    const { parameterKey, pathKey, secretKey } = await import('../../src/client/cache-keys.js');
    const keys = [
      secretKey('app', 'v1'),
      secretKey('app version v1'),
      secretKey('app', undefined, 'AWSCURRENT'),
      secretKey('app stage AWSCURRENT'),
      secretKey('["v1",null] app'),
      parameterKey('/a', false),
      parameterKey('/a encrypted', true),
      parameterKey('(encrypted) /a', true),
      pathKey('/p', true, true),
      pathKey('/p recursive', false, true),
      pathKey('(recursive) /p', false, true),
    ];
    assert.equal(new Set(keys).size, keys.length);
  });
});
