/**
 * `coffer sync` and `coffer diff` against a real server and the local store: path mapping with
 * types, descriptions and tags carried; a server, the local store, a directory, a dotenv file
 * and a Secrets Manager prefix in both directions; dry runs, deletes, diff's exit codes,
 * refused entries (exit 3), verification catching a change behind the sync's back, a resumed
 * interrupted sync, progress only on a terminal, and values only with --show-values.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  DescribeParametersCommand,
  GetParameterCommand,
  GetParameterHistoryCommand,
  ListTagsForResourceCommand,
  PutParameterCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { CliSession } from '../../src/cli/cli-session.js';
import { runCli } from '../../src/cli/main.js';
import { runSync } from '../../src/cli/sync-runner.js';
import { applyPlan, planSync, ssmOperations, SsmSyncStore } from '../../src/client/sync/index.js';
import { CapturedIo } from '../helpers/captured-io.js';
import { ROOT, startServer, type RunningServer } from '../helpers/server-process.js';
import { testLocation, type TestLocation } from '../helpers/test-stores.js';

const PASSWORD = 'pa55-w0rd-never-printed';

describe('coffer sync and diff', () => {
  let server: RunningServer;
  let local: TestLocation;
  let ssm: SSMClient;
  let secrets: SecretsManagerClient;
  let remoteEnv: Record<string, string>;
  let localEnv: Record<string, string>;
  const dir = mkdtempSync(join(tmpdir(), 'coffer-sync-cli-'));

  const run = async (env: Record<string, string>, args: string[], io = new CapturedIo()) => {
    const code = await runCli(args, env, io);
    return { code, out: io.stdout, err: io.stderr };
  };
  const remote = (...args: string[]) => run(remoteEnv, args);
  const value = async (name: string) =>
    (await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }))).Parameter!;
  const put = (Name: string, Value: string, extra: object = {}) =>
    ssm.send(new PutParameterCommand({ Name, Value, Type: 'String', Overwrite: true, ...extra }));

  before(async () => {
    server = await startServer();
    local = testLocation('sqlite');
    const credentials = { AWS_ACCESS_KEY_ID: ROOT.accessKeyId, AWS_SECRET_ACCESS_KEY: ROOT.secretAccessKey };
    remoteEnv = { COFFER_ENDPOINT: server.endpoint, AWS_REGION: 'us-east-1', ...credentials };
    localEnv = { ...local.env(), AWS_REGION: 'us-east-1', ...credentials };
    ssm = server.client();
    secrets = new SecretsManagerClient({
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials: ROOT,
    });
    await ssm.send(
      new PutParameterCommand({
        Name: '/a/local/db/password',
        Value: PASSWORD,
        Type: 'SecureString',
        Description: 'orders database',
        Tags: [{ Key: 'team', Value: 'orders' }],
      }),
    );
    await put('/a/local/api/url', 'https://api.internal');
    await put('/a/local/hosts', 'a,b', { Type: 'StringList' });
  });
  after(async () => {
    ssm.destroy();
    secrets.destroy();
    await server.stop();
    await local.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('maps /a/local to /a/production, carrying type, description and tags, values hidden', async () => {
    const diff = await remote('diff', 'ssm:/a/local', 'ssm:/a/production');
    assert.equal(diff.code, 1);
    const dry = await remote('sync', 'ssm:/a/local', 'ssm:/a/production', '--dry-run');
    assert.equal(dry.code, 0);
    assert.match(dry.out, /^\+ db\/password$/m);
    await assert.rejects(value('/a/production/db/password'), /ParameterNotFound/);
    const sync = await remote('sync', 'ssm:/a/local', 'ssm:/a/production', '--verify');
    assert.equal(sync.code, 0, sync.err);
    assert.match(sync.out, /plan: 3 to create, 0 to update, 0 unchanged/);
    assert.match(sync.out, /applied: 3 written, 0 deleted, 0 failed\nverify: 3 entries match\n/);
    assert.ok(!sync.out.includes(PASSWORD) && !sync.err.includes(PASSWORD));
    const copied = await value('/a/production/db/password');
    assert.deepEqual([copied.Value, copied.Type], [PASSWORD, 'SecureString']);
    assert.equal((await value('/a/production/hosts')).Type, 'StringList');
    const described = await ssm.send(
      new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Values: ['/a/production/db/password'] }] }),
    );
    assert.equal(described.Parameters?.[0]?.Description, 'orders database');
    const tags = await ssm.send(
      new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: '/a/production/db/password' }),
    );
    assert.deepEqual(tags.TagList, [{ Key: 'team', Value: 'orders' }]);
    assert.equal((await remote('diff', 'ssm:/a/local', 'ssm:/a/production')).code, 0);
    // A rerun writes nothing: no new versions.
    assert.equal((await remote('sync', 'ssm:/a/local', 'ssm:/a/production')).code, 0);
    assert.equal(copied.Version, (await value('/a/production/db/password')).Version);
  });

  it('shows values only with --show-values, and never in --json without it', async () => {
    await put('/a/local/api/url', 'https://api-2.internal');
    const hidden = await remote('diff', 'ssm:/a/local', 'ssm:/a/production', '--json');
    assert.equal(hidden.code, 1);
    const json = JSON.parse(hidden.out);
    assert.deepEqual(json.counts, { create: 0, update: 1, unchanged: 2, delete: 0, extra: 0, unsupported: 0 });
    assert.deepEqual(json.changes[0], { action: 'update', name: 'api/url', fields: ['value'] });
    assert.ok(!hidden.out.includes('api-2.internal') && !hidden.out.includes(PASSWORD));
    const shown = await remote('diff', 'ssm:/a/local', 'ssm:/a/production', '--show-values');
    assert.match(shown.out, /^~ api\/url \[value\]: "https:\/\/api\.internal" -> "https:\/\/api-2\.internal"$/m);
  });

  it('deletes only with --delete', async () => {
    await put('/a/production/old', 'stale');
    const kept = await remote('sync', 'ssm:/a/local', 'ssm:/a/production');
    assert.equal(kept.code, 0);
    assert.match(kept.out, /^\? old \(only in the destination; --delete removes it\)$/m);
    assert.equal((await value('/a/production/old')).Value, 'stale');
    assert.equal((await remote('diff', 'ssm:/a/local', 'ssm:/a/production')).code, 1);
    const deleted = await remote('sync', 'ssm:/a/local', 'ssm:/a/production', '--delete', '--verify');
    assert.equal(deleted.code, 0, deleted.out);
    assert.match(deleted.out, /^- old$/m);
    await assert.rejects(value('/a/production/old'), /ParameterNotFound/);
    assert.equal((await remote('diff', 'ssm:/a/local', 'ssm:/a/production', '--delete')).code, 0);
  });

  it('syncs a server to a directory and back', async () => {
    const tree = join(dir, 'tree');
    const out = await remote('sync', 'ssm:/a/local', `file:${tree}/`, '--verify');
    assert.equal(out.code, 0, out.err);
    assert.match(out.out, /note: db\/password: stored unencrypted/);
    assert.match(out.out, /note: db\/password: tags not kept/);
    assert.equal(readFileSync(join(tree, 'db', 'password'), 'utf8'), PASSWORD);
    writeFileSync(join(tree, 'api', 'url'), 'https://edited.internal\n');
    writeFileSync(join(tree, 'new-one'), 'fresh');
    const back = await remote('sync', `file:${tree}`, 'ssm:/a/local');
    assert.equal(back.code, 0, back.err);
    assert.match(back.out, /^~ api\/url \[value\]$/m);
    assert.match(back.out, /^\+ new-one$/m);
    assert.match(back.out, /plan: 1 to create, 1 to update, 2 unchanged/);
    assert.equal((await value('/a/local/api/url')).Value, 'https://edited.internal');
    // A type the parameter has stays; a new one is a SecureString.
    assert.equal((await value('/a/local/api/url')).Type, 'String');
    assert.equal((await value('/a/local/new-one')).Type, 'SecureString');
  });

  it('syncs a server to a dotenv file and back, names spelled as variables', async () => {
    const file = join(dir, 'app.env');
    const out = await remote('sync', 'ssm:/a/local', `file:${file}`);
    assert.equal(out.code, 0, out.err);
    assert.match(readFileSync(file, 'utf8'), /^DB_PASSWORD='pa55-w0rd-never-printed'$/m);
    assert.match(out.out, /^\+ new\/one \(from new-one\)$/m);
    writeFileSync(file, `${readFileSync(file, 'utf8')}EXTRA_SETTING='on'\n`);
    const back = await remote('sync', `file:${file}`, 'ssm:/from-dotenv', '--verify');
    assert.equal(back.code, 0, back.err);
    assert.equal((await value('/from-dotenv/db/password')).Value, PASSWORD);
    assert.equal((await value('/from-dotenv/extra/setting')).Value, 'on');
  });

  it('syncs a server to a Secrets Manager prefix and back; bytes into SSM are refused by name (exit 3)', async () => {
    const out = await remote('sync', 'ssm:/a/production', 'secretsmanager:app/prod', '--verify');
    assert.equal(out.code, 0, out.err);
    const secret = await secrets.send(new GetSecretValueCommand({ SecretId: 'app/prod/db/password' }));
    assert.equal(secret.SecretString, PASSWORD);
    const described = await secrets.send(new DescribeSecretCommand({ SecretId: 'app/prod/db/password' }));
    assert.equal(described.Description, 'orders database');
    assert.deepEqual(described.Tags, [{ Key: 'team', Value: 'orders' }]);
    await secrets.send(new CreateSecretCommand({ Name: 'app/prod/cert', SecretBinary: new Uint8Array([0, 159, 146]) }));
    const back = await remote('sync', 'secretsmanager:app/prod/', 'ssm:/from-secrets');
    assert.equal(back.code, 3);
    assert.match(back.out, /^! cert: not synced: binary value: the destination cannot hold bytes$/m);
    assert.equal(back.err, 'coffer sync: 1 entry not synced: cert\n');
    assert.equal((await value('/from-secrets/db/password')).Type, 'SecureString');
    assert.equal((await value('/from-secrets/db/password')).Value, PASSWORD);
    // Bytes go to a directory as they are.
    const tree = join(dir, 'secrets-tree');
    assert.equal((await remote('sync', 'secretsmanager:app/prod', `file:${tree}/`)).code, 0);
    assert.deepEqual([...readFileSync(join(tree, 'cert'))], [0, 159, 146]);
  });

  it('syncs between the local store and a server with --src-endpoint and --dst-endpoint', async () => {
    const pull = await run(localEnv, ['sync', 'ssm:/a/local', 'ssm:/pulled', '--src-endpoint', server.endpoint]);
    assert.equal(pull.code, 0, pull.err);
    assert.equal((await run(localEnv, ['get', '/pulled/db/password'])).out, `${PASSWORD}\n`);
    await run(localEnv, ['put', '/pulled/api/url', 'https://local.internal', '--type', 'String', '--overwrite']);
    const push = await run(localEnv, ['sync', 'ssm:/pulled', 'ssm:/pushed', '--dst-endpoint', server.endpoint]);
    assert.equal(push.code, 0, push.err);
    assert.equal((await value('/pushed/api/url')).Value, 'https://local.internal');
    const local2 = await run(localEnv, ['sync', 'ssm:/pulled', 'secretsmanager:local/']);
    assert.equal(local2.code, 0, local2.err);
    assert.equal(
      (await run(localEnv, ['diff', 'secretsmanager:local', 'ssm:/a/local', '--dst-endpoint', server.endpoint])).code,
      1,
    );
  });

  it('--verify names the first value changed behind its back, without printing it', async () => {
    await put('/v/src/one', 'first');
    await put('/v/src/two', 'second');
    const io = new CapturedIo();
    const session = new CliSession(remoteEnv, server.endpoint);
    const hooks = { beforeVerify: async () => void (await put('/v/dst/two', 'tampered-value')) };
    try {
      assert.equal(await runSync(['ssm:/v/src', 'ssm:/v/dst', '--verify'], session, io, 'sync', hooks), 1);
    } finally {
      await session.close();
    }
    assert.match(io.stdout, /verify: FAILED: 1 of 2 differ; first: two \(value differs\)/);
    assert.ok(!io.stdout.includes('tampered-value') && !io.stdout.includes('second'));
  });

  it('resumes an interrupted sync with no duplicate versions', async () => {
    for (let i = 0; i < 6; i++) await put(`/r/src/k${i}`, `v${i}`);
    const ops = ssmOperations(ssm);
    let writes = 0;
    const failing = {
      ...ops,
      putParameter: async (request: Parameters<typeof ops.putParameter>[0]) => {
        if (++writes > 3) throw Object.assign(new Error('connection reset'), { code: 'EPIPE' });
        return ops.putParameter(request);
      },
    };
    const source = new SsmSyncStore(ops, '/r/src');
    const broken = new SsmSyncStore(failing, '/r/dst');
    const noRetry = { retry: { run: <T>(call: () => Promise<T>) => call() } as never };
    const first = await applyPlan(await planSync(source, broken), broken, noRetry);
    assert.deepEqual([first.written, first.failed.length], [3, 3]);
    const rerun = await remote('sync', 'ssm:/r/src', 'ssm:/r/dst', '--verify');
    assert.equal(rerun.code, 0, rerun.err);
    assert.match(rerun.out, /plan: 3 to create, 0 to update, 3 unchanged/);
    for (let i = 0; i < 6; i++) {
      const history = await ssm.send(new GetParameterHistoryCommand({ Name: `/r/dst/k${i}` }));
      assert.equal(history.Parameters?.length, 1, `/r/dst/k${i} has one version`);
    }
  });

  it('shows progress on a terminal only, and refuses a bad call with exit 2', async () => {
    const many = join(dir, 'many.json');
    writeFileSync(many, JSON.stringify(Object.fromEntries(Array.from({ length: 205 }, (_, i) => [`k${i}`, `v${i}`]))));
    const tty = await run(localEnv, ['sync', `file:${many}`, `file:${join(dir, 'many-tree')}/`], new CapturedIo(true));
    assert.equal(tty.code, 0);
    assert.match(tty.err, /\rsync \[#+\] 205\/205\n$/);
    const piped = await run(localEnv, ['sync', `file:${many}`, `file:${join(dir, 'many-tree-2')}/`]);
    assert.equal(piped.err, '');
    assert.equal((await run(localEnv, ['sync', 'ssm:/only-one'])).code, 2);
    const bad = await run(localEnv, ['diff', 'ssm:/x', 'redis:/y']);
    assert.equal(bad.code, 2);
    assert.match(
      bad.err,
      /redis:\/y is not one of ssm:\/PATH, secretsmanager:PREFIX, file:PATH or profile:APP\/PROFILE/,
    );
    assert.equal((await run(localEnv, ['sync', 'ssm:/x', 'ssm:/x'])).code, 2);
  });
});
