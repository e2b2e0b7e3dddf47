/**
 * Root credentials on first start (MinIO's convention) and SigV4 failures seen end to end.
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { SignatureV4 } from '@smithy/signature-v4';
import { sqlitePath } from '../../src/storage/open-storage.js';
import { NodeSha256 } from '../helpers/node-sha256.js';
import { rawRequest } from '../helpers/raw-request.js';
import { ROOT, startServer } from '../helpers/server-process.js';
import { testLocation, POSTGRES_SKIP } from '../helpers/test-stores.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'coffer.js');

/** Starts `coffer serve` without root credentials in the environment; returns its output once listening. */
async function serveOnce(env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const deadline = Date.now() + 20_000;
  while (!/listening on/.test(output) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 200));
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
  return output;
}

describe('root credentials', () => {
  it('are generated on first start, printed once, saved with mode 0600, and stored sealed', async () => {
    const location = testLocation('sqlite');
    const env = location.env();
    const first = await serveOnce(env);
    const secret = /AWS_SECRET_ACCESS_KEY=(\S+)/.exec(first)![1]!;
    const keyId = /AWS_ACCESS_KEY_ID=(\S+)/.exec(first)![1]!;
    const file = join(location.dataDir, 'root-credentials');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.match(readFileSync(file, 'utf8'), new RegExp(`aws_secret_access_key = ${secret}`));
    const second = await serveOnce(env);
    assert.ok(!second.includes(secret), 'the secret is printed only once');
    assert.match(second, new RegExp(`root access key ${keyId}`));
    const db = Buffer.concat([
      readFileSync(sqlitePath(location.dataDir)),
      ...(() => {
        try {
          return [readFileSync(`${sqlitePath(location.dataDir)}-wal`)];
        } catch {
          return [];
        }
      })(),
    ]);
    assert.ok(!db.includes(secret), 'the secret is not in the database in plaintext');
    await location.destroy();
  });

  it('follow COFFER_ROOT_ACCESS_KEY_ID / COFFER_ROOT_SECRET_ACCESS_KEY, replacing an older root key', async () => {
    const server = await startServer();
    await server.client().send(new PutParameterCommand({ Name: '/r', Value: 'v', Type: 'String' }));
    await server.stop();
    const rotated = { accessKeyId: 'AKIACOFFERTESTROOT02', secretAccessKey: 'another-root-secret-value' };
    const again = await startServer({
      env: { COFFER_ROOT_ACCESS_KEY_ID: rotated.accessKeyId, COFFER_ROOT_SECRET_ACCESS_KEY: rotated.secretAccessKey },
    });
    await assert.rejects(
      again.client(ROOT).send(new GetParameterCommand({ Name: '/r' })),
      (e: Error) => e.name === 'UnrecognizedClientException',
    );
    await again.client(rotated).send(new PutParameterCommand({ Name: '/r', Value: 'v', Type: 'String' }));
    await again.stop();
  });
});

describe('SigV4 failures end to end', () => {
  it('answers expired, future, wrong-service and tampered requests as AWS does', async () => {
    const server = await startServer();
    try {
      const url = new URL(server.endpoint);
      const signed = async (options: { date?: Date; service?: string; body?: string } = {}) => {
        const signer = new SignatureV4({
          credentials: ROOT,
          region: 'us-east-1',
          service: options.service ?? 'ssm',
          sha256: NodeSha256,
        });
        const request = await signer.sign(
          {
            method: 'POST',
            protocol: 'http:',
            hostname: url.hostname,
            port: Number(url.port),
            path: '/',
            query: {},
            headers: {
              host: url.host,
              'content-type': 'application/x-amz-json-1.1',
              'x-amz-target': 'AmazonSSM.GetParameter',
            },
            body: options.body ?? '{"Name":"/x"}',
          },
          { signingDate: options.date ?? new Date() },
        );
        return request.headers as Record<string, string>;
      };
      const codeOf = async (headers: Record<string, string>, body = '{"Name":"/x"}') =>
        JSON.parse((await rawRequest(server.endpoint, { headers, body })).body) as { __type: string; message: string };
      const expired = await codeOf(await signed({ date: new Date(Date.now() - 20 * 60_000) }));
      assert.equal(expired.__type, 'InvalidSignatureException');
      assert.match(expired.message, /^Signature expired: /);
      assert.match(
        (await codeOf(await signed({ date: new Date(Date.now() + 20 * 60_000) }))).message,
        /^Signature not yet current: /,
      );
      assert.match((await codeOf(await signed({ service: 'secretsmanager' }))).message, /scoped to correct service/);
      assert.equal((await codeOf(await signed(), '{"Name":"/y"}')).__type, 'InvalidSignatureException');
      const headers = await signed();
      assert.equal(
        (await codeOf({ ...headers, 'x-amz-target': 'AmazonSSM.DeleteParameter' })).__type,
        'InvalidSignatureException',
      );
      assert.equal(
        (await codeOf(await signed())).__type,
        'ParameterNotFound',
        'the same request untampered gets through',
      );
    } finally {
      await server.stop();
    }
  });
});

describe('PostgreSQL-backed server', { skip: POSTGRES_SKIP }, () => {
  it('serves two server processes sharing one store', async () => {
    const first = await startServer({ backend: 'postgres' });
    const second = await startServer({
      env: { COFFER_DATABASE_URL: first.location.databaseUrl!, COFFER_DATA_DIR: first.location.dataDir },
    });
    try {
      await first.client().send(new PutParameterCommand({ Name: '/shared/x', Value: 'one', Type: 'SecureString' }));
      const read = await second.client().send(new GetParameterCommand({ Name: '/shared/x', WithDecryption: true }));
      assert.equal(read.Parameter!.Value, 'one');
      const ssm = new SSMClient({ endpoint: second.endpoint, region: 'us-east-1', credentials: ROOT });
      assert.equal(
        (await ssm.send(new PutParameterCommand({ Name: '/shared/x', Value: 'two', Overwrite: true }))).Version,
        2,
      );
      ssm.destroy();
    } finally {
      await second.stop().catch(() => {});
      await first.stop();
    }
  });
});
