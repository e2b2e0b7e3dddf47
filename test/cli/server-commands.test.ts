/**
 * The commands around a running server, driven as a user would, through the `coffer` executable
 * and the AWS CLI: `coffer env`, `coffer reset`, `serve --init` and `--seed`, a first start on a
 * taken port, and the CLI's words for an unreachable server, missing credentials and an unknown key.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { ROOT, startServer as startServerProcess, type RunningServer } from '../helpers/server-process.js';
import { testLocation } from '../helpers/test-stores.js';
import { until } from '../helpers/until.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'coffer.js');

/** Every server a test starts is stopped at the end, even when an assertion failed mid-test. */
const started: RunningServer[] = [];
after(() => Promise.all(started.map((s) => s.stop({ keepStore: true }))));
async function startServer(options: Parameters<typeof startServerProcess>[0] = {}): Promise<RunningServer> {
  const server = await startServerProcess(options);
  started.push(server);
  return server;
}

/** An environment with nothing of the caller's AWS or Coffer settings in it. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(AWS_|COFFER_)/.test(k)) env[k] = v;
  return { ...env, ...extra };
}

function coffer(env: NodeJS.ProcessEnv, ...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 60_000 });
}

/** A server on a fresh store that makes its own root credentials (none in its environment). */
function generatedRoot() {
  return { COFFER_ROOT_ACCESS_KEY_ID: '', COFFER_ROOT_SECRET_ACCESS_KEY: '' };
}

