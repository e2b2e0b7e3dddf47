/**
 * boto3 (python3 scripts) and the `aws` CLI against the real server. The boto3 checks also run
 * against moto_server, as evidence that the expectations are AWS's and not ours.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startMoto } from '../helpers/moto-server.js';
import { ROOT, startServer, type RunningServer } from '../helpers/server-process.js';

const CHECKS = join(import.meta.dirname, '..', 'fixtures', 'boto3_ssm_checks.py');
const IDENTITY_CHECKS = join(import.meta.dirname, '..', 'fixtures', 'boto3_identity_checks.py');
const SECRETS_CHECKS = join(import.meta.dirname, '..', 'fixtures', 'boto3_secrets_checks.py');

interface CheckResults {
  passed: string[];
  failed: string[];
  skipped: string[];
}

function runChecks(endpoint: string, target: 'coffer' | 'moto', credentials = ROOT, script = CHECKS): CheckResults {
  const run = spawnSync('python3', [script, endpoint, credentials.accessKeyId, credentials.secretAccessKey, target], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as CheckResults;
}

/** Each boto3 script: what it covers, how many checks must pass on each target, which values must never be logged. */
const SUITES = [
  { title: 'boto3', script: CHECKS, minCoffer: 15, minMoto: 12, values: ['pw-1'] },
  {
    title: 'boto3: IAM, STS and KMS',
    script: IDENTITY_CHECKS,
    minCoffer: 15,
    minMoto: 9,
    values: ['py-secret', 'py-plain'],
  },
  {
    title: 'boto3: Secrets Manager',
    script: SECRETS_CHECKS,
    minCoffer: 15,
    minMoto: 10,
    values: ['py-sm-1', 'py-sm-2'],
  },
];

for (const suite of SUITES) {
  describe(suite.title, () => {
    it('passes every check against Coffer', async () => {
      const server = await startServer();
      try {
        const results = runChecks(server.endpoint, 'coffer', ROOT, suite.script);
        assert.deepEqual(results.failed, []);
        assert.equal(results.skipped.length, 0);
        assert.ok(results.passed.length >= suite.minCoffer, `${results.passed.length} checks passed`);
        for (const value of suite.values) assert.ok(!server.output().includes(value), `${value} was logged`);
      } finally {
        await server.stop();
      }
    });

    it('passes the checks moto_server shares with AWS against moto_server too', async (t) => {
      const moto = await startMoto();
      if (!moto) return t.skip('moto_server is not installed');
      try {
        const results = runChecks(
          moto.endpoint,
          'moto',
          { accessKeyId: 'testing', secretAccessKey: 'testing' },
          suite.script,
        );
        assert.deepEqual(results.failed, []);
        assert.ok(results.passed.length >= suite.minMoto, `${results.passed.length} checks passed`);
      } finally {
        moto.stop();
      }
    });
  });
}

