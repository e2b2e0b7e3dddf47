/**
 * Rotation against the real server (in --dev mode, whose clock tests may move): a registered HTTP
 * function implementing AWS's four-step template, a failure injected at each step in turn with
 * retries, the built-in rotators (random password, real PostgreSQL), schedules across a restart,
 * exactly-once on two nodes sharing PostgreSQL, parameter rotation, and webhook notifications.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  CancelRotateSecretCommand,
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidRequestException,
  PutSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, GetParameterHistoryCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import pg from 'pg';
import { CofferApiClient } from '../../src/cli/coffer-api-client.js';
import { rawRequest } from '../helpers/raw-request.js';
import { TestRotationFunction } from '../helpers/rotation-function.js';
import { ROOT, startServer, type RunningServer } from '../helpers/server-process.js';
import { POSTGRES_BASE_URL, POSTGRES_SKIP } from '../helpers/test-stores.js';
import { until } from '../helpers/until.js';

const DAY = 86_400;

function clients(server: RunningServer) {
  return {
    sm: new SecretsManagerClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: ROOT, maxAttempts: 1 }),
    coffer: new CofferApiClient(server.endpoint, 'us-east-1', async () => ROOT),
  };
}

type Status = { Status: string; Step?: string; Error?: string; VersionId: string; Attempts: number };
async function runs(coffer: CofferApiClient, name: string): Promise<Status[]> {
  return (await coffer.call('GetRotationStatus', { Name: name })).Rotations as Status[];
}
async function finished(coffer: CofferApiClient, name: string, count = 1): Promise<Status[]> {
  return until(`${count} finished rotation(s) of ${name}`, async () => {
    const list = await runs(coffer, name);
    return list.filter((r) => r.Status !== 'pending').length >= count ? list : undefined;
  });
}
const advance = (server: RunningServer, seconds: number) =>
  rawRequest(server.endpoint, { path: '/_coffer/clock', body: JSON.stringify({ advanceSeconds: seconds }) });

describe('rotation end to end', () => {
  let server: RunningServer;
  let sm: SecretsManagerClient;
  let coffer: CofferApiClient;
  let fn: TestRotationFunction;
  let webhook: Server;
  const notifications: { text: string; rotation: { status: string; step: string | null; error: string | null } }[] = [];

  before(async () => {
    webhook = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => {
        body += d.toString();
      });
      req.on('end', () => {
        notifications.push(JSON.parse(body));
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
    server = await startServer({
      dev: true,
      env: {
        COFFER_ROTATION_TICK_MS: '100',
        COFFER_ROTATION_TIMEOUT_MS: '2000',
        COFFER_ROTATION_WEBHOOK: `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hook`,
      },
    });
    ({ sm, coffer } = clients(server));
    fn = new TestRotationFunction(sm);
    const url = await fn.start();
    const registered = await coffer.call('RegisterFunction', { Name: 'template', Url: url });
    assert.equal(registered.Arn, 'arn:aws:lambda:us-east-1:123456789012:function:template');
    fn.signingKey = String(registered.SigningKey);
  });
  after(async () => {
    sm.destroy();
    await fn.stop();
    webhook.close();
    assert.equal(await server.stop(), 0);
  });

  it('rotates through a registered function in four signed steps, moving AWSCURRENT and AWSPREVIOUS', async () => {
    await sm.send(
      new CreateSecretCommand({
        Name: 'rot/db',
        SecretString: JSON.stringify({ username: 'app', password: 'initial-pw' }),
      }),
    );
    const rotated = await sm.send(
      new RotateSecretCommand({
        SecretId: 'rot/db',
        RotationLambdaARN: 'arn:aws:lambda:us-east-1:123456789012:function:template',
        RotationRules: { AutomaticallyAfterDays: 30 },
      }),
    );
    const [run] = await finished(coffer, 'rot/db');
    assert.equal(run!.Status, 'succeeded', run!.Error);
    assert.equal(run!.VersionId, rotated.VersionId);
    assert.deepEqual(
      fn.events.map((e) => e.Step),
      ['createSecret', 'setSecret', 'testSecret', 'finishSecret'],
    );
    assert.ok(fn.events.every((e) => e.ClientRequestToken === rotated.VersionId && e.SecretId === rotated.ARN));
    assert.deepEqual(fn.badSignatures, []);
    const current = JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: 'rot/db' }))).SecretString!);
    assert.notEqual(current.password, 'initial-pw');
    assert.equal(fn.database.get('app'), current.password);
    assert.equal(
      JSON.parse(
        (await sm.send(new GetSecretValueCommand({ SecretId: 'rot/db', VersionStage: 'AWSPREVIOUS' }))).SecretString!,
      ).password,
      'initial-pw',
    );
    const described = await sm.send(new DescribeSecretCommand({ SecretId: 'rot/db' }));
    assert.equal(described.RotationEnabled, true);
    assert.deepEqual(
      described.VersionIdsToStages![rotated.VersionId!],
      ['AWSCURRENT'],
      'AWSPENDING comes off after success',
    );
    assert.ok(described.LastRotatedDate);
    assert.ok(
      Math.abs(described.NextRotationDate!.getTime() - (described.LastRotatedDate!.getTime() + 30 * DAY * 1000)) <
        5_000,
    );
    await until('the success notification', async () =>
      notifications.some((n) => n.rotation.status === 'succeeded') ? true : undefined,
    );
  });

  for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
    it(
      `a failure at ${step} leaves AWSCURRENT and the secret readable, is recorded, and is retried with the same ` +
        `version`,
      async () => {
        const name = `rot/fail-${step}`;
        await sm.send(
          new CreateSecretCommand({ Name: name, SecretString: JSON.stringify({ username: step, password: 'before' }) }),
        );
        fn.failAt = step;
        const rotated = await sm.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: 'template' }));
        const [failed] = await finished(coffer, name);
        assert.equal(failed!.Status, 'failed');
        assert.equal(failed!.Step, step);
        assert.match(failed!.Error!, /HTTP 500/);
        assert.equal(
          JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString!).password,
          'before',
          'AWSCURRENT untouched',
        );
        if (step === 'setSecret')
          assert.match(failed!.Error!, /\[redacted\]/, "the function's echo of the password is removed");
        fn.failAt = undefined;
        await advance(server, 6 * 60); // past the first backoff
        const [retried] = await finished(coffer, name, 2);
        assert.equal(retried!.Status, 'succeeded', `${retried!.Step}: ${retried!.Error}`);
        assert.equal(retried!.VersionId, rotated.VersionId, 'the retry finishes the same version');
        assert.equal(retried!.Attempts, 2);
        assert.notEqual(
          JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString!).password,
          'before',
        );
      },
    );
  }

  it('records a step that times out as a failure and keeps AWSCURRENT', async () => {
    await sm.send(
      new CreateSecretCommand({
        Name: 'rot/slow',
        SecretString: JSON.stringify({ username: 'slow', password: 'slow-before' }),
      }),
    );
    fn.hangAt = 'testSecret';
    try {
      await sm.send(new RotateSecretCommand({ SecretId: 'rot/slow', RotationLambdaARN: 'template' }));
      const [failed] = await finished(coffer, 'rot/slow');
      assert.equal(failed!.Status, 'failed');
      assert.equal(failed!.Step, 'testSecret');
      assert.match(failed!.Error!, /timed out after 2000 ms/);
      assert.equal(
        JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: 'rot/slow' }))).SecretString!).password,
        'slow-before',
      );
    } finally {
      fn.hangAt = undefined;
    }
  });

  it('refuses a new rotation while AWSPENDING is on another version, as AWS does', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'rot/blocked', SecretString: '{"username":"b","password":"p"}' }));
    await sm.send(
      new PutSecretValueCommand({
        SecretId: 'rot/blocked',
        SecretString: '{"username":"b","password":"q"}',
        VersionStages: ['AWSPENDING'],
      }),
    );
    await assert.rejects(
      sm.send(new RotateSecretCommand({ SecretId: 'rot/blocked', RotationLambdaARN: 'template' })),
      InvalidRequestException,
    );
    await assert.rejects(
      sm.send(new RotateSecretCommand({ SecretId: 'rot/blocked', RotationLambdaARN: 'nobody' })),
      InvalidRequestException,
    );
  });

  it('notifies the webhook of failures, without values', () => {
    const failure = notifications.find((n) => n.rotation.status === 'failed' && n.rotation.step === 'setSecret');
    assert.ok(failure);
    assert.match(failure.text, /failed to rotate secret rot\/fail-setSecret/);
    assert.ok(!JSON.stringify(notifications).includes('before'));
  });

  it('rotates with the built-in random-password rotator, keeping the other fields', async () => {
    await coffer.call('RegisterFunction', {
      Name: 'pw',
      Builtin: 'random-password',
      Options: { field: 'password', length: 24 },
    });
    await sm.send(
      new CreateSecretCommand({
        Name: 'rot/builtin',
        SecretString: JSON.stringify({ username: 'svc', password: 'old-password', host: 'h' }),
      }),
    );
    await sm.send(
      new RotateSecretCommand({
        SecretId: 'rot/builtin',
        RotationLambdaARN: 'arn:aws:lambda:us-east-1:123456789012:function:pw',
      }),
    );
    const [run] = await finished(coffer, 'rot/builtin');
    assert.equal(run!.Status, 'succeeded', run!.Error);
    const value = JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: 'rot/builtin' }))).SecretString!);
    assert.equal(value.username, 'svc');
    assert.equal(value.host, 'h');
    assert.equal(value.password.length, 24);
    await assert.rejects(
      coffer.call('RegisterFunction', { Name: 'bad', Builtin: 'nope' }),
      (e: Error & { code: string }) => e.code === 'InvalidParameterException',
    );
  });

  it("rotating a primary keeps its replica in step: the new value, and the primary's labels", async () => {
    const west = new SecretsManagerClient({
      endpoint: server.endpoint,
      region: 'us-west-2',
      credentials: ROOT,
      maxAttempts: 1,
    });
    await sm.send(
      new CreateSecretCommand({
        Name: 'rot/replicated',
        SecretString: JSON.stringify({ username: 'svc', password: 'old-password' }),
        AddReplicaRegions: [{ Region: 'us-west-2' }],
      }),
    );
    await sm.send(
      new RotateSecretCommand({
        SecretId: 'rot/replicated',
        RotationLambdaARN: 'arn:aws:lambda:us-east-1:123456789012:function:pw',
      }),
    );
    const [run] = await finished(coffer, 'rot/replicated');
    assert.equal(run!.Status, 'succeeded', run!.Error);
    const primary = await sm.send(new GetSecretValueCommand({ SecretId: 'rot/replicated' }));
    const replica = await west.send(new GetSecretValueCommand({ SecretId: 'rot/replicated' }));
    assert.notEqual(JSON.parse(primary.SecretString!).password, 'old-password');
    assert.equal(replica.SecretString, primary.SecretString);
    assert.equal(replica.VersionId, primary.VersionId);
    const stages = async (client: SecretsManagerClient) =>
      (await client.send(new DescribeSecretCommand({ SecretId: 'rot/replicated' }))).VersionIdsToStages;
    assert.deepEqual(await stages(west), await stages(sm));
    west.destroy();
  });

  it("rotates a real PostgreSQL role's password with the built-in postgres rotator", async () => {
    const role = `coffer_rot_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: POSTGRES_BASE_URL });
    await admin.connect();
    try {
      await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD 'first-password'`);
      await coffer.call('RegisterFunction', { Name: 'pg', Builtin: 'postgres', Options: { length: 30 } });
      const url = new URL(POSTGRES_BASE_URL);
      await sm.send(
        new CreateSecretCommand({
          Name: 'rot/pg',
          SecretString: JSON.stringify({
            host: url.hostname,
            port: Number(url.port || 5432),
            username: role,
            password: 'first-password',
            dbname: url.pathname.slice(1),
          }),
        }),
      );
      await sm.send(
        new RotateSecretCommand({
          SecretId: 'rot/pg',
          RotationLambdaARN: 'pg',
          RotationRules: { ScheduleExpression: 'rate(30 days)' },
        }),
      );
      const [run] = await finished(coffer, 'rot/pg');
      assert.equal(run!.Status, 'succeeded', run!.Error);
      const password = JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: 'rot/pg' }))).SecretString!)
        .password as string;
      assert.equal(password.length, 30);
      // The server trusts loopback connections, so prove the change from the stored SCRAM verifier.
      const { rows } = await admin.query<{ rolpassword: string }>(
        'SELECT rolpassword FROM pg_authid WHERE rolname = $1',
        [role],
      );
      const [, iterations, salt, keys] = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):/.exec(rows[0]!.rolpassword)!;
      const salted = pbkdf2Sync(password, Buffer.from(salt!, 'base64'), Number(iterations), 32, 'sha256');
      const storedKey = createHash('sha256')
        .update(createHmac('sha256', salted).update('Client Key').digest())
        .digest('base64');
      assert.equal(storedKey, keys, "the role's password is the rotated one");
    } finally {
      await admin.query(`DROP ROLE IF EXISTS ${role}`).catch(() => {});
      await admin.end();
    }
  });

  it('rotates on schedule as the clock passes the due time, and cancels', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'rot/scheduled', SecretString: '{"username":"s","password":"p0"}' }));
    await sm.send(
      new RotateSecretCommand({
        SecretId: 'rot/scheduled',
        RotationLambdaARN: 'pw',
        RotationRules: { AutomaticallyAfterDays: 2 },
        RotateImmediately: false,
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal((await runs(coffer, 'rot/scheduled')).length, 0, 'not due yet');
    await advance(server, 2 * DAY + 60);
    assert.equal((await finished(coffer, 'rot/scheduled'))[0]!.Status, 'succeeded');
    await advance(server, 2 * DAY + 60);
    assert.equal((await finished(coffer, 'rot/scheduled', 2))[0]!.Status, 'succeeded');
    await sm.send(new CancelRotateSecretCommand({ SecretId: 'rot/scheduled' }));
    assert.equal((await sm.send(new DescribeSecretCommand({ SecretId: 'rot/scheduled' }))).RotationEnabled, false);
    await advance(server, 3 * DAY);
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal((await runs(coffer, 'rot/scheduled')).length, 2, 'no rotation after cancelling');
  });

  it('rotates a Parameter Store parameter: each rotation writes a new version', async () => {
    const ssm = server.client();
    await ssm.send(
      new PutParameterCommand({
        Name: '/rcm/prod/t1/portal',
        Value: JSON.stringify({ username: 'portal', password: 'p-start' }),
        Type: 'SecureString',
      }),
    );
    const configured = await coffer.call('RotateParameter', {
      Name: '/rcm/prod/t1/portal',
      RotationFunction: 'pw',
      RotationRules: { AutomaticallyAfterDays: 60 },
    });
    assert.ok(configured.NextRotationDate);
    const [run] = await finished(coffer, '/rcm/prod/t1/portal');
    assert.equal(run!.Status, 'succeeded', run!.Error);
    const value = JSON.parse(
      (await ssm.send(new GetParameterCommand({ Name: '/rcm/prod/t1/portal', WithDecryption: true }))).Parameter!
        .Value!,
    );
    assert.equal(value.username, 'portal');
    assert.notEqual(value.password, 'p-start');
    const history = await ssm.send(new GetParameterHistoryCommand({ Name: '/rcm/prod/t1/portal' }));
    assert.equal(history.Parameters!.length, 2);
    assert.match(history.Parameters![1]!.LastModifiedUser!, /assumed-role\/coffer-rotation\/pw$/);
    await advance(server, 60 * DAY + 60);
    assert.equal((await finished(coffer, '/rcm/prod/t1/portal', 2))[0]!.Status, 'succeeded');
  });

  it('never logs a value', () => {
    for (const value of ['initial-pw', 'first-password', 'p-start', 'old-password'])
      assert.ok(!server.output().includes(value), value);
  });
});

describe('rotation schedules across restarts and nodes', () => {
  it('catches up a rotation missed while no server ran, once', async () => {
    const first = await startServer({ dev: true, env: { COFFER_ROTATION_TICK_MS: '3600000' } });
    let second: RunningServer | undefined;
    try {
      const a = clients(first);
      await a.coffer.call('RegisterFunction', { Name: 'pw', Builtin: 'random-password' });
      await a.sm.send(new CreateSecretCommand({ Name: 'restart/s', SecretString: 'v0' }));
      await a.sm.send(
        new RotateSecretCommand({
          SecretId: 'restart/s',
          RotationLambdaARN: 'pw',
          RotationRules: { AutomaticallyAfterDays: 1 },
          RotateImmediately: false,
        }),
      );
      a.sm.destroy();
      await first.stop({ keepStore: true });
      second = await startServer({
        dev: true,
        env: {
          ...first.location.env(),
          COFFER_ROTATION_TICK_MS: '100',
          COFFER_DEV_CLOCK_OFFSET_SECONDS: String(3 * DAY),
        },
      });
      const b = clients(second);
      const [run] = await finished(b.coffer, 'restart/s');
      assert.equal(run!.Status, 'succeeded', run!.Error);
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal((await runs(b.coffer, 'restart/s')).length, 1, 'three missed days catch up once');
      assert.ok(
        (await b.sm.send(new DescribeSecretCommand({ SecretId: 'restart/s' }))).NextRotationDate!.getTime() >
          Date.now() + 3 * DAY * 1000,
        'next due a day after the catch-up',
      );
      assert.notEqual((await b.sm.send(new GetSecretValueCommand({ SecretId: 'restart/s' }))).SecretString, 'v0');
      b.sm.destroy();
    } finally {
      await second?.stop();
      await first.location.destroy();
    }
  });

  it('runs a due rotation on exactly one of two nodes sharing PostgreSQL', { skip: POSTGRES_SKIP }, async () => {
    const first = await startServer({ backend: 'postgres', dev: true, env: { COFFER_ROTATION_TICK_MS: '3600000' } });
    const env = {
      COFFER_DATABASE_URL: first.location.databaseUrl!,
      COFFER_DATA_DIR: first.location.dataDir,
      COFFER_ROTATION_TICK_MS: '50',
      COFFER_DEV_CLOCK_OFFSET_SECONDS: String(2 * DAY),
    };
    const nodes: RunningServer[] = [];
    try {
      const a = clients(first);
      await a.coffer.call('RegisterFunction', { Name: 'pw', Builtin: 'random-password' });
      for (let i = 0; i < 5; i++) {
        await a.sm.send(new CreateSecretCommand({ Name: `multi/s${i}`, SecretString: `v${i}` }));
        await a.sm.send(
          new RotateSecretCommand({
            SecretId: `multi/s${i}`,
            RotationLambdaARN: 'pw',
            RotationRules: { AutomaticallyAfterDays: 1 },
            RotateImmediately: false,
          }),
        );
      }
      a.sm.destroy();
      nodes.push(await startServer({ dev: true, env }), await startServer({ dev: true, env }));
      const b = clients(nodes[0]!);
      for (let i = 0; i < 5; i++) await finished(b.coffer, `multi/s${i}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
      for (let i = 0; i < 5; i++)
        assert.equal((await runs(b.coffer, `multi/s${i}`)).length, 1, `multi/s${i} rotated once`);
      b.sm.destroy();
    } finally {
      for (const node of nodes) await node.stop().catch(() => {});
      await first.stop();
    }
  });
});
