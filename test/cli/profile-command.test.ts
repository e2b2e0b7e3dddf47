/**
 * `coffer profile` on the file store and on Parameter Store through a real server: set, get
 * (resolved, raw, redacted unless --reveal), inherit, diff, edit with $EDITOR, rm; history,
 * diff --version and rollback on Parameter Store's versions; a stale write refused.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../src/cli/main.js';
import { CapturedIo } from '../helpers/captured-io.js';
import { ROOT, startServer, type RunningServer } from '../helpers/server-process.js';
import { clientsFor, userWithKey } from '../helpers/identity-clients.js';

const SECRET = 'pr0file-secret-9d2';

describe('coffer profile', () => {
  const home = mkdtempSync(join(tmpdir(), 'coffer-profile-cli-'));
  let server: RunningServer;
  const fileEnv = { XDG_CONFIG_HOME: home, COFFER_PROFILE_STORE: 'file' } as NodeJS.ProcessEnv;
  let psEnv: NodeJS.ProcessEnv;
  const cli = async (env: NodeJS.ProcessEnv, ...args: string[]) => {
    const io = new CapturedIo();
    const code = await runCli(['profile', ...args], env, io);
    return { code, out: io.stdout, err: io.stderr };
  };

  before(async () => {
    server = await startServer();
    psEnv = {
      COFFER_PROFILE_STORE: 'parameter-store',
      COFFER_ENDPOINT: server.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: ROOT.accessKeyId,
      AWS_SECRET_ACCESS_KEY: ROOT.secretAccessKey,
    };
  });
  after(async () => {
    await server.stop();
    rmSync(home, { recursive: true, force: true });
  });

  for (const [label, env] of [
    ['files', () => fileEnv],
    ['Parameter Store', () => psEnv],
  ] as const) {
    it(`sets, inherits, gets resolved and redacted, diffs and removes (${label})`, async () => {
      assert.equal((await cli(env(), 'set', 'shop', '_schema', 'secure_fields=["db.password"]')).code, 0);
      assert.equal((await cli(env(), 'set', 'shop', 'base', 'db.host=base-host', 'db.port=5432')).code, 0);
      const set = await cli(env(), 'set', 'shop', 'dev', 'db.host=localhost', `db.password=${SECRET}`);
      assert.equal(set.code, 0, set.err);
      assert.equal((await cli(env(), 'inherit', 'shop', 'dev', 'base')).code, 0);
      const got = await cli(env(), 'get', 'shop', 'dev');
      assert.match(got.out, /^db\.host = localhost$/m);
      assert.match(got.out, /^db\.port = 5432$/m, 'inherited');
      assert.match(got.out, /^db\.password = \*{8}$/m, 'redacted');
      assert.ok(!got.out.includes(SECRET));
      const revealed = await cli(env(), 'get', 'shop', 'dev', '--reveal', '--json');
      assert.equal(JSON.parse(revealed.out).db.password, SECRET);
      const raw = JSON.parse((await cli(env(), 'get', 'shop', 'dev', '--raw', '--json')).out);
      assert.equal(raw._inherits, 'base');
      assert.equal(raw.db.port, undefined, 'raw is unresolved');
      const diff = await cli(env(), 'diff', 'shop', 'base', 'dev');
      assert.equal(diff.code, 1);
      assert.match(diff.out, /^~ db\.host = base-host -> localhost$/m);
      assert.match(diff.out, /^\+ db\.password = \*{8}$/m);
      assert.deepEqual((await cli(env(), 'ls', 'shop')).out.trim().split('\n'), ['base', 'dev']);
      assert.equal((await cli(env(), 'rm', 'shop', 'base')).code, 0);
      const orphan = await cli(env(), 'get', 'shop', 'dev');
      assert.notEqual(orphan.code, 0);
      assert.match(orphan.err, /base/);
      const weak = await cli(env(), 'set', 'shop', 'dev', 'db.password=changeme');
      assert.match(weak.err, /warning: .*db\.password/);
      assert.ok(!weak.err.includes('changeme'), 'a warning names the field, never the value');
    });
  }

  it("applies seed 002's read-only and read-write policies to profile commands", async () => {
    const clients = clientsFor(server);
    const kms = {
      Effect: 'Allow',
      Resource: 'arn:aws:kms:*:*:key/*',
      Condition: { StringEquals: { 'kms:ViaService': 'ssm.us-east-1.amazonaws.com' } },
    };
    const resource = 'arn:aws:ssm:*:*:parameter/benchling-webhook/*';
    const readOnly = await userWithKey(clients.iam, 'team-dev', {
      ro: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:DescribeParameters'],
            Resource: resource,
          },
          { ...kms, Action: ['kms:Decrypt'] },
        ],
      },
    });
    const readWrite = await userWithKey(clients.iam, 'ci-cd', {
      rw: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: [
              'ssm:GetParameter',
              'ssm:GetParameters',
              'ssm:PutParameter',
              'ssm:DeleteParameter',
              'ssm:DescribeParameters',
            ],
            Resource: resource,
          },
          { ...kms, Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'] },
        ],
      },
    });
    clients.destroy();
    const as = (key: { accessKeyId: string; secretAccessKey: string }) => ({
      ...psEnv,
      AWS_ACCESS_KEY_ID: key.accessKeyId,
      AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
    });
    const wrote = await cli(as(readWrite), 'set', 'benchling-webhook', 'sales', 'tenant=sales', `token=${SECRET}`);
    assert.equal(wrote.code, 0, wrote.err);
    const read = await cli(as(readOnly), 'get', 'benchling-webhook', 'sales', '--reveal', '--json');
    assert.equal(read.code, 0, read.err);
    assert.equal(JSON.parse(read.out).tenant, 'sales');
    const refused = await cli(as(readOnly), 'set', 'benchling-webhook', 'sales', 'tenant=other');
    assert.notEqual(refused.code, 0);
    assert.match(refused.err, /AccessDenied/);
    assert.ok(!refused.err.includes(SECRET));
    const elsewhere = await cli(as(readWrite), 'set', 'other-app', 'sales', 'x=1');
    assert.match(elsewhere.err, /AccessDenied/, 'outside its path the read-write policy grants nothing');
    assert.equal((await cli(as(readWrite), 'rm', 'benchling-webhook', 'sales')).code, 0);
  });

  it('shows secrets that differ as a change, redacts a literal dotted key, and keeps JSON errors quiet', async () => {
    await cli(fileEnv, 'set', 'vault', '_schema', 'secure_fields=["db.password"]');
    await cli(fileEnv, 'set', 'vault', 'a', `db.password=${SECRET}-a`);
    await cli(fileEnv, 'set', 'vault', 'b', `db.password=${SECRET}-b`);
    const diff = await cli(fileEnv, 'diff', 'vault', 'a', 'b');
    assert.equal(diff.code, 1);
    assert.match(diff.out, /^~ db\.password = \*{8} -> \*{8}$/m);
    assert.ok(!diff.out.includes(SECRET));
    const file = join(home, 'literal.json');
    writeFileSync(file, JSON.stringify({ 'db.password': SECRET }));
    assert.equal((await cli(fileEnv, 'set', 'vault', 'c', '--file', file)).code, 0);
    const got = await cli(fileEnv, 'get', 'vault', 'c');
    assert.match(got.out, /^db\.password = \*{8}$/m);
    assert.ok(!got.out.includes(SECRET));
    writeFileSync(file, `{"db": {"password": "${SECRET}"`);
    const broken = await cli(fileEnv, 'set', 'vault', 'c', '--file', file);
    assert.equal(broken.code, 2);
    assert.ok(!broken.err.includes(SECRET), 'the parser quotes its input; the message does not');
  });

  it('edits with $EDITOR on a private temporary file, removed after', async () => {
    const editor = join(home, 'editor.sh');
    writeFileSync(editor, '#!/bin/sh\nstat -c %a "$1" > "$1.mode"; sed -i \'s/"light"/"dark"/\' "$1"\n');
    chmodSync(editor, 0o700);
    await cli(fileEnv, 'set', 'ui', 'me', 'theme=light');
    const edited = await cli({ ...fileEnv, EDITOR: editor }, 'edit', 'ui', 'me');
    assert.equal(edited.code, 0, edited.err);
    assert.match((await cli(fileEnv, 'get', 'ui', 'me')).out, /^theme = dark$/m);
  });

  it('shows history, diffs against a version and rolls back, on Parameter Store', async () => {
    await cli(psEnv, 'set', 'hist', 'p', 'level=1');
    await cli(psEnv, 'set', 'hist', 'p', 'level=2');
    const history = await cli(psEnv, 'history', 'hist', 'p', '--json');
    assert.deepEqual(
      JSON.parse(history.out).map((h: { Version: number }) => h.Version),
      [1, 2],
    );
    assert.ok(!history.out.includes('level'), 'history shows no documents');
    assert.match((await cli(psEnv, 'diff', 'hist', 'p', '--version', '1')).out, /^~ level = 1 -> 2$/m);
    const rolled = await cli(psEnv, 'rollback', 'hist', 'p', '--version', '1');
    assert.match(rolled.out, /version 3/);
    assert.match((await cli(psEnv, 'get', 'hist', 'p')).out, /^level = 1$/m);
    const onFiles = await cli(fileEnv, 'history', 'ui', 'me');
    assert.equal(onFiles.code, 2);
  });
});
