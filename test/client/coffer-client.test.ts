/**
 * CofferClient over a scripted provider on a fake clock: reads and their variants, transforms,
 * secrets capped at their next rotation, ARN routing, seed 000's refresh on an authentication
 * failure, invalidation by hand and by the feed, retries, the breaker and stale values, the
 * fallback event, options from the environment, and close.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CofferClientError } from '../../src/client/client-error.js';
import type { ClientEvents } from '../../src/client/client-events.js';
import { type ClientOptions, createClient, MemoryProvider } from '../../src/client/index.js';
import { FakeTime } from './fake-time.js';
import { ScriptedProvider, unavailable } from './scripted-provider.js';

const TOKEN = '/lee/ha/access_token';

function clientOver(provider: ScriptedProvider, options: Partial<ClientOptions> = {}) {
  const time = new FakeTime();
  const client = createClient({
    provider,
    clock: time,
    random: () => 0,
    refreshAheadRatio: 1,
    ...options,
  } as ClientOptions);
  const events: string[] = [];
  for (const name of ['hit', 'miss', 'stale', 'refresh', 'breaker', 'fallback', 'feed', 'invalidate'] as const) {
    client.on(name, (payload: ClientEvents[typeof name][0]) => events.push(`${name} ${JSON.stringify(payload)}`));
  }
  return { client, time, events };
}

const unauthorized = () => Object.assign(new Error('401 from downstream'), { status: 401 });

describe('CofferClient reads', () => {
  it('caches a parameter per selector and decryption, and serves a path as a record', async () => {
    const provider = new ScriptedProvider('p', { [TOKEN]: 'token-1', '/lee/ha/url': 'http://ha' });
    const { client } = clientOver(provider);
    assert.equal(await client.getParameter(TOKEN), 'token-1');
    assert.equal(await client.getParameter(TOKEN), 'token-1');
    assert.equal(await client.getParameter(`${TOKEN}:1`), 'token-1');
    assert.equal(await client.getParameter(TOKEN, { decrypt: false }), 'token-1');
    assert.deepEqual(await client.getParameters('/lee', { recursive: true }), {
      [TOKEN]: 'token-1',
      '/lee/ha/url': 'http://ha',
    });
    assert.deepEqual(await client.getParameters('/lee'), {});
    assert.deepEqual(provider.calls, [
      `GetParameter ${TOKEN}`,
      `GetParameter ${TOKEN}:1`,
      `GetParameter ${TOKEN} encrypted`,
      'GetParametersByPath /lee',
      'GetParametersByPath /lee',
    ]);
    assert.equal(client.stats().hits, 1);
  });

  it('transforms: json, binary and auto by suffix, a fresh object for every read', async () => {
    const provider = new ScriptedProvider('p', {
      '/app/config.json': '{"a":[1]}',
      '/app/key.binary': Buffer.from([1, 2, 3]).toString('base64'),
      '/app/plain': 'plain text!',
    });
    const { client } = clientOver(provider);
    const first = (await client.getParameter('/app/config.json', { transform: 'json' })) as { a: number[] };
    first.a.push(2);
    assert.deepEqual(await client.getParameter('/app/config.json', { transform: 'auto' }), { a: [1] });
    assert.deepEqual(await client.getParameter('/app/key.binary', { transform: 'auto' }), new Uint8Array([1, 2, 3]));
    assert.deepEqual(await client.getParameter('/app/key.binary', { transform: 'binary' }), new Uint8Array([1, 2, 3]));
    assert.equal(await client.getParameter('/app/plain', { transform: 'auto' }), 'plain text!');
    await assert.rejects(client.getParameter('/app/plain', { transform: 'binary' }), { code: 'TransformError' });
  });

  it('returns a binary secret as bytes, and a text one as text', async () => {
    const provider = new ScriptedProvider('p', { '/s/bin': new Uint8Array([9, 8]), '/s/text': 'abc' });
    const { client } = clientOver(provider);
    assert.deepEqual(await client.getSecret('/s/bin'), new Uint8Array([9, 8]));
    assert.equal(await client.getSecret('/s/text'), 'abc');
    assert.deepEqual(await client.getSecret('/s/bin', { transform: 'binary' }), new Uint8Array([9, 8]));
  });

  it("caps a secret's entry at its next rotation, asking DescribeSecret alongside the value", async () => {
    const provider = new ScriptedProvider('p', { '/db/pw': 'v1' });
    const { client, time } = clientOver(provider, { maxAgeMs: 300_000 });
    provider.describe = async (id) => ({ ARN: 'arn', Name: id, NextRotationDate: new Date(time.now() + 1_000) });
    assert.equal(await client.getSecret('/db/pw'), 'v1');
    provider.values.set('/db/pw', 'v2');
    time.advance(999);
    assert.equal(await client.getSecret('/db/pw'), 'v1');
    time.advance(1);
    assert.equal(await client.getSecret('/db/pw'), 'v2');
    assert.deepEqual(provider.calls.slice(0, 2).sort(), ['DescribeSecret /db/pw', 'GetSecretValue /db/pw']);
  });

  it('does not cap when DescribeSecret is denied, is overdue, or a VersionId is asked for', async () => {
    const provider = new ScriptedProvider('p', { '/db/pw': 'v1' });
    const { client, time } = clientOver(provider, { maxAgeMs: 300_000 });
    provider.describe = async () => {
      throw new CofferClientError('AccessDeniedException', 'denied', { status: 400 });
    };
    await client.getSecret('/db/pw');
    time.advance(200_000);
    await client.getSecret('/db/pw');
    assert.equal(provider.count('GetSecretValue'), 1);
    provider.describe = async (id) => ({ ARN: 'a', Name: id, NextRotationDate: new Date(time.now() - 1) });
    await client.getSecret('/db/pw', { versionStage: 'AWSCURRENT' });
    time.advance(1_000);
    await client.getSecret('/db/pw', { versionStage: 'AWSCURRENT' });
    assert.equal(provider.count('GetSecretValue'), 2);
    const versionId = (await client.secretRecord('/db/pw')).VersionId!;
    const before = provider.count('DescribeSecret');
    await client.getSecret('/db/pw', { versionId });
    assert.equal(provider.count('DescribeSecret'), before);
  });

  it('routes ARNs: Parameter Store to the parameter, Secrets Manager to the secret (seed 003)', async () => {
    const provider = new ScriptedProvider('p', { '/rcm/prod/org/portal': '{"username":"u"}', 'rcm/prod/s': 'sv' });
    const { client } = clientOver(provider);
    const parameterArn = 'arn:aws:ssm:us-east-1:123456789012:parameter/rcm/prod/org/portal';
    assert.deepEqual(await client.getByArn(parameterArn, { transform: 'json' }), { username: 'u' });
    const secretArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:rcm/prod/s-AbCdEf';
    assert.equal(await client.getByArn(secretArn), 'sv');
    assert.deepEqual(
      provider.calls.filter((c) => !c.startsWith('DescribeSecret')),
      ['GetParameter /rcm/prod/org/portal', `GetSecretValue ${secretArn}`],
    );
    const error = await client.getByArn('arn:aws:s3:::bucket/key').catch((e) => e);
    assert.ok(error instanceof CofferClientError);
    assert.equal(error.code, 'ValidationException');
  });
});

describe('CofferClient withRefreshOnAuthFailure (seed 000)', () => {
  it('refetches once after a 401 and calls again with the new value', async () => {
    const provider = new ScriptedProvider('p', { [TOKEN]: 'old-token' });
    const { client } = clientOver(provider);
    await client.getParameter(TOKEN);
    provider.values.set(TOKEN, 'new-token');
    const seen: string[] = [];
    const result = await client.withRefreshOnAuthFailure(TOKEN, async (token) => {
      seen.push(token);
      if (token !== 'new-token') throw unauthorized();
      return 'ok';
    });
    assert.equal(result, 'ok');
    assert.deepEqual(seen, ['old-token', 'new-token']);
    assert.equal(provider.count('GetParameter'), 2);
    assert.equal(await client.getParameter(TOKEN), 'new-token', 'the fresh value is cached');
  });

  it('fails fast with AuthFailureAfterRefresh when the fresh value is refused too', async () => {
    const provider = new ScriptedProvider('p', { [TOKEN]: 'revoked-token' });
    const { client } = clientOver(provider);
    const cause = unauthorized();
    const error = await client
      .withRefreshOnAuthFailure(TOKEN, () => {
        throw cause;
      })
      .catch((e) => e);
    assert.ok(error instanceof CofferClientError);
    assert.equal(error.code, 'AuthFailureAfterRefresh');
    assert.match(error.message, /\/lee\/ha\/access_token/);
    assert.ok(!error.message.includes('revoked-token'));
    assert.equal(error.cause, cause);
    assert.equal(provider.count('GetParameter'), 2);
  });

  it('passes other errors through unchanged, without refetching', async () => {
    const provider = new ScriptedProvider('p', { [TOKEN]: 't' });
    const { client } = clientOver(provider);
    const boom = Object.assign(new Error('503'), { status: 503 });
    await assert.rejects(
      client.withRefreshOnAuthFailure(TOKEN, () => {
        throw boom;
      }),
      (e) => e === boom,
    );
    assert.equal(provider.count('GetParameter'), 1);
  });

  it('refetches once for many callers refused at once, and honours isAuthFailure and kind', async () => {
    const provider = new ScriptedProvider('p', { [TOKEN]: 'old', 'api-key': 'k1' });
    const { client } = clientOver(provider);
    await client.getParameter(TOKEN);
    provider.values.set(TOKEN, 'new');
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        client.withRefreshOnAuthFailure(TOKEN, async (token) => {
          await new Promise((resolve) => setImmediate(resolve));
          if (token === 'old') throw unauthorized();
          return token;
        }),
      ),
    );
    assert.deepEqual(new Set(results), new Set(['new']));
    assert.equal(provider.count('GetParameter'), 2);
    assert.equal(await client.getSecret('api-key'), 'k1');
    provider.values.set('api-key', 'k2');
    const forbidden = (e: unknown) => (e as { code?: string }).code === 'Forbidden';
    const value = await client.withRefreshOnAuthFailure(
      'api-key',
      (key) => {
        if (key === 'k1') throw Object.assign(new Error('no'), { code: 'Forbidden' });
        return key;
      },
      { isAuthFailure: forbidden, kind: 'secret' },
    );
    assert.equal(value, 'k2');
    assert.equal(provider.count('GetSecretValue'), 2);
  });
});

describe('CofferClient invalidation', () => {
  it('invalidate(name) forgets every selector, variant and listing of the name, and nothing else', async () => {
    const provider = new ScriptedProvider('p', { '/a/b': '1', '/a/c': '2' });
    const { client, events } = clientOver(provider);
    const readAll = async () => {
      await client.getParameter('/a/b');
      await client.getParameter('/a/b:1');
      await client.getParameter('/a/b', { decrypt: false });
      await client.getParameters('/a');
      await client.getParameter('/a/c');
    };
    await readAll();
    client.invalidate('/a/b');
    await readAll();
    assert.equal(provider.calls.length, 5 + 4);
    assert.ok(events.includes('invalidate {"name":"/a/b","reason":"manual"}'));
    client.invalidate();
    await readAll();
    assert.equal(provider.calls.length, 5 + 4 + 5);
  });

  it('follows the feed: changes invalidate by name and ARN, a reset forgets all, states are reported', async () => {
    const provider = new ScriptedProvider('p', { '/a/b': '1', 'db-secret': 's' });
    const { client, events } = clientOver(provider, { changes: { prefix: '/a' } });
    assert.equal(client.stats().feed, 'off');
    await client.getParameter('/a/b');
    assert.equal(provider.listeners.length, 1, 'subscribed on the first read');
    provider.signal({ type: 'state', state: 'connected' });
    const secret = await client.secretRecord('db-secret');
    await client.getParameters('/a', { recursive: true });
    provider.values.set('/a/b', '2');
    provider.signal({
      type: 'change',
      change: { seq: 1, kind: 'parameter', name: '/a/b', operation: 'PutParameter' },
    });
    assert.equal(await client.getParameter('/a/b'), '2');
    assert.deepEqual(await client.getParameters('/a', { recursive: true }), { '/a/b': '2' });
    provider.signal({
      type: 'change',
      change: { seq: 2, kind: 'secret', name: 'renamed-in-event', arn: secret.ARN, operation: 'PutSecretValue' },
    });
    await client.getSecret('db-secret');
    assert.equal(provider.count('GetSecretValue'), 2);
    provider.signal({ type: 'reset' });
    assert.equal(client.stats().entries, 0);
    assert.equal(client.stats().feed, 'connected');
    assert.ok(events.includes('feed {"state":"connected"}'));
    assert.ok(events.includes('invalidate {"name":"/a/b","reason":"feed"}'));
    assert.ok(events.includes('invalidate {"reason":"feed"}'));
    await client.close();
    assert.equal(provider.listeners.length, 0);
    assert.equal(provider.closed, false, 'a provider passed in is not the client to close');
  });
});

describe('CofferClient resilience (seed 001)', () => {
  it('retries unavailability, serves stale values, opens the breaker and recovers', async () => {
    const provider = new ScriptedProvider('p', { '/a': 'v1' });
    const { client, time, events } = clientOver(provider, {
      maxAgeMs: 1_000,
      staleIfErrorMs: 60_000,
      retry: { attempts: 3 },
      breaker: { failureThreshold: 5, resetMs: 10_000 },
    });
    assert.equal(await client.getParameter('/a'), 'v1');
    time.advance(1_000);
    provider.failWith = unavailable;
    const staleCodes: string[] = [];
    assert.equal(await client.getParameter('/a', { onStale: (code) => staleCodes.push(code) }), 'v1');
    assert.deepEqual(staleCodes, ['NetworkingError'], 'this read hears it was served stale');
    assert.equal(provider.count('GetParameter'), 4, 'one call and two retries');
    assert.equal(await client.getParameter('/a'), 'v1');
    assert.equal(client.stats().breaker, 'open', 'five consecutive failures open it');
    const before = provider.calls.length;
    assert.equal(await client.getParameter('/a'), 'v1');
    assert.equal(provider.calls.length, before, 'open: no call reaches the store');
    assert.ok(events.includes('stale {"key":"parameter /a","code":"NetworkingError"}'));
    assert.ok(events.includes('stale {"key":"parameter /a","code":"CircuitOpen"}'));
    assert.ok(events.includes('breaker {"provider":"p","from":"closed","to":"open"}'));
    await assert.rejects(client.getParameter('/never-cached'), { code: 'CircuitOpen' });
    provider.failWith = undefined;
    provider.values.set('/a', 'v2');
    time.advance(10_000);
    assert.equal(await client.getParameter('/a'), 'v2');
    assert.equal(client.stats().breaker, 'closed');
    assert.ok(events.includes('breaker {"provider":"p","from":"half-open","to":"closed"}'));
    assert.ok(client.stats().staleServes >= 3);
  });

  it('does not retry a definitive answer, and remembers it briefly', async () => {
    const provider = new ScriptedProvider('p', {});
    const { client, time } = clientOver(provider, { negativeMaxAgeMs: 5_000 });
    await assert.rejects(client.getParameter('/missing'), { code: 'ParameterNotFound' });
    await assert.rejects(client.getParameter('/missing'), { code: 'ParameterNotFound' });
    assert.equal(provider.count('GetParameter'), 1);
    assert.equal(client.stats().negativeHits, 1);
    provider.values.set('/missing', 'now here');
    time.advance(5_000);
    assert.equal(await client.getParameter('/missing'), 'now here');
  });

  it("falls back to the next provider and says so (seed 003's dual read)", async () => {
    const primary = new ScriptedProvider('store', {});
    const legacy = new MemoryProvider('legacy', { '/rcm/org-2/creds': '{"password":"p"}' });
    const { client, events } = clientOver(primary, { fallback: [legacy] });
    assert.deepEqual(await client.getParameter('/rcm/org-2/creds', { transform: 'json' }), { password: 'p' });
    assert.ok(events.includes('fallback {"provider":"legacy","key":"/rcm/org-2/creds","code":"ParameterNotFound"}'));
  });
});

describe('CofferClient options and lifecycle', () => {
  it('reads COFFER_STORE and COFFER_CACHE_MAX_AGE from its environment', async () => {
    const env = { COFFER_STORE: 'env:APP_', APP_DB_URL: 'postgres://db', COFFER_CACHE_MAX_AGE: '5m' };
    const time = new FakeTime();
    const client = createClient({ env, clock: time, random: () => 0, refreshAheadRatio: 1 });
    assert.equal(await client.getParameter('/db/url'), 'postgres://db');
    time.advance(299_999);
    await client.getParameter('/db/url');
    assert.equal(client.stats().hits, 1);
    assert.equal(client.stats().feed, 'off');
    assert.throws(() => createClient({ env: { COFFER_CACHE_MAX_AGE: 'soon' } }), { code: 'ValidationException' });
    await client.close();
  });

  it('refuses reads once closed', async () => {
    const { client } = clientOver(new ScriptedProvider('p', { '/a': '1' }));
    await client.close();
    await assert.rejects(client.getParameter('/a'), { code: 'ClientClosed' });
  });
});