describe('coffer env', () => {
  it('prints exports that make the aws CLI and boto3 talk to the running server as root', async () => {
    const server = await startServer({ env: generatedRoot() });
    try {
      const env = cleanEnv({ COFFER_DATA_DIR: server.location.dataDir });
      const printed = coffer(env, 'env');
      assert.equal(printed.status, 0, printed.stderr);
      assert.match(printed.stdout, new RegExp(`^export AWS_ENDPOINT_URL='${server.endpoint}'$`, 'm'));
      assert.match(printed.stdout, /^export AWS_REGION='us-east-1'$/m);
      assert.match(printed.stdout, /^export AWS_DEFAULT_REGION='us-east-1'$/m);
      const keys = readFileSync(join(server.location.dataDir, 'root-credentials'), 'utf8');
      const id = /aws_access_key_id = (\S+)/.exec(keys)![1]!;
      assert.match(printed.stdout, new RegExp(`^export AWS_ACCESS_KEY_ID='${id}'$`, 'm'));
      for (const flags of ['', '--credentials-file']) {
        const script =
          `eval "$(node ${BIN} env ${flags})"\n` +
          'aws ssm put-parameter --name /env/check --value ok --type String --overwrite >/dev/null\n' +
          "python3 -c 'import boto3; " +
          'print(boto3.client("ssm").get_parameter(Name="/env/check")["Parameter"]["Value"])\'\n';
        const run = spawnSync('bash', ['-e', '-c', script], { env, encoding: 'utf8', timeout: 60_000 });
        assert.equal(run.status, 0, `${flags}: ${run.stderr}`);
        assert.equal(run.stdout.trim(), 'ok');
      }
    } finally {
      await server.stop();
    }
  });

  it('says when no server runs, and where the credentials would be when there are none', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'coffer-env-'));
    try {
      const printed = coffer(cleanEnv({ COFFER_DATA_DIR: dataDir }), 'env');
      assert.equal(printed.status, 1);
      assert.match(printed.stderr, /no root credentials: .* start coffer serve once \(it writes .*root-credentials\)/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('coffer reset', () => {
  it('needs --yes, refuses while a server runs, then empties the store', async () => {
    const server = await startServer();
    const env = cleanEnv({ COFFER_DATA_DIR: server.location.dataDir });
    await server
      .client()
      .send(new GetParameterCommand({ Name: '/none' }))
      .catch(() => {});
    assert.equal(coffer(env, 'put', '/reset/me', 'v', '--type', 'String').status, 0);
    const unasked = coffer(env, 'reset');
    assert.equal(unasked.status, 2);
    assert.match(unasked.stderr, /pass --yes/);
    const busy = coffer(env, 'reset', '--yes');
    assert.equal(busy.status, 1);
    assert.match(busy.stderr, /coffer serve \(pid \d+, http:\/\/127\.0\.0\.1:\d+\) is running on .*: stop it first/);
    assert.equal(coffer(env, 'get', '/reset/me').stdout, 'v\n', 'nothing was removed');
    await server.stop({ keepStore: true });
    try {
      const reset = coffer(env, 'reset', '--yes');
      assert.equal(reset.status, 0, reset.stderr);
      assert.match(reset.stdout, /^emptied /);
      assert.equal(existsSync(join(server.location.dataDir, 'coffer.db')), false);
      const gone = coffer(env, 'get', '/reset/me');
      assert.equal(gone.status, 1);
      assert.match(gone.stderr, /ParameterNotFound/);
      assert.equal(coffer(cleanEnv({ COFFER_DATABASE_URL: 'postgres://x/y' }), 'reset', '--yes').status, 1);
    } finally {
      await server.location.destroy();
    }
  });
});

describe('coffer reset and sessions', () => {
  it('a root session token from before a reset opens nothing on the new store (same master key)', async () => {
    const location = testLocation('sqlite');
    try {
      const first = await startServer({ location });
      const sts = new STSClient({ endpoint: first.endpoint, region: 'us-east-1', credentials: ROOT });
      const { Credentials: session } = await sts.send(new GetSessionTokenCommand({}));
      sts.destroy();
      const asSession = (endpoint: string) =>
        new STSClient({
          endpoint,
          region: 'us-east-1',
          maxAttempts: 1,
          credentials: {
            accessKeyId: session!.AccessKeyId!,
            secretAccessKey: session!.SecretAccessKey!,
            sessionToken: session!.SessionToken!,
          },
        });
      const before = asSession(first.endpoint);
      assert.match((await before.send(new GetCallerIdentityCommand({}))).Arn!, /:root$/);
      before.destroy();
      await first.stop({ keepStore: true });
      const reset = coffer(cleanEnv(location.env()), 'reset', '--yes');
      assert.equal(reset.status, 0, reset.stderr);
      assert.ok(existsSync(join(location.dataDir, 'master.key')), 'the master key stays');
      const second = await startServer({ location });
      const after = asSession(second.endpoint);
      await assert.rejects(after.send(new GetCallerIdentityCommand({})), { name: 'InvalidClientTokenId' });
      after.destroy();
    } finally {
      await location.destroy();
    }
  });
});

describe('coffer serve --init and --seed', () => {
  it('runs scripts and loads seed files once per store, in order, reporting a failing script', async () => {
    const initDir = mkdtempSync(join(tmpdir(), 'coffer-init-'));
    const location = testLocation('sqlite');
    try {
      writeFileSync(
        join(initDir, '10-seed.json'),
        JSON.stringify({
          parameters: [
            { name: '/init/seeded', value: 'seeded-value', type: 'SecureString', tags: { team: 'init' } },
            { name: '/init/list', value: 'a,b', type: 'StringList', description: 'a list' },
          ],
          secrets: [{ name: 'init/db', value: { username: 'app', password: 'init-pw' } }],
        }),
      );
      const script = join(initDir, '20-script.sh');
      writeFileSync(
        script,
        '#!/bin/sh\nset -e\necho "hello from init, region $AWS_DEFAULT_REGION"\n' +
          'echo "server settings seen: $(env | grep -c -e ^COFFER_METRICS_TOKEN= -e ^COFFER_DATA_DIR= || true)"\n' +
          'aws ssm put-parameter --name /init/from-script --value "$AWS_REGION" --type String >/dev/null\n',
      );
      chmodSync(script, 0o755);
      const failing = join(initDir, '30-fails.sh');
      writeFileSync(failing, '#!/bin/sh\necho about to fail >&2\nexit 3\n');
      chmodSync(failing, 0o755);
      writeFileSync(join(initDir, 'notes.txt'), 'not executable, not a seed: ignored');

      const first = await startServer({
        location,
        args: ['--init', initDir],
        env: { AWS_CONFIG_FILE: '/dev/null', COFFER_METRICS_TOKEN: 'metrics-token-never-shown' },
      });
      await until('init to finish', async () => (/init: .* done: /.test(first.output()) ? true : undefined), 60);
      const log = first.output();
      assert.match(log, /init: loading 10-seed.json\n.*init: 10-seed.json: 2 parameters and 1 secret\n/);
      assert.match(log, /init: 20-script.sh: hello from init, region us-east-1\n/);
      assert.match(log, /init: 20-script.sh: server settings seen: 0\n/, 'no COFFER_* setting reaches a script');
      assert.match(log, /init: 30-fails.sh: about to fail\n/);
      assert.match(log, /init: 30-fails.sh FAILED with exit code 3 \(it runs again at the next start\)/);
      assert.match(log, /done: 2 ran, 0 skipped, 1 FAILED \(30-fails.sh\)/);
      assert.doesNotMatch(log, /notes\.txt/);
      assert.ok(log.indexOf('10-seed.json') < log.indexOf('20-script.sh'));
      const ssm = first.client();
      const seeded = await ssm.send(new GetParameterCommand({ Name: '/init/seeded', WithDecryption: true }));
      assert.equal(seeded.Parameter?.Value, 'seeded-value');
      assert.equal(seeded.Parameter?.Type, 'SecureString');
      const fromScript = await ssm.send(new GetParameterCommand({ Name: '/init/from-script' }));
      assert.equal(fromScript.Parameter?.Value, 'us-east-1');
      const sm = new SecretsManagerClient({ endpoint: first.endpoint, region: 'us-east-1', credentials: ROOT });
      const secret = await sm.send(new GetSecretValueCommand({ SecretId: 'init/db' }));
      assert.deepEqual(JSON.parse(secret.SecretString!), { username: 'app', password: 'init-pw' });
      sm.destroy();
      for (const value of ['seeded-value', 'init-pw']) assert.ok(!log.includes(value), `${value} was logged`);
      await first.stop({ keepStore: true });

      const second = await startServer({ location, args: ['--init', initDir] });
      await until('init to finish again', async () => (/init: .* done: /.test(second.output()) ? true : undefined), 60);
      assert.match(second.output(), /10-seed.json already ran on this store \(skipped\)/);
      assert.match(second.output(), /20-script.sh already ran on this store \(skipped\)/);
      assert.match(second.output(), /done: 0 ran, 2 skipped, 1 FAILED \(30-fails.sh\)/);
      await second.stop({ keepStore: true });
    } finally {
      await location.destroy();
      rmSync(initDir, { recursive: true, force: true });
    }
  });

  it('--seed loads a YAML file on an empty store only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coffer-seed-'));
    const location = testLocation('sqlite');
    try {
      const seed = join(dir, 'seed.yaml');
      writeFileSync(
        seed,
        'parameters:\n' +
          '  /seed/url:\n    value: postgres://db:5432/app\n    description: the database\n' +
          '    tags: { team: payments }\n' +
          '  /seed/flag: "on"\n' +
          'secrets:\n  - name: seed/db\n    value: { username: app, password: yaml-pw }\n',
      );
      const first = await startServer({ location, args: ['--seed', seed] });
      await until('the seed', async () => (/seeded /.test(first.output()) ? true : undefined));
      assert.match(first.output(), /coffer: seeded 2 parameters and 1 secret from /);
      const flag = await first.client().send(new GetParameterCommand({ Name: '/seed/flag' }));
      assert.equal(flag.Parameter?.Value, 'on');
      await first.stop({ keepStore: true });
      const second = await startServer({ location, args: ['--seed', seed] });
      await until('the refusal', async () => (/not loaded/.test(second.output()) ? true : undefined));
      assert.match(second.output(), /--seed .* not loaded: the store already holds parameters or secrets/);
      await second.stop({ keepStore: true });

      writeFileSync(seed, 'parameters:\n  - name: no-value-here\n');
      const bad = coffer(cleanEnv(testLocation('sqlite').env()), 'serve', '--port', '0', '--seed', seed);
      assert.equal(bad.status, 1);
      assert.match(bad.stderr, /no-value-here/);
    } finally {
      await location.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('coffer serve: first start', () => {
  it('on a taken port makes no credentials, and every start says where the credentials file is', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    const dataDir = mkdtempSync(join(tmpdir(), 'coffer-first-'));
    try {
      const env = cleanEnv({ COFFER_DATA_DIR: dataDir });
      const refused = coffer(env, 'serve', '--port', String(port));
      assert.notEqual(refused.status, 0);
      assert.match(refused.stderr, /EADDRINUSE|in use/);
      assert.equal(existsSync(join(dataDir, 'root-credentials')), false);
    } finally {
      taken.close();
    }
    const location = { ...testLocation('sqlite'), dataDir };
    const env = { COFFER_DATA_DIR: dataDir, ...generatedRoot() };
    const file = join(dataDir, 'root-credentials');
    try {
      const first = await startServer({ location, env });
      try {
        await until('the credentials', async () => (first.output().includes(file) ? true : undefined));
        assert.match(first.output(), /root credentials \(shown once/);
      } finally {
        await first.stop({ keepStore: true });
      }
      const second = await startServer({ location, env });
      try {
        await until('the credentials file', async () => (second.output().includes(file) ? true : undefined));
        assert.doesNotMatch(second.output(), /shown once/);
      } finally {
        await second.stop({ keepStore: true });
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('the CLI in remote mode, when things are missing', () => {
  it('says no server answers, points missing credentials to the credentials file and coffer env', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'coffer-remote-'));
    mkdirSync(join(dataDir, 'home'));
    try {
      const env = cleanEnv({
        COFFER_DATA_DIR: dataDir,
        HOME: join(dataDir, 'home'),
        AWS_ACCESS_KEY_ID: ROOT.accessKeyId,
        AWS_SECRET_ACCESS_KEY: ROOT.secretAccessKey,
      });
      const down = coffer(env, '--endpoint', 'http://127.0.0.1:9', 'get', '/x');
      assert.equal(down.status, 1);
      assert.match(
        down.stderr,
        /^coffer: no Coffer server answers at http:\/\/127\.0\.0\.1:9 \(is `coffer serve` running\?/,
      );
      assert.equal(down.stderr.split('\n').length, 2, 'one line');
      const server = await startServer();
      try {
        const noKeys = cleanEnv({ HOME: join(dataDir, 'home'), COFFER_DATA_DIR: server.location.dataDir });
        const missing = coffer(noKeys, '--endpoint', server.endpoint, 'get', '/x');
        assert.equal(missing.status, 1);
        assert.match(missing.stderr, /root-credentials/);
        assert.match(missing.stderr, /coffer env/);
        assert.equal(missing.stderr.split('\n').length, 2, 'one line');
      } finally {
        await server.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('an unknown key gets UnrecognizedClientException naming the root credentials file, from loopback', async () => {
    const unknownKey = (endpoint: string) =>
      spawnSync('aws', ['ssm', 'get-parameter', '--name', '/x'], {
        env: cleanEnv({
          AWS_ENDPOINT_URL: endpoint,
          AWS_ACCESS_KEY_ID: 'AKIANOSUCHKEY0000000',
          AWS_SECRET_ACCESS_KEY: 'nope-nope-nope',
          AWS_DEFAULT_REGION: 'us-east-1',
        }),
        encoding: 'utf8',
      });
    const fromFile = await startServer({ env: generatedRoot() });
    const file = join(fromFile.location.dataDir, 'root-credentials');
    await until('the root credentials', async () => (fromFile.output().includes(file) ? true : undefined));
    const told = unknownKey(fromFile.endpoint);
    assert.notEqual(told.status, 0);
    assert.match(told.stderr, /UnrecognizedClientException/);
    assert.ok(told.stderr.includes(file), told.stderr);
    await fromFile.stop();
    // Root credentials from the environment: there is no file to point at, and none is named.
    const fromEnv = await startServer();
    const untold = unknownKey(fromEnv.endpoint);
    assert.match(untold.stderr, /UnrecognizedClientException/);
    assert.doesNotMatch(untold.stderr, /root-credentials/);
    await fromEnv.stop();
  });
});
