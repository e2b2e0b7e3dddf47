/**
 * `coffer agent` end to end: the real agent process in front of a real server, driven by boto3
 * with nothing but endpoint_url changed, and by the Lambda extension's HTTP paths. Hits come
 * from the cache, a write upstream reaches the agent through the change feed, an upstream that
 * stops leaves stale values served (and said to be), writes are refused in AWS's form.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { rawRequest } from '../helpers/raw-request.js';
import { ROOT, startServer, type RunningServer } from '../helpers/server-process.js';
import { startAgent, type RunningAgent } from '../helpers/agent-process.js';
import { until } from '../helpers/until.js';

const run = promisify(execFile);
const SCRIPT = join(import.meta.dirname, '..', 'fixtures', 'agent_boto3.py');
const AGENT = {
  accessKeyId: 'AKIACOFFERAGENTTEST1',
  secretAccessKey: 'agent-test-secret-0123456789',
  token: 'tok-123',
};

interface Answer {
  value?: unknown;
  cache?: string;
  warning?: string;
  error?: string;
  message?: string;
}

describe('coffer agent', () => {
  let server: RunningServer;
  let agent: RunningAgent;
  let endpoint: string;
  const dataDir = mkdtempSync(join(tmpdir(), 'coffer-agent-'));

  const boto3 = async (...args: string[]): Promise<Answer> => {
    const { stdout } = await run('python3', [SCRIPT, endpoint, ...args], {
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: AGENT.accessKeyId,
        AWS_SECRET_ACCESS_KEY: AGENT.secretAccessKey,
        AWS_ENDPOINT_URL: '',
      },
    });
    return JSON.parse(stdout) as Answer;
  };

  before(async () => {
    server = await startServer();
    const ssm = server.client();
    await ssm.send(new PutParameterCommand({ Name: '/app/db', Value: 'v1', Type: 'SecureString' }));
    await ssm.send(new PutParameterCommand({ Name: '/app/x/y', Value: 'y', Type: 'String' }));
    const sm = new SecretsManagerClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: ROOT });
    await sm.send(new CreateSecretCommand({ Name: 'app/key', SecretString: '{"k":"s1"}' }));
    sm.destroy();
    agent = await startAgent(server.endpoint, dataDir, AGENT, ['--max-age', '2s']);
    endpoint = agent.endpoint;
  });

  after(async () => {
    agent.stop();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves boto3 reads with endpoint_url alone, from its cache after the first', async () => {
    assert.deepEqual(await boto3('get-parameter', '/app/db'), { value: 'v1', cache: null, warning: null });
    assert.equal((await boto3('get-parameter', '/app/db')).value, 'v1');
    assert.deepEqual((await boto3('get-parameters', '/app/db', '/app/none')).value, {
      found: ['/app/db'],
      invalid: ['/app/none'],
    });
    assert.deepEqual((await boto3('get-path', '/app')).value, ['/app/db', '/app/x/y']);
    assert.equal((await boto3('get-secret', 'app/key')).value, '{"k":"s1"}');
    assert.equal((await boto3('describe-secret', 'app/key')).value, 'app/key');
    assert.equal((await boto3('get-parameter', '/app/none')).error, 'ParameterNotFound');
    const health = await rawRequest(endpoint, { method: 'GET', path: '/health' });
    const cache = (JSON.parse(health.body) as { cache: { hits: number; misses: number } }).cache;
    assert.ok(cache.hits >= 1, `hits counted: ${health.body}`);
    assert.ok(!health.body.includes('v1') && !agent.output().includes('v1'), 'no value in health or logs');
  });

  it('refuses writes in AWS form, and a caller without its key', async () => {
    const refused = await boto3('put-parameter', '/app/db', 'v9');
    assert.equal(refused.error, 'AccessDeniedException');
    assert.match(refused.message!, /reads only.*--forward-writes/);
    const { stdout } = await run('python3', [SCRIPT, endpoint, 'get-parameter', '/app/db'], {
      env: { ...process.env, AWS_ACCESS_KEY_ID: ROOT.accessKeyId, AWS_SECRET_ACCESS_KEY: ROOT.secretAccessKey },
    });
    assert.equal((JSON.parse(stdout) as Answer).error, 'UnrecognizedClientException');
  });

  it('serves the Lambda extension paths with the token, and refuses them without', async () => {
    const path = '/systemsmanager/parameters/get?name=%2Fapp%2Fdb&withDecryption=true';
    const without = await rawRequest(endpoint, { method: 'GET', path });
    assert.equal(without.status, 401);
    const wrong = await rawRequest(endpoint, {
      method: 'GET',
      path,
      headers: { 'x-aws-parameters-secrets-token': 'nope' },
    });
    assert.equal(wrong.status, 401);
    const ok = await rawRequest(endpoint, {
      method: 'GET',
      path,
      headers: { 'x-aws-parameters-secrets-token': AGENT.token },
    });
    assert.equal(ok.status, 200);
    assert.equal((JSON.parse(ok.body) as { Parameter: { Value: string } }).Parameter.Value, 'v1');
    const secret = await rawRequest(endpoint, {
      method: 'GET',
      path: '/secretsmanager/get?secretId=app%2Fkey',
      headers: { 'x-aws-parameters-secrets-token': AGENT.token },
    });
    assert.equal((JSON.parse(secret.body) as { SecretString: string }).SecretString, '{"k":"s1"}');
  });

  it('serves the new value after an upstream write, through the change feed', async () => {
    assert.equal((await boto3('get-parameter', '/app/db')).value, 'v1');
    const health = JSON.parse((await rawRequest(endpoint, { method: 'GET', path: '/health' })).body) as {
      upstream: { feed: string };
    };
    assert.equal(health.upstream.feed, 'connected', 'the agent follows the upstream change feed');
    await server.client().send(new PutParameterCommand({ Name: '/app/db', Value: 'v2', Overwrite: true }));
    const fresh = await until('the agent serves v2', async () => {
      const answer = await boto3('get-parameter', '/app/db');
      return answer.value === 'v2' ? answer : undefined;
    });
    assert.equal(fresh.value, 'v2');
  });

  it('serves stale values, saying so, while the upstream is stopped', async () => {
    assert.equal((await boto3('get-secret', 'app/key')).value, '{"k":"s1"}');
    await server.stop({ keepStore: true });
    // Past the agent's two-second max age: the entry has expired and the upstream cannot be asked.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const stale = await boto3('get-secret', 'app/key');
    assert.equal(stale.value, '{"k":"s1"}', JSON.stringify(stale));
    assert.equal(stale.cache, 'stale');
    assert.match(stale.warning!, /110/);
    const health = JSON.parse((await rawRequest(endpoint, { method: 'GET', path: '/health' })).body) as {
      upstream: { breaker: string };
    };
    assert.ok(['open', 'closed', 'half-open'].includes(health.upstream.breaker));
    server = await startServer({ location: server.location });
  });
});
