/**
 * The installed `coffer` executable (bin/coffer.js over the compiled dist/), run as a user
 * would: exec injects variables into a real child process, and exit codes propagate.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT, startServer } from '../helpers/server-process.js';
import { testLocation, type TestLocation } from '../helpers/test-stores.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'coffer.js');

describe('coffer executable', () => {
  let location: TestLocation;
  const coffer = (...args: string[]) =>
    spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, ...location.env() }, encoding: 'utf8' });

  before(() => {
    location = testLocation('sqlite');
    assert.equal(coffer('put', '/dev/orders/db-password', 's3cr3t', '--type', 'SecureString').status, 0);
    assert.equal(coffer('put', '/dev/orders/api.url', 'https://orders', '--type', 'String').status, 0);
  });
  after(() => location.destroy());

  it('exec runs the command with the parameters as environment variables', () => {
    const result = coffer(
      'exec',
      '/dev/orders',
      '--',
      process.execPath,
      '-e',
      'console.log(process.env.DB_PASSWORD + " " + process.env.API_URL)',
    );
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, 's3cr3t https://orders\n');
  });

  it("exec passes the child's exit code through", () => {
    assert.equal(coffer('exec', '/dev/orders', '--', process.execPath, '-e', 'process.exit(7)').status, 7);
  });

  it('exec refuses names that map to one variable', () => {
    coffer('put', '/dev/clash/db-host', 'a', '--type', 'String');
    coffer('put', '/dev/clash/DB_HOST', 'b', '--type', 'String');
    const result = coffer('exec', '/dev/clash', '--', process.execPath, '-e', '');
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^coffer: these parameters map to the same environment variable: DB_HOST/);
  });

  it('exec warns when a path yields nothing, and fails with --strict without running the command', () => {
    const loose = coffer('exec', '/dev/typo', '--', process.execPath, '-e', 'console.log("ran")');
    assert.equal(loose.status, 0);
    assert.equal(loose.stdout, 'ran\n');
    assert.match(loose.stderr, /^coffer: warning: no parameters under \/dev\/typo/);
    const strict = coffer('exec', '--strict', '/dev/typo', '--', process.execPath, '-e', 'console.log("ran")');
    assert.equal(strict.status, 1);
    assert.equal(strict.stdout, '');
    assert.match(strict.stderr, /no parameters under \/dev\/typo/);
  });

  it('exits 1 with exactly one line on stderr for a missing parameter', () => {
    const result = coffer('get', '/dev/none');
    assert.equal(result.status, 1);
    assert.equal(result.stderr, 'coffer: ParameterNotFound: Parameter /dev/none not found.\n');
  });
});

describe('coffer executable in remote mode', () => {
  it('talks to a server with --endpoint or COFFER_ENDPOINT and AWS credentials from the environment', async () => {
    const server = await startServer();
    try {
      const env = {
        ...process.env,
        AWS_ACCESS_KEY_ID: ROOT.accessKeyId,
        AWS_SECRET_ACCESS_KEY: ROOT.secretAccessKey,
        AWS_REGION: 'us-east-1',
      };
      const put = spawnSync(
        process.execPath,
        [BIN, '--endpoint', server.endpoint, 'put', '/remote/db-password', 'r3mote', '--type', 'SecureString'],
        { env, encoding: 'utf8' },
      );
      assert.equal(put.status, 0, put.stderr);
      assert.equal(put.stderr, '', 'no SDK notices on stderr');
      const exec = spawnSync(
        process.execPath,
        [BIN, 'exec', '/remote', '--', process.execPath, '-e', 'console.log(process.env.DB_PASSWORD)'],
        { env: { ...env, COFFER_ENDPOINT: server.endpoint }, encoding: 'utf8' },
      );
      assert.equal(exec.stdout, 'r3mote\n');
      const denied = spawnSync(process.execPath, [BIN, 'get', '/remote/db-password'], {
        env: { ...env, COFFER_ENDPOINT: server.endpoint, AWS_SECRET_ACCESS_KEY: 'wrong' },
        encoding: 'utf8',
      });
      assert.equal(denied.status, 1);
      assert.match(denied.stderr, /^coffer: InvalidSignatureException: /);
    } finally {
      await server.stop();
    }
  });
});
