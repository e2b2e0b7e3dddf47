/**
 * GET /metrics against the real server: absent (404) without COFFER_METRICS_TOKEN, refused (401)
 * without the bearer token, and with it the Prometheus text of requests, denials, durations,
 * rotations and event-loop lag, never a parameter's or secret's name or value.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateSecretCommand, RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { CofferApiClient } from '../../src/cli/coffer-api-client.js';
import { clientsFor, isDenied, userWithKey, type ServiceClients } from '../helpers/identity-clients.js';
import { rawRequest } from '../helpers/raw-request.js';
import { ROOT, startServer, type RunningServer } from '../helpers/server-process.js';
import { until } from '../helpers/until.js';

const TOKEN = 'metrics-test-token-8c1f0e2a9b';
const NAME = '/metrics-probe/zq7w-distinct-name';
const VALUE = 'xv93-distinct-secure-value-kp41';
const SECRET = 'metrics-probe/zq7w-secret';
const SECRET_VALUE = 'sv-distinct-secret-value-77qa';

const scrape = (server: RunningServer, authorization?: string) =>
  rawRequest(server.endpoint, {
    method: 'GET',
    path: '/metrics',
    ...(authorization ? { headers: { authorization } } : {}),
  });

/** The value of the sample `name{labels}` in the exposition, or undefined. */
function sample(body: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of body.split('\n')) {
    const m = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (m && m[1] === name && wanted.every((w) => m[2]!.split(',').includes(w))) return Number(m[3]);
  }
  return undefined;
}

describe('metrics: not configured', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.stop());

  it('answers GET /metrics 404, as any unknown path, even with a token', async () => {
    const unknown = await rawRequest(server.endpoint, { method: 'GET', path: '/no-such-path' });
    for (const res of [await scrape(server), await scrape(server, `Bearer ${TOKEN}`)]) {
      assert.equal(res.status, 404);
      assert.equal(res.body, unknown.body);
      assert.equal(res.headers['content-type'], unknown.headers['content-type']);
    }
  });
});

describe('metrics: configured with COFFER_METRICS_TOKEN', () => {
  let server: RunningServer;
  let root: ServiceClients;
  const opened: ServiceClients[] = [];
  let sm: SecretsManagerClient;

  before(async () => {
    server = await startServer({ env: { COFFER_METRICS_TOKEN: TOKEN, COFFER_ROTATION_TICK_MS: '100' } });
    root = clientsFor(server, ROOT);
    opened.push(root);
    sm = new SecretsManagerClient({
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials: ROOT,
      maxAttempts: 1,
    });
  });
  after(async () => {
    opened.forEach((c) => {
      c.destroy();
    });
    sm.destroy();
    await server.stop();
  });

  it('refuses a scrape without the bearer token, or with a wrong one, with 401 and WWW-Authenticate', async () => {
    for (const authorization of [
      undefined,
      'Bearer wrong-token',
      `Bearer ${TOKEN}x`,
      `Basic ${TOKEN}`,
      TOKEN,
      'Bearer ',
    ]) {
      const res = await scrape(server, authorization);
      assert.equal(res.status, 401, String(authorization));
      assert.equal(res.headers['www-authenticate'], 'Bearer');
      assert.equal((JSON.parse(res.body) as { __type: string }).__type, 'Unauthorized');
      assert.doesNotMatch(res.body, /coffer_requests_total/);
    }
  });

  it(
    'counts requests by service, operation and code, denials, durations and rotations, naming nothing ' + 'stored',
    async () => {
      await root.ssm.send(new PutParameterCommand({ Name: NAME, Value: VALUE, Type: 'SecureString' }));
      assert.equal(
        (await root.ssm.send(new GetParameterCommand({ Name: NAME, WithDecryption: true }))).Parameter!.Value,
        VALUE,
      );
      const nobody = clientsFor(server, await userWithKey(root.iam, 'metrics-nobody', {}));
      opened.push(nobody);
      assert.ok(await isDenied(nobody.ssm.send(new GetParameterCommand({ Name: NAME }))));
      // An operation no service has: the caller's text must not become a label.
      const bogus = await rawRequest(server.endpoint, {
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonSSM.ZqBogusOperation' },
        body: '{}',
      });
      assert.equal(bogus.status, 400);
      // A rotation by the built-in rotator, so the run counter moves.
      const coffer = new CofferApiClient(server.endpoint, 'us-east-1', async () => ROOT);
      await coffer.call('RegisterFunction', {
        Name: 'pw',
        Builtin: 'random-password',
        Options: { field: 'password', length: 24 },
      });
      await sm.send(
        new CreateSecretCommand({
          Name: SECRET,
          SecretString: JSON.stringify({ username: 'svc', password: SECRET_VALUE }),
        }),
      );
      await sm.send(
        new RotateSecretCommand({
          SecretId: SECRET,
          RotationLambdaARN: 'arn:aws:lambda:us-east-1:123456789012:function:pw',
        }),
      );

      const body = await until('a succeeded rotation in the metrics', async () => {
        const res = await scrape(server, `Bearer ${TOKEN}`);
        assert.equal(res.status, 200);
        assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
        return (sample(res.body, 'coffer_rotation_runs_total', { outcome: 'succeeded' }) ?? 0) >= 1
          ? res.body
          : undefined;
      });
      assert.equal(sample(body, 'coffer_requests_total', { service: 'ssm', action: 'PutParameter', code: 'OK' }), 1);
      assert.equal(sample(body, 'coffer_requests_total', { service: 'ssm', action: 'GetParameter', code: 'OK' }), 1);
      assert.equal(
        sample(body, 'coffer_requests_total', {
          service: 'ssm',
          action: 'GetParameter',
          code: 'AccessDeniedException',
        }),
        1,
      );
      assert.equal(sample(body, 'coffer_requests_total', { service: 'iam', action: 'CreateUser', code: 'OK' }), 1);
      assert.equal(
        sample(body, 'coffer_requests_total', { service: 'coffer', action: 'RegisterFunction', code: 'OK' }),
        1,
      );
      assert.equal(
        sample(body, 'coffer_requests_total', {
          service: 'unknown',
          action: 'unknown',
          code: 'UnknownOperationException',
        }),
        1,
      );
      assert.equal(sample(body, 'coffer_access_denied_total', { service: 'ssm', action: 'GetParameter' }), 1);
      assert.equal(
        sample(body, 'coffer_request_duration_seconds_count', { service: 'ssm', action: 'PutParameter' }),
        1,
      );
      assert.ok(
        sample(body, 'coffer_request_duration_seconds_bucket', {
          service: 'ssm',
          action: 'GetParameter',
          le: '+Inf',
        })! >= 2,
      );
      assert.match(body, /^# TYPE coffer_request_duration_seconds histogram$/m);
      assert.match(body, /^# TYPE coffer_audit_write_duration_seconds histogram$/m);
      assert.match(body, /^nodejs_eventloop_lag_seconds \d/m);
      for (const stored of [NAME, VALUE, SECRET, SECRET_VALUE, 'zq7w', 'ZqBogusOperation', 'metrics-nobody', TOKEN]) {
        assert.ok(!body.includes(stored), `the metrics mention ${stored}`);
      }
    },
  );
});