describe('aws CLI', () => {
  let server: RunningServer;
  const aws = (...args: string[]) =>
    spawnSync('aws', ['--endpoint-url', server.endpoint, '--output', 'json', ...args], {
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: ROOT.accessKeyId,
        AWS_SECRET_ACCESS_KEY: ROOT.secretAccessKey,
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_PAGER: '',
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      },
    });
  const json = (...args: string[]) => {
    const run = aws(...args);
    assert.equal(run.status, 0, run.stderr);
    return JSON.parse(run.stdout || '{}');
  };

  before(async () => {
    server = await startServer();
  });
  after(() => server.stop());

  it("runs the README's commands", () => {
    assert.deepEqual(
      json('ssm', 'put-parameter', '--name', '/dev/app/key', '--value', 'cli-secret', '--type', 'SecureString'),
      { Version: 1, Tier: 'Standard' },
    );
    const listed = json('ssm', 'get-parameters-by-path', '--path', '/dev', '--recursive', '--with-decryption');
    assert.deepEqual(
      listed.Parameters.map((p: { Name: string; Value: string }) => [p.Name, p.Value]),
      [['/dev/app/key', 'cli-secret']],
    );
  });

  it('reports errors with the AWS code and a non-zero exit', () => {
    const run = aws('ssm', 'get-parameter', '--name', '/dev/none');
    assert.notEqual(run.status, 0);
    assert.match(
      run.stderr,
      new RegExp(
        String.raw`An error occurred \(ParameterNotFound\) when calling the GetParameter operation: Parameter ` +
          String.raw`\/dev\/none not found\.`,
      ),
    );
  });

  it('labels, selects and lists history', () => {
    json(
      'ssm',
      'put-parameter',
      '--name',
      '/dev/app/key',
      '--value',
      'cli-secret-2',
      '--type',
      'SecureString',
      '--overwrite',
    );
    json('ssm', 'label-parameter-version', '--name', '/dev/app/key', '--parameter-version', '1', '--labels', 'first');
    assert.equal(
      json('ssm', 'get-parameter', '--name', '/dev/app/key:first', '--with-decryption').Parameter.Value,
      'cli-secret',
    );
    const history = json('ssm', 'get-parameter-history', '--name', '/dev/app/key');
    assert.deepEqual(
      history.Parameters.map((p: { Version: number; Labels: string[] }) => [p.Version, p.Labels]),
      [
        [1, ['first']],
        [2, []],
      ],
    );
  });

  it("pages describe-parameters with the CLI's own paginator", () => {
    for (let i = 0; i < 6; i++)
      json('ssm', 'put-parameter', '--name', `/dev/page/p${i}`, '--value', 'v', '--type', 'String');
    const all = json(
      'ssm',
      'describe-parameters',
      '--page-size',
      '2',
      '--parameter-filters',
      'Key=Path,Option=Recursive,Values=/dev/page',
    );
    assert.equal(all.Parameters.length, 6);
  });

  it('tags and deletes', () => {
    json(
      'ssm',
      'add-tags-to-resource',
      '--resource-type',
      'Parameter',
      '--resource-id',
      '/dev/app/key',
      '--tags',
      'Key=env,Value=dev',
    );
    assert.deepEqual(
      json('ssm', 'list-tags-for-resource', '--resource-type', 'Parameter', '--resource-id', '/dev/app/key').TagList,
      [{ Key: 'env', Value: 'dev' }],
    );
    json('ssm', 'delete-parameter', '--name', '/dev/app/key');
    assert.notEqual(aws('ssm', 'get-parameter', '--name', '/dev/app/key').status, 0);
  });

  it('manages IAM users, policies and keys, and the new key is enforced', () => {
    assert.equal(
      json('iam', 'create-user', '--user-name', 'cli-user', '--tags', 'Key=team,Value=ops').User.UserName,
      'cli-user',
    );
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'ssm:PutParameter', Resource: 'arn:aws:ssm:*:*:parameter/cli/*' }],
    });
    json('iam', 'put-user-policy', '--user-name', 'cli-user', '--policy-name', 'write', '--policy-document', policy);
    assert.deepEqual(
      json('iam', 'get-user-policy', '--user-name', 'cli-user', '--policy-name', 'write').PolicyDocument,
      JSON.parse(policy),
    );
    const key = json('iam', 'create-access-key', '--user-name', 'cli-user').AccessKey;
    const asUser = (...args: string[]) =>
      spawnSync('aws', ['--endpoint-url', server.endpoint, '--output', 'json', ...args], {
        encoding: 'utf8',
        timeout: 60_000,
        env: {
          ...process.env,
          AWS_ACCESS_KEY_ID: key.AccessKeyId,
          AWS_SECRET_ACCESS_KEY: key.SecretAccessKey,
          AWS_DEFAULT_REGION: 'us-east-1',
          AWS_PAGER: '',
          AWS_CONFIG_FILE: '/dev/null',
          AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        },
      });
    assert.match(asUser('sts', 'get-caller-identity').stdout, /user\/cli-user/);
    assert.equal(asUser('ssm', 'put-parameter', '--name', '/cli/x', '--value', 'v', '--type', 'String').status, 0);
    const denied = asUser('ssm', 'get-parameter', '--name', '/cli/x');
    assert.notEqual(denied.status, 0);
    assert.match(
      denied.stderr,
      new RegExp(
        String.raw`An error occurred \(AccessDeniedException\) when calling the GetParameter operation: User: ` +
          String.raw`arn:aws:iam::123456789012:user\/cli-user is not authorized to perform: ssm:GetParameter`,
      ),
    );
    const iamDenied = asUser('iam', 'list-users');
    assert.match(iamDenied.stderr, /An error occurred \(AccessDenied\) when calling the ListUsers operation/);
  });
});
