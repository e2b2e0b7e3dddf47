/**
 * TLS (issue 9, item 14): `coffer serve --tls-self-signed` makes a key and certificate under the
 * data directory (0600) and prints its fingerprint and path; the aws CLI (--ca-bundle), boto3
 * (verify=) and the SDK v3 (an https agent with the CA) trust it; aws:SecureTransport is true over
 * TLS, so a policy denying plain HTTP lets TLS through; plain HTTP off loopback is refused; SIGHUP
 * reloads a renewed certificate. The certificate is the test's own making, on the server's path.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { selfSignedCertificate } from '../../src/api/tls/self-signed-certificate.js';
import { clientsFor, isDenied, userWithKey, type Credentials } from '../helpers/identity-clients.js';
import { ROOT, startServer, type RunningServer } from '../helpers/server-process.js';
import { testLocation, type TestLocation } from '../helpers/test-stores.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'coffer.js');

function tlsClient(server: RunningServer, ca: string, credentials: Credentials): SSMClient {
  return new SSMClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials,
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ httpsAgent: new Agent({ ca }) }),
  });
}

function peerFingerprint(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
      resolve(socket.getPeerX509Certificate()!.fingerprint256);
      socket.end();
    });
    socket.on('error', reject);
  });
}

describe('TLS', () => {
  let location: TestLocation;
  let plain: RunningServer;
  let secure: RunningServer;
  let reader: Credentials;
  let certPath: string;
  let ca: string;

  before(async () => {
    location = testLocation('sqlite');
    plain = await startServer({ location });
    const root = clientsFor(plain, ROOT);
    await root.ssm.send(new PutParameterCommand({ Name: '/tls/p', Value: 'over-tls-only', Type: 'SecureString' }));
    reader = await userWithKey(root.iam, 'tls-reader', {
      r: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 'ssm:GetParameter', Resource: '*' },
          { Effect: 'Deny', Action: '*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
        ],
      },
    });
    assert.ok(
      await isDenied(
        clientsFor(plain, reader).ssm.send(new GetParameterCommand({ Name: '/tls/p', WithDecryption: true })),
      ),
      'plain HTTP is refused by the policy',
    );
    root.destroy();
    await plain.stop({ keepStore: true });
    secure = await startServer({ location, args: ['--tls-self-signed'] });
    certPath = /TLS certificate (\S+)/.exec(secure.output())![1]!;
    ca = (await import('node:fs')).readFileSync(certPath, 'utf8');
  });
  after(async () => {
    await secure.stop();
  });

  it('makes a private key and certificate under the data directory and prints where, with its fingerprint', () => {
    assert.match(secure.endpoint, /^https:/);
    assert.match(secure.output(), /self-signed, created now\), SHA-256 fingerprint ([0-9A-F]{2}:){31}[0-9A-F]{2}/);
    assert.match(secure.output(), /aws --ca-bundle /);
    assert.ok(certPath.startsWith(location.dataDir));
    assert.equal(statSync(certPath).mode & 0o777, 0o600);
    assert.equal(statSync(certPath.replace(/\.crt$/, '.key')).mode & 0o777, 0o600);
  });

  it('serves the SDK v3 over TLS, where aws:SecureTransport is true', async () => {
    const client = tlsClient(secure, ca, reader);
    assert.equal(
      (await client.send(new GetParameterCommand({ Name: '/tls/p', WithDecryption: true }))).Parameter!.Value,
      'over-tls-only',
    );
    client.destroy();
  });

  it('serves the aws CLI with --ca-bundle and boto3 with verify=', () => {
    const env = {
      ...process.env,
      AWS_ACCESS_KEY_ID: reader.accessKeyId,
      AWS_SECRET_ACCESS_KEY: reader.secretAccessKey,
      AWS_DEFAULT_REGION: 'us-east-1',
    };
    const cli = spawnSync(
      'aws',
      [
        '--endpoint-url',
        secure.endpoint,
        '--ca-bundle',
        certPath,
        'ssm',
        'get-parameter',
        '--name',
        '/tls/p',
        '--with-decryption',
        '--query',
        'Parameter.Value',
        '--output',
        'text',
      ],
      { encoding: 'utf8', env, timeout: 60_000 },
    );
    assert.equal(cli.status, 0, cli.stderr);
    assert.equal(cli.stdout.trim(), 'over-tls-only');
    const script =
      `import boto3,sys\nc=boto3.client('ssm',endpoint_url=sys.argv[1],verify=sys.argv[2],region_name='us-east-1')\n` +
      `print(c.get_parameter(Name='/tls/p',WithDecryption=True)['Parameter']['Value'])`;
    const py = spawnSync('python3', ['-c', script, secure.endpoint, certPath], {
      encoding: 'utf8',
      env,
      timeout: 60_000,
    });
    assert.equal(py.status, 0, py.stderr);
    assert.equal(py.stdout.trim(), 'over-tls-only');
    // Without the CA, the CLI refuses the certificate.
    const untrusted = spawnSync(
      'aws',
      ['--endpoint-url', secure.endpoint, 'ssm', 'get-parameter', '--name', '/tls/p'],
      { encoding: 'utf8', env, timeout: 60_000 },
    );
    assert.notEqual(untrusted.status, 0);
  });

  it('reloads a renewed certificate on SIGHUP without a restart', async () => {
    const before = await peerFingerprint(secure.port, ca);
    const renewed = selfSignedCertificate(['localhost', '127.0.0.1']);
    writeFileSync(certPath, renewed.certPem);
    writeFileSync(certPath.replace(/\.crt$/, '.key'), renewed.keyPem);
    secure.child.kill('SIGHUP');
    for (let i = 0; i < 50 && !secure.output().includes('TLS certificate reloaded'); i++)
      await new Promise((r) => setTimeout(r, 50));
    const after = await peerFingerprint(secure.port, renewed.certPem);
    assert.notEqual(after, before);
    assert.equal(after, renewed.fingerprint256);
    const client = tlsClient(secure, renewed.certPem, reader);
    assert.equal(
      (await client.send(new GetParameterCommand({ Name: '/tls/p', WithDecryption: true }))).Parameter!.Value,
      'over-tls-only',
    );
    client.destroy();
  });

  it(
    'serves a certificate and key the operator made (--tls-cert, --tls-key), here with openssl when ' + 'present',
    async () => {
      const dir = testLocation('sqlite');
      const cert = join(dir.dataDir, 'operator.crt');
      const key = join(dir.dataDir, 'operator.key');
      const openssl = spawnSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:P-256',
          '-nodes',
          '-days',
          '2',
          '-subj',
          '/CN=localhost',
          '-addext',
          'subjectAltName=DNS:localhost,IP:127.0.0.1',
          '-keyout',
          key,
          '-out',
          cert,
        ],
        { encoding: 'utf8' },
      );
      if (openssl.status !== 0) {
        const made = selfSignedCertificate(['localhost', '127.0.0.1']);
        writeFileSync(cert, made.certPem);
        writeFileSync(key, made.keyPem);
      }
      const server = await startServer({ location: dir, args: ['--tls-cert', cert, '--tls-key', key] });
      try {
        const pem = (await import('node:fs')).readFileSync(cert, 'utf8');
        const client = tlsClient(server, pem, ROOT);
        await client.send(new PutParameterCommand({ Name: '/tls/operator', Value: 'v', Type: 'String' }));
        assert.equal((await client.send(new GetParameterCommand({ Name: '/tls/operator' }))).Parameter!.Value, 'v');
        client.destroy();
        const py = spawnSync(
          'python3',
          [
            '-c',
            [
              'import boto3,sys',
              "c=boto3.client('ssm',endpoint_url=sys.argv[1],verify=sys.argv[2],region_name='us-east-1')",
              "print(c.get_parameter(Name='/tls/operator')['Parameter']['Value'])",
            ].join('\n'),
            server.endpoint,
            cert,
          ],
          {
            encoding: 'utf8',
            timeout: 60_000,
            env: { ...process.env, AWS_ACCESS_KEY_ID: ROOT.accessKeyId, AWS_SECRET_ACCESS_KEY: ROOT.secretAccessKey },
          },
        );
        assert.equal(py.status, 0, py.stderr);
        assert.equal(py.stdout.trim(), 'v');
      } finally {
        await server.stop();
      }
    },
  );

  it('refuses plain HTTP on an address other than loopback unless --insecure-http', async () => {
    const elsewhere = testLocation('sqlite');
    const run = spawnSync(process.execPath, [BIN, 'serve', '--host', '0.0.0.0', '--port', '0'], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, ...elsewhere.env() },
    });
    await elsewhere.destroy();
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /refusing plain HTTP on 0\.0\.0\.0/);
  });
});
