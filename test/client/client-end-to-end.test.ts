/**
 * The client against a real `coffer serve`, behind a proxy that counts what reaches the server:
 * single flight over the wire, AWS's own errors, every page of a listing, seed 000's refresh on a
 * 401 from a downstream, seed 003's ARN routing and dual read, the change feed invalidating a
 * value, and the server stopped mid-run (stale values, the breaker) and started again.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { type ClientOptions, CofferClientError, createClient } from '../../src/client/index.js';
import { clientsFor, userWithKey } from '../helpers/identity-clients.js';
import { ROOT, type RunningServer, startServer } from '../helpers/server-process.js';
import { until } from '../helpers/until.js';
import { CountingProxy } from './counting-proxy.js';
import { FakeTime } from './fake-time.js';

const TOKEN = '/lee/ha/access_token';

describe('client end to end', () => {
  let server: RunningServer;
  let proxy: CountingProxy;
  let ssm: SSMClient;
  let sm: SecretsManagerClient;
  let scratch: string;
  const clients: { close(): Promise<void> }[] = [];
  const put = (name: string, value: string, type: 'String' | 'SecureString' = 'SecureString') =>
    ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: type, Overwrite: true }));
  const clientOf = (options: Partial<ClientOptions> = {}) => {
    const client = createClient({
      endpoint: proxy.endpoint,
      region: 'us-east-1',
      credentials: ROOT,
      changes: false,
      random: () => 0,
      ...options,
    } as ClientOptions);
    clients.push(client);
    return client;
  };

  before(async () => {
    server = await startServer();
    proxy = new CountingProxy(server.endpoint);
    await proxy.start();
    ssm = server.client();
    sm = new SecretsManagerClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: ROOT });
    scratch = mkdtempSync(join(tmpdir(), 'coffer-client-e2e-'));
  });
  after(async () => {
    for (const client of clients) await client.close();
    sm.destroy();
    await proxy.stop();
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('sends one GetParameter for a thousand concurrent reads of a cold key', async () => {
    await put('/e2e/cold', 'cold-value');
    const client = clientOf();
    const before = proxy.count('GetParameter');
    const values = await Promise.all(Array.from({ length: 1000 }, () => client.getParameter('/e2e/cold')));
    assert.deepEqual(new Set(values), new Set(['cold-value']));
    assert.equal(proxy.count('GetParameter') - before, 1);
  });

  it("raises AWS's own errors: ParameterNotFound, ResourceNotFoundException, AccessDeniedException", async () => {
    const client = clientOf();
    const missing = await client.getParameter('/e2e/missing').catch((e) => e);
    assert.ok(missing instanceof CofferClientError);
    assert.deepEqual([missing.code, missing.status, missing.retryable], ['ParameterNotFound', 400, false]);
    await assert.rejects(client.getSecret('e2e/missing'), { code: 'ResourceNotFoundException' });
    await put('/e2e/forbidden', 'forbidden-value');
    const iam = clientsFor(server);
    const reader = await userWithKey(iam.iam, 'e2e-reader', {
      read: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'ssm:GetParameter', Resource: 'arn:aws:ssm:*:*:parameter/allowed/*' }],
      },
    });
    iam.destroy();
    const denied = clientOf({ credentials: reader });
    const before = proxy.count('GetParameter');
    for (let i = 0; i < 2; i++) {
      const error = await denied.getParameter('/e2e/forbidden').catch((e) => e);
      assert.equal(error.code, 'AccessDeniedException');
      assert.equal(error.status, 400);
      assert.ok(!error.message.includes('forbidden-value'));
    }
    assert.equal(proxy.count('GetParameter') - before, 1, 'the denial is remembered for a moment');
  });

  it('reads every page of a listing', async () => {
    for (let i = 0; i < 25; i++) await put(`/e2e/paged/p${String(i).padStart(2, '0')}`, `v${i}`, 'String');
    const before = proxy.count('GetParametersByPath');
    const values = await clientOf().getParameters('/e2e/paged', { recursive: true });
    assert.equal(Object.keys(values).length, 25);
    assert.equal(values['/e2e/paged/p24'], 'v24');
    assert.equal(proxy.count('GetParametersByPath') - before, 3);
  });

  describe('seed 000: a Home Assistant token refused with 401', () => {
    let downstream: Server;
    let accepted = '';
    let url = '';
    const callHomeAssistant = async (token: string) => {
      const answer = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      if (answer.status === 401) throw Object.assign(new Error('Home Assistant said 401'), { status: 401 });
      return answer.text();
    };
    before(async () => {
      downstream = createServer((request, response) => {
        const ok = request.headers.authorization === `Bearer ${accepted}`;
        response.writeHead(ok ? 200 : 401).end(ok ? 'states' : 'unauthorized');
      });
      await new Promise<void>((resolve) => downstream.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(downstream.address() as AddressInfo).port}/api/states`;
    });
    after(() => new Promise((resolve) => downstream.close(resolve)));

    it('clears the cached token, refetches once, and succeeds with the rotated one', async () => {
      await put(TOKEN, 'ha-token-v1');
      accepted = 'ha-token-v1';
      const client = clientOf();
      assert.equal(await client.withRefreshOnAuthFailure(TOKEN, callHomeAssistant), 'states');
      accepted = 'ha-token-v2';
      await put(TOKEN, 'ha-token-v2');
      const before = proxy.count('GetParameter');
      assert.equal(await client.withRefreshOnAuthFailure(TOKEN, callHomeAssistant), 'states');
      assert.equal(proxy.count('GetParameter') - before, 1);
    });

    it('fails fast with AuthFailureAfterRefresh when the stored token is stale too', async () => {
      accepted = 'ha-token-v3';
      const client = clientOf();
      const error = await client.withRefreshOnAuthFailure(TOKEN, callHomeAssistant).catch((e) => e);
      assert.equal(error.code, 'AuthFailureAfterRefresh');
      assert.match(error.message, /\/lee\/ha\/access_token/);
      assert.ok(!error.message.includes('ha-token'));
      assert.equal((error.cause as { status: number }).status, 401);
    });
  });

  describe('seed 003: credentials by ARN, and the dual read', () => {
    it('routes a Parameter Store ARN and a Secrets Manager ARN through one client', async () => {
      await put('/rcm/prod/org-1/endpoints/e-1/acct-1', '{"username":"ssm-user","password":"p1"}');
      const created = await sm.send(
        new CreateSecretCommand({ Name: 'rcm/prod/org-1/portal', SecretString: '{"username":"sm-user"}' }),
      );
      const client = clientOf();
      const parameterArn = 'arn:aws:ssm:us-east-1:123456789012:parameter/rcm/prod/org-1/endpoints/e-1/acct-1';
      assert.deepEqual(await client.getByArn(parameterArn, { transform: 'json' }), {
        username: 'ssm-user',
        password: 'p1',
      });
      assert.deepEqual(await client.getByArn(created.ARN!, { transform: 'json' }), { username: 'sm-user' });
      // A one-level name without its slash: the ARN's `parameter/legacy-flag` is read as `/legacy-flag`.
      await put('legacy-flag', 'one-level', 'String');
      assert.equal(await client.getByArn('arn:aws:ssm:us-east-1:123456789012:parameter/legacy-flag'), 'one-level');
    });

    it('falls back to legacy credentials in a file, with a fallback event', async () => {
      const legacy = join(scratch, 'legacy.json');
      writeFileSync(
        legacy,
        JSON.stringify({ rcm: { prod: { 'org-2': { portal: { $json: { username: 'legacy' } } } } } }),
      );
      const client = clientOf({ fallback: [`file:${legacy}`] });
      const fallbacks: unknown[] = [];
      client.on('fallback', (e) => fallbacks.push(e));
      assert.deepEqual(await client.getParameter('/rcm/prod/org-2/portal', { transform: 'json' }), {
        username: 'legacy',
      });
      assert.deepEqual(fallbacks, [
        { provider: `file:${legacy}`, key: '/rcm/prod/org-2/portal', code: 'ParameterNotFound' },
      ]);
    });
  });

  it("forgets a value when the server's change feed reports it changed", async () => {
    await put('/e2e/fed', 'fed-v1');
    const client = clientOf({ changes: { prefix: '/e2e/' }, random: Math.random });
    const invalidated: string[] = [];
    client.on('invalidate', (e) => invalidated.push(e.name ?? '*'));
    assert.equal(await client.getParameter('/e2e/fed'), 'fed-v1');
    await until('the feed', async () => client.stats().feed === 'connected' || undefined);
    await client.getParameter('/e2e/fed');
    await put('/e2e/fed', 'fed-v2');
    await until('the change', async () => invalidated.includes('/e2e/fed') || undefined);
    assert.equal(await client.getParameter('/e2e/fed'), 'fed-v2');
  });

  it('serves stale values while the server is down, opens the breaker, and recovers when it returns', async () => {
    await put('/e2e/resilient', 'resilient-v1');
    const time = new FakeTime();
    const client = clientOf({
      clock: time,
      maxAgeMs: 60_000,
      refreshAheadRatio: 1,
      breaker: { failureThreshold: 3, resetMs: 10_000 },
    });
    const events: string[] = [];
    client.on('stale', (e) => events.push(`stale ${e.code}`));
    client.on('breaker', (e) => events.push(`breaker ${e.from}->${e.to}`));
    assert.equal(await client.getParameter('/e2e/resilient'), 'resilient-v1');
    await server.stop({ keepStore: true });
    time.advance(60_000);
    // One read: three attempts, three failures, and the breaker opens.
    assert.equal(await client.getParameter('/e2e/resilient'), 'resilient-v1');
    assert.equal(client.stats().breaker, 'open');
    assert.equal(await client.getParameter('/e2e/resilient'), 'resilient-v1');
    await assert.rejects(client.getParameter('/e2e/never-read'), { code: 'CircuitOpen' });
    server = await startServer({ location: server.location });
    proxy.target = server.endpoint;
    ssm = server.client();
    await put('/e2e/resilient', 'resilient-v2');
    time.advance(10_000);
    assert.equal(await client.getParameter('/e2e/resilient'), 'resilient-v2');
    assert.equal(client.stats().breaker, 'closed');
    assert.deepEqual(events, [
      'breaker closed->open',
      'stale NetworkingError',
      'stale CircuitOpen',
      'breaker open->half-open',
      'breaker half-open->closed',
    ]);
  });
});
