/**
 * The `coffer` CLI in local mode, on every backend: the quick-start flow of the README, output
 * formats, exit codes and one-line errors.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../src/cli/main.js';
import { CapturedIo } from '../helpers/captured-io.js';
import { ROOT, startServer, type RunningServer } from '../helpers/server-process.js';
import { BACKENDS, testLocation, type TestLocation } from '../helpers/test-stores.js';

/** Local mode on each backend, and remote mode against a server (over SQLite). */
const MODES = [...BACKENDS, 'remote'] as const;

for (const mode of MODES) {
  describe(`coffer CLI: ${mode}`, () => {
    let location: TestLocation;
    let server: RunningServer | undefined;
    let env: Record<string, string>;
    const run = async (args: string[], io = new CapturedIo()) => ({ code: await runCli(args, env, io), io });

    before(async () => {
      if (mode === 'remote') {
        server = await startServer();
        location = server.location;
        env = {
          COFFER_ENDPOINT: server.endpoint,
          AWS_ACCESS_KEY_ID: ROOT.accessKeyId,
          AWS_SECRET_ACCESS_KEY: ROOT.secretAccessKey,
          AWS_REGION: 'us-east-1',
        };
      } else {
        location = testLocation(mode);
        env = location.env();
      }
    });
    after(() => (server ? server.stop() : location.destroy()));

    it('puts, overwrites and gets by version, as in the quick start', async () => {
      assert.equal(
        (
          await run([
            'put',
            '/dev/orders/db-password',
            's3cr3t',
            '--type',
            'SecureString',
            '--description',
            'orders DB',
          ])
        ).code,
        0,
      );
      assert.equal((await run(['get', '/dev/orders/db-password'])).io.stdout, 's3cr3t\n');
      assert.equal(
        (await run(['put', '/dev/orders/db-password', 'n3w', '--type', 'SecureString', '--overwrite'])).code,
        0,
      );
      assert.equal((await run(['get', '/dev/orders/db-password:1'])).io.stdout, 's3cr3t\n');
      assert.equal((await run(['get', '/dev/orders/db-password'])).io.stdout, 'n3w\n');
      const json = JSON.parse((await run(['get', '/dev/orders/db-password', '--json'])).io.stdout);
      assert.equal(json.Version, 2);
    });

    it('reads a value from standard input with -', async () => {
      await run(['put', '/dev/orders/api-key', '-', '--type', 'SecureString'], new CapturedIo(false, 'from-stdin\n'));
      assert.equal((await run(['get', '/dev/orders/api-key'])).io.stdout, 'from-stdin\n');
    });

    it('lists a tree of names, types and versions, with values only on request', async () => {
      await run(['put', '/dev/shared/Region-Name', 'eu-west-1', '--type', 'String']);
      const { io } = await run(['ls', '/dev', '--recursive']);
      assert.match(
        io.stdout,
        /^\/dev\n {2}orders\/\n {4}api-key {2}SecureString {2}v1 .*\n {4}db-password {2}SecureString {2}v2 /,
      );
      assert.match(io.stdout, / {2}shared\/\n {4}Region-Name {2}String {2}v1/);
      assert.ok(!io.stdout.includes('n3w'));
      const withValues = (await run(['ls', '/dev', '-r', '--values'])).io.stdout;
      assert.match(withValues, /db-password .* = n3w/);
      const json = JSON.parse((await run(['ls', '/dev/orders', '--json'])).io.stdout);
      assert.deepEqual(
        json.map((p: { Name: string }) => p.Name),
        ['/dev/orders/api-key', '/dev/orders/db-password'],
      );
    });

    it('lists the sub-folders directly under a path, with how many parameters each holds', async () => {
      await run(['put', '/dev/shared/deep/er/key', 'x', '--type', 'String']);
      const { code, io } = await run(['ls', '/dev']);
      assert.equal(code, 0, io.stderr);
      assert.equal(io.stdout, '/dev\n  orders/  (2 parameters)\n  shared/  (2 parameters)\n');
      const shared = (await run(['ls', '/dev/shared'])).io.stdout.split('\n');
      assert.match(shared[1]!, /^ {2}Region-Name {2}String {2}v1 {2}\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.equal(shared[2], '  deep/  (1 parameter)');
      const json = JSON.parse((await run(['ls', '/dev', '--json'])).io.stdout);
      assert.deepEqual(json, [
        { Name: '/dev/orders/', Type: 'Folder', Parameters: 2 },
        { Name: '/dev/shared/', Type: 'Folder', Parameters: 2 },
      ]);
      await run(['rm', '/dev/shared/deep/er/key']);
    });

    it('shows history with labels', async () => {
      await run(['label', '/dev/orders/db-password:1', 'stable']);
      const { io } = await run(['history', '/dev/orders/db-password']);
      const lines = io.stdout.trim().split('\n');
      assert.equal(lines.length, 2);
      assert.match(lines[0]!, /^v1 .* \[stable\]$/);
      assert.ok(!io.stdout.includes('s3cr3t'));
      assert.match((await run(['history', '/dev/orders/db-password', '--values'])).io.stdout, /s3cr3t/);
      assert.equal((await run(['get', '/dev/orders/db-password:stable'])).io.stdout, 's3cr3t\n');
    });

    it('exports dotenv and JSON, and imports them under another path keeping case', async () => {
      const dotenv = (await run(['export', '/dev/orders', '--format', 'dotenv'])).io.stdout;
      assert.equal(dotenv, "API_KEY='from-stdin'\nDB_PASSWORD='n3w'\n");
      const file = join(location.dataDir, 'orders.env');
      writeFileSync(file, dotenv);
      assert.equal((await run(['import', '/staging/orders', file])).code, 0);
      assert.equal((await run(['get', '/staging/orders/DB_PASSWORD'])).io.stdout, 'n3w\n');
      const json = JSON.parse((await run(['export', '/dev/orders', '--format', 'json'])).io.stdout);
      assert.deepEqual(json, { 'api-key': 'from-stdin', 'db-password': 'n3w' });
      await run(
        ['import', '/copy/orders', '-', '--format', 'json'],
        new CapturedIo(false, JSON.stringify({ 'Mixed-Case.key': 'v', port: 5432 })),
      );
      assert.equal((await run(['get', '/copy/orders/Mixed-Case.key'])).io.stdout, 'v\n');
      assert.equal((await run(['get', '/copy/orders/port'])).io.stdout, '5432\n');
    });

    it('refuses an import over existing names without --overwrite and writes nothing', async () => {
      const stdin = "NEW_ONE='x'\nDB_PASSWORD='changed'\n";
      const refused = await run(['import', '/staging/orders', '-'], new CapturedIo(false, stdin));
      assert.equal(refused.code, 1);
      assert.match(refused.io.stderr, /already exist .*nothing was written/);
      assert.equal((await run(['get', '/staging/orders/NEW_ONE'])).code, 1);
      assert.equal(
        (await run(['import', '/staging/orders', '-', '--overwrite'], new CapturedIo(false, stdin))).code,
        0,
      );
      assert.equal((await run(['get', '/staging/orders/DB_PASSWORD'])).io.stdout, 'changed\n');
    });

    it('shows a progress bar for large imports on a terminal only', async () => {
      const many = Array.from({ length: 250 }, (_, i) => `K${i}='v${i}'`).join('\n');
      const tty = new CapturedIo(true, many);
      await run(['import', '/bulk/tty', '-', '--type', 'String'], tty);
      assert.match(tty.stderr, /import \[#+\] 250\/250/);
      const piped = new CapturedIo(false, many);
      await run(['import', '/bulk/piped', '-', '--type', 'String'], piped);
      assert.equal(piped.stderr, '');
      const exported = new CapturedIo(true);
      await run(['export', '/bulk/tty'], exported);
      assert.match(exported.stderr, /export \[#+\] 250\/250/);
      assert.equal(exported.stdout.split('\n').length, 251);
    });

    it('tags and untags', async () => {
      assert.equal(
        (await run(['tag', '/dev/orders/db-password', 'team=orders', 'env=dev'])).io.stdout,
        'env=dev\nteam=orders\n',
      );
      assert.equal((await run(['tag', '/dev/orders/db-password', '--remove', 'env'])).io.stdout, 'team=orders\n');
    });

    it('removes parameters, reporting missing ones with exit code 1', async () => {
      const { code, io } = await run(['rm', '/copy/orders/port', '/copy/orders/none']);
      assert.equal(code, 1);
      assert.equal(io.stdout, 'deleted /copy/orders/port\n');
      assert.equal(io.stderr, 'coffer: ParameterNotFound: Parameter /copy/orders/none not found.\n');
    });

    it('fails with one clear line on stderr and never prints the value', async () => {
      const { code, io } = await run(['put', '/dev/orders/db-password', 'very-secret-value', '--type', 'SecureString']);
      assert.equal(code, 1);
      assert.equal(
        io.stderr,
        'coffer: ParameterAlreadyExists: The parameter already exists. To overwrite this value, set the overwrite ' +
          'option in the request to true.\n',
      );
      const bad = await run(['put', '/dev/bad pattern', 'very-secret-value', '--type', 'String']);
      assert.equal(bad.code, 1);
      assert.equal(bad.io.stderr.split('\n').length, 2);
      assert.ok(!bad.io.stderr.includes('very-secret-value'));
    });

    it('exits 2 with the usage line on a usage mistake', async () => {
      const { code, io } = await run(['get']);
      assert.equal(code, 2);
      assert.match(io.stderr, /Usage: coffer get/);
      assert.equal((await run(['put', '/x', 'v', '--bogus'])).code, 2);
      assert.equal((await run(['frobnicate'])).code, 2);
    });

    it('lists, creates and rotates keys, and rotates the master key', async (t) => {
      if (mode === 'remote') {
        const { code, io } = await run(['keys', 'list']);
        assert.equal(code, 1);
        assert.match(io.stderr, /works on the local store only/);
        return t.skip('keys manages the local store');
      }
      const created = await run(['keys', 'create', '--alias', 'alias/orders', '--description', 'orders']);
      assert.match(created.io.stdout, /^arn:aws:kms:us-east-1:123456789012:key\/[0-9a-f-]{36}\n$/);
      assert.equal(
        (await run(['put', '/dev/orders/k', 'v', '--type', 'SecureString', '--key-id', 'alias/orders'])).code,
        0,
      );
      assert.match((await run(['keys', 'rotate', 'alias/orders'])).io.stdout, /generation 2/);
      const list = JSON.parse((await run(['keys', 'list', '--json'])).io.stdout);
      assert.deepEqual(list.map((k: { aliases: string[] }) => k.aliases[0]).sort(), [
        'alias/aws/secretsmanager',
        'alias/aws/ssm',
        'alias/orders',
      ]);
      assert.match((await run(['keys', 'rotate-master'])).io.stdout, /re-wrapped \d+ key generations/);
      assert.equal((await run(['get', '/dev/orders/k'])).io.stdout, 'v\n');
      assert.equal((await run(['get', '/dev/orders/db-password'])).io.stdout, 'n3w\n');
      // Both rotations are in the audit trail, as actions Coffer took (never a key byte).
      const trail = (await run(['audit', 'search', '--json', '--limit', '50'])).io.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      const rotateKey = trail.find((r) => r.eventName === 'RotateKey') as {
        eventSource: string;
        eventType: string;
        resources: { ARN: string }[];
        serviceEventDetails: { generation: number };
      };
      assert.equal(rotateKey.eventSource, 'kms.amazonaws.com');
      assert.equal(rotateKey.eventType, 'AwsServiceEvent');
      assert.equal(rotateKey.resources[0]!.ARN, created.io.stdout.trim());
      assert.equal(rotateKey.serviceEventDetails.generation, 2);
      const rotateMaster = trail.find((r) => r.eventName === 'RotateMasterKey') as {
        eventSource: string;
        serviceEventDetails: { keyLocation: string };
      };
      assert.equal(rotateMaster.eventSource, 'coffer.amazonaws.com');
      assert.equal(rotateMaster.serviceEventDetails.keyLocation, 'file');
    });

    it('registers rotation functions and rotates a parameter on a schedule, with status', async () => {
      const registered = await run([
        'functions',
        'register',
        'pw',
        '--builtin',
        'random-password',
        '--field',
        'password',
        '--length',
        '20',
      ]);
      assert.equal(registered.code, 0, registered.io.stderr);
      assert.equal(registered.io.stdout, 'arn:aws:lambda:us-east-1:123456789012:function:pw\n');
      assert.match(
        (await run(['functions', 'list'])).io.stdout,
        /^pw {2}builtin {2}random-password {2}arn:aws:lambda/m,
      );
      await run(['put', '/dev/rot/portal', '{"username":"u","password":"start-pw"}', '--type', 'SecureString']);
      const started = await run(['rotation', 'parameter', '/dev/rot/portal', '--function', 'pw', '--every', '60d']);
      assert.equal(started.code, 0, started.io.stderr);
      assert.match(
        started.io.stdout,
        /^\/dev\/rot\/portal: rotated \(version [0-9a-f-]{36}\), again every 60d\n$/,
        'it waits for the rotation it started',
      );
      assert.equal(started.io.stderr, '', 'no log line of the run');
      const deadline = Date.now() + 20_000;
      let status = '';
      while (!/succeeded/.test(status) && Date.now() < deadline) {
        status = (await run(['rotation', 'status', '/dev/rot/portal'])).io.stdout;
        if (!/succeeded/.test(status)) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.match(
        status,
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z {2}parameter \/dev\/rot\/portal {2}succeeded {2}\(attempt 1\)/,
        'ISO 8601 dates',
      );
      const value = JSON.parse((await run(['get', '/dev/rot/portal'])).io.stdout);
      assert.equal(value.username, 'u');
      assert.equal(value.password.length, 20);
      assert.equal((await run(['rotation', 'cancel', '/dev/rot/portal', '--parameter'])).code, 0);
      // A rotation that fails (a postgres rotator for a value with no host): exit 1, one clear line.
      assert.equal((await run(['functions', 'register', 'pg', '--builtin', 'postgres'])).code, 0);
      await run(['put', '/dev/rot/db', '{"username":"u","password":"p"}', '--type', 'SecureString']);
      const failed = await run(['rotation', 'parameter', '/dev/rot/db', '--function', 'pg']);
      assert.equal(failed.code, 1, failed.io.stdout);
      assert.equal(failed.io.stdout, '');
      assert.match(failed.io.stderr, /^coffer: RotationFailed: \/dev\/rot\/db was not rotated: step \w+ failed: .+\n$/);
      assert.equal(failed.io.stderr.split('\n').length, 2, 'one line');
      assert.ok(!failed.io.stderr.includes('"p"'));
      assert.equal((await run(['rotation', 'cancel', '/dev/rot/db', '--parameter'])).code, 0);
      assert.equal((await run(['functions', 'remove', 'pg'])).code, 0);
      const missing = await run(['rotation', 'secret', 'no-such-secret', '--function', 'pw']);
      assert.equal(missing.code, 1);
      assert.match(missing.io.stderr, /ResourceNotFoundException/);
      assert.equal((await run(['functions', 'remove', 'pw'])).code, 0);
      assert.equal((await run(['rotation', 'every', 'x'])).code, 2);
    });

    it(
      'creates a user with tags and a policy file, issues a key, attaches a managed policy; the key is ' + 'enforced',
      async () => {
        assert.match((await run(['iam', 'whoami'])).io.stdout, /^arn:aws:iam::123456789012:root\n$/);
        const policyFile = join(location.dataDir, `reader-${mode}.json`);
        writeFileSync(
          policyFile,
          JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Action: 'ssm:GetParameter', Resource: 'arn:aws:ssm:*:*:parameter/dev/shared/*' },
            ],
          }),
        );
        const created = await run(['iam', 'create-user', 'reader', '--tag', 'team=ops', '--policy-file', policyFile]);
        assert.equal(created.code, 0, created.io.stderr);
        assert.equal(created.io.stdout, 'arn:aws:iam::123456789012:user/reader\n');
        assert.equal(
          (await run(['iam', 'create-user', 'broken', '--policy-file', '/nonexistent/policy.json'])).code,
          1,
        );
        assert.ok(!(await run(['iam', 'users'])).io.stdout.includes('broken'), 'a missing policy file creates no user');
        assert.equal((await run(['iam', 'attach-policy', 'reader', 'AmazonSSMReadOnlyAccess'])).code, 0);
        const key = await run(['iam', 'create-key', 'reader']);
        const [, id, secret] = /AWS_ACCESS_KEY_ID=(\S+)\nAWS_SECRET_ACCESS_KEY=(\S+)\n/.exec(key.io.stdout)!;
        assert.match((await run(['iam', 'users'])).io.stdout, /^reader {2}arn:aws:iam::123456789012:user\/reader$/m);
        if (mode !== 'remote') return;
        // The new key, used remotely, acts as the user and is held to its policies.
        const asReader = async (args: string[]) => {
          const io = new CapturedIo();
          return {
            code: await runCli(args, { ...env, AWS_ACCESS_KEY_ID: id!, AWS_SECRET_ACCESS_KEY: secret! }, io),
            io,
          };
        };
        assert.equal((await asReader(['iam', 'whoami'])).io.stdout, 'arn:aws:iam::123456789012:user/reader\n');
        assert.equal((await asReader(['get', '/dev/shared/Region-Name'])).io.stdout, 'eu-west-1\n');
        const denied = await asReader(['put', '/dev/shared/x', 'v']);
        assert.equal(denied.code, 1);
        assert.match(
          denied.io.stderr,
          new RegExp(
            String.raw`AccessDeniedException: User: arn:aws:iam::123456789012:user\/reader ` +
              `is not authorized to perform: ssm:PutParameter`,
          ),
        );
      },
    );
  });
}

describe('coffer help', () => {
  it('lists every command without opening a store', async () => {
    const io = new CapturedIo();
    assert.equal(await runCli([], { COFFER_DATA_DIR: '/nonexistent/never/created' }, io), 0);
    for (const name of ['put', 'get', 'ls', 'history', 'rm', 'label', 'tag', 'exec', 'export', 'import', 'keys'])
      assert.match(io.stdout, new RegExp(`\\n  ${name} `));
  });
});
