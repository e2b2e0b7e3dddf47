/**
 * The change feed end to end: GET /_coffer/changes on a real server, written to with the SDKs.
 * A write reaches the stream (on SQLite from this node, on PostgreSQL from another node) with
 * its name, kind, version and operation and never its value; callers see only what they may
 * describe or read; Last-Event-ID resumes; bad input and too many streams are refused.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DeleteParameterCommand, LabelParameterVersionCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { openChangeStream, type ChangeStreamReader } from '../helpers/change-stream-reader.js';
import { clientsFor, userWithKey, type ServiceClients } from '../helpers/identity-clients.js';
import { ROOT, startServer, type RunningServer } from '../helpers/server-process.js';
import { POSTGRES_SKIP } from '../helpers/test-stores.js';

const VALUE = 'feed-secret-value-7f3a';

describe('change feed', () => {
  let server: RunningServer;
  let clients: ServiceClients;
  let sm: SecretsManagerClient;
  const streams: ChangeStreamReader[] = [];
  const open = async (...args: Parameters<typeof openChangeStream>) => {
    const stream = await openChangeStream(...args);
    streams.push(stream);
    return stream;
  };

  before(async () => {
    server = await startServer({ env: { COFFER_CHANGES_HEARTBEAT_MS: '200' } });
    clients = clientsFor(server);
    sm = new SecretsManagerClient({
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials: ROOT,
      maxAttempts: 1,
    });
  });
  after(async () => {
    for (const s of streams) s.close();
    clients.destroy();
    sm.destroy();
    await server.stop();
  });

  it('tells of every change under the prefix, with no value, and keeps the stream alive', async () => {
    const stream = await open(server.endpoint, ROOT, { prefix: '/feed/' });
    assert.equal(stream.status, 200);
    const ready = await stream.next((e) => e.event === 'ready');
    await clients.ssm.send(new PutParameterCommand({ Name: '/feed/a', Value: VALUE, Type: 'SecureString' }));
    await clients.ssm.send(new PutParameterCommand({ Name: '/elsewhere/b', Value: VALUE, Type: 'String' }));
    await clients.ssm.send(new PutParameterCommand({ Name: '/feed/a', Value: `${VALUE}2`, Overwrite: true }));
    await clients.ssm.send(new LabelParameterVersionCommand({ Name: '/feed/a', ParameterVersion: 1, Labels: ['old'] }));
    await clients.ssm.send(new DeleteParameterCommand({ Name: '/feed/a' }));
    const last = await stream.next((e) => e.data.operation === 'DeleteParameter');
    const changes = stream.events.filter((e) => e.event === 'change');
    assert.deepEqual(
      changes.map((e) => [e.data.name, e.data.kind, e.data.version, e.data.operation]),
      [
        ['/feed/a', 'parameter', '1', 'PutParameter'],
        ['/feed/a', 'parameter', '2', 'PutParameter'],
        ['/feed/a', 'parameter', '1', 'LabelParameterVersion'],
        ['/feed/a', 'parameter', '2', 'DeleteParameter'],
      ],
    );
    assert.equal(changes[0]!.data.arn, 'arn:aws:ssm:us-east-1:123456789012:parameter/feed/a');
    assert.ok(Number(changes[0]!.id) > Number(ready.id) && Number(last.id) > Number(changes[0]!.id));
    assert.match(String(changes[0]!.data.time), /^\d{4}-\d\d-\d\dT/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.match(stream.text(), /^: keep-alive$/m, 'heartbeats');
    assert.ok(!stream.text().includes(VALUE), 'no value in the stream');
  });

  it('tells of secrets', async () => {
    const stream = await open(server.endpoint, ROOT, { prefix: 'feed-secret' });
    await stream.next((e) => e.event === 'ready');
    const created = await sm.send(new CreateSecretCommand({ Name: 'feed-secret', SecretString: VALUE }));
    const put = await sm.send(new PutSecretValueCommand({ SecretId: 'feed-secret', SecretString: `${VALUE}3` }));
    const event = await stream.next((e) => e.data.operation === 'PutSecretValue');
    assert.deepEqual(
      [event.data.kind, event.data.name, event.data.arn, event.data.version],
      ['secret', 'feed-secret', created.ARN, put.VersionId],
    );
    assert.ok(stream.events.some((e) => e.data.operation === 'CreateSecret' && e.data.version === created.VersionId));
    assert.ok(!stream.text().includes(VALUE));
  });

  it('shows a caller only the names it may describe or read', async () => {
    const reader = await userWithKey(clients.iam, 'feed-reader', {
      read: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 'ssm:GetParameter', Resource: 'arn:aws:ssm:*:*:parameter/team-a/*' },
          { Effect: 'Allow', Action: 'secretsmanager:DescribeSecret', Resource: '*' },
          { Effect: 'Deny', Action: 'secretsmanager:*', Resource: 'arn:aws:secretsmanager:*:*:secret:hidden-*' },
        ],
      },
    });
    const stream = await open(server.endpoint, reader);
    assert.equal(stream.status, 200, stream.body);
    await stream.next((e) => e.event === 'ready');
    await clients.ssm.send(new PutParameterCommand({ Name: '/team-b/x', Value: 'v', Type: 'String' }));
    await sm.send(new CreateSecretCommand({ Name: 'hidden-one', SecretString: 'v' }));
    await sm.send(new CreateSecretCommand({ Name: 'shown-one', SecretString: 'v' }));
    await clients.ssm.send(new PutParameterCommand({ Name: '/team-a/x', Value: 'v', Type: 'String' }));
    await stream.next((e) => e.data.name === '/team-a/x');
    assert.deepEqual(
      stream.events.filter((e) => e.event === 'change').map((e) => e.data.name),
      ['shown-one', '/team-a/x'],
    );
  });

  it('tells nobody but the root of a resource that is gone, since its tags no longer say who may know', async () => {
    const reader = await userWithKey(clients.iam, 'feed-tagged', {
      read: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 'ssm:GetParameter', Resource: '*' },
          {
            Effect: 'Deny',
            Action: 'ssm:*',
            Resource: '*',
            Condition: { StringEquals: { 'aws:ResourceTag/team': 'red' } },
          },
        ],
      },
    });
    const stream = await open(server.endpoint, reader, { prefix: '/tagged/' });
    await stream.next((e) => e.event === 'ready');
    await clients.ssm.send(
      new PutParameterCommand({
        Name: '/tagged/red',
        Value: 'v',
        Type: 'String',
        Tags: [{ Key: 'team', Value: 'red' }],
      }),
    );
    await clients.ssm.send(new DeleteParameterCommand({ Name: '/tagged/red' }));
    await clients.ssm.send(new PutParameterCommand({ Name: '/tagged/blue', Value: 'v', Type: 'String' }));
    await stream.next((e) => e.data.name === '/tagged/blue');
    assert.deepEqual(
      stream.events.filter((e) => e.event === 'change').map((e) => e.data.name),
      ['/tagged/blue'],
    );
  });

  it('resumes after Last-Event-ID, and says reset for a point it cannot resume from', async () => {
    const first = await open(server.endpoint, ROOT, { prefix: '/resume/' });
    const ready = await first.next((e) => e.event === 'ready');
    first.close();
    await clients.ssm.send(new PutParameterCommand({ Name: '/resume/a', Value: 'v', Type: 'String' }));
    await clients.ssm.send(new PutParameterCommand({ Name: '/resume/b', Value: 'v', Type: 'String' }));
    const resumed = await open(server.endpoint, ROOT, { prefix: '/resume/', lastEventId: ready.id! });
    const live = await resumed.next((e) => e.event === 'ready');
    assert.deepEqual(
      resumed.events.filter((e) => e.event === 'change').map((e) => e.data.name),
      ['/resume/a', '/resume/b'],
      'the missed changes, then live',
    );
    assert.ok(Number(live.id) >= Number(resumed.events[1]!.id));
    const ahead = await open(server.endpoint, ROOT, { lastEventId: '999999999' });
    assert.equal((await ahead.next(() => true)).event, 'reset');
  });

  it('refuses unsigned requests, bad input and too many streams, in AWS error form', async () => {
    const unsigned = await open(server.endpoint, ROOT, { sign: false });
    assert.equal(unsigned.status, 400);
    assert.equal(JSON.parse(unsigned.body).__type, 'MissingAuthenticationTokenException');
    const forged = await open(server.endpoint, { ...ROOT, secretAccessKey: 'wrong' });
    assert.equal(JSON.parse(forged.body).__type, 'InvalidSignatureException');
    const bad = await open(server.endpoint, ROOT, { lastEventId: '12; DROP' });
    assert.equal(bad.status, 400);
    assert.equal(JSON.parse(bad.body).__type, 'ValidationException');
    const limited = await userWithKey(clients.iam, 'feed-many', {});
    // Opened all at once: the places are taken as each is authorized, so none overshoots.
    const all = await Promise.all(Array.from({ length: 12 }, () => open(server.endpoint, limited)));
    const held = all.filter((s) => s.status === 200);
    const refused = all.filter((s) => s.status === 429);
    assert.deepEqual([held.length, refused.length], [8, 4]);
    assert.equal(JSON.parse(refused[0]!.body).__type, 'ThrottlingException');
    for (const s of held) s.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const again = await open(server.endpoint, limited);
    assert.equal(again.status, 200, 'a closed stream frees its place');
  });

  it('a write on one node reaches a stream on another (PostgreSQL)', { skip: POSTGRES_SKIP }, async () => {
    const first = await startServer({ backend: 'postgres' });
    let second: RunningServer | undefined;
    try {
      second = await startServer({
        env: {
          COFFER_DATABASE_URL: first.location.databaseUrl!,
          COFFER_DATA_DIR: first.location.dataDir,
          // No polling: only LISTEN/NOTIFY can carry the change to this node.
          COFFER_CHANGES_POLL_MS: '3600000',
        },
      });
      const stream = await open(second.endpoint, ROOT, { prefix: '/nodes/' });
      await stream.next((e) => e.event === 'ready');
      const a = clientsFor(first);
      await a.ssm.send(new PutParameterCommand({ Name: '/nodes/x', Value: 'v', Type: 'String' }));
      const event = await stream.next((e) => e.data.name === '/nodes/x', 10_000);
      assert.equal(event.data.operation, 'PutParameter');
      a.destroy();
      stream.close();
    } finally {
      await second?.stop({ keepStore: true });
      await first.stop();
    }
  });
});
