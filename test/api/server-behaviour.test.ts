/**
 * The server as a process: authentication failures as AWS reports them, framing errors, body
 * limits, health and readiness, --dev mode and its reset endpoints, and graceful shutdown.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { ROOT, startServer, type RunningServer } from '../helpers/server-process.js';
import { devSignatureHeaders, rawRequest } from '../helpers/raw-request.js';

function errorOf(body: string): { __type: string; message: string } {
  return JSON.parse(body) as { __type: string; message: string };
}

describe('server: full verification', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.stop());

  it(
    "answers /health (every service and its state, also at LocalStack's path), /ready and a page at / without " +
      'authentication, and logs no probe',
    async () => {
      const health = await rawRequest(server.endpoint, { method: 'GET', path: '/health' });
      assert.equal(health.status, 200);
      const document = JSON.parse(health.body) as {
        status: string;
        services: Record<string, string>;
        store: string;
        audit: string;
      };
      assert.equal(document.status, 'ok');
      assert.deepEqual(document.services, {
        cloudtrail: 'running',
        coffer: 'running',
        iam: 'running',
        kms: 'running',
        secretsmanager: 'running',
        ssm: 'running',
        sts: 'running',
      });
      assert.equal(document.store, 'sqlite');
      assert.equal(document.audit, 'ok');
      const localstack = await rawRequest(server.endpoint, { method: 'GET', path: '/_localstack/health' });
      assert.deepEqual(JSON.parse(localstack.body).services, document.services);
      const ready = await rawRequest(server.endpoint, { method: 'GET', path: '/ready' });
      assert.equal(ready.status, 200);
      assert.deepEqual(JSON.parse(ready.body), { status: 'ready' });
      const page = await rawRequest(server.endpoint, { method: 'GET', path: '/' });
      assert.equal(page.status, 200);
      assert.match(page.headers['content-type'] as string, /text\/html/);
      assert.match(page.body, /AWS_ENDPOINT_URL=http:\/\/127\.0\.0\.1:\d+/);
      assert.doesNotMatch(
        server.output(),
        /"action":"\/(health|ready|_localstack\/health)"/,
        'health checks are not logged',
      );
    },
  );

  it('refuses an unsigned request with MissingAuthenticationTokenException', async () => {
    const res = await rawRequest(server.endpoint, {
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonSSM.GetParameter' },
      body: '{"Name":"/x"}',
    });
    assert.equal(res.status, 400);
    assert.equal(errorOf(res.body).__type, 'MissingAuthenticationTokenException');
    assert.ok(res.headers['x-amzn-requestid']);
  });

  it('refuses an unknown access key and a wrong secret as AWS does', async () => {
    await assert.rejects(
      server
        .client({ accessKeyId: 'AKIANOSUCHKEY0000001', secretAccessKey: 'x' })
        .send(new GetParameterCommand({ Name: '/x' })),
      (e: Error) => e.name === 'UnrecognizedClientException',
    );
    await assert.rejects(
      server
        .client({ accessKeyId: ROOT.accessKeyId, secretAccessKey: 'wrong' })
        .send(new GetParameterCommand({ Name: '/x' })),
      (e: Error) => e.name === 'InvalidSignatureException',
    );
  });

  it('refuses --dev-style fake signatures outside --dev', async () => {
    const res = await rawRequest(server.endpoint, {
      headers: devSignatureHeaders('AmazonSSM.GetParameter'),
      body: '{"Name":"/x"}',
    });
    assert.equal(errorOf(res.body).__type, 'UnrecognizedClientException');
  });

  it('answers 404 to the reset endpoints outside --dev and keeps the data', async () => {
    const ssm = server.client();
    await ssm.send(new PutParameterCommand({ Name: '/kept', Value: 'v', Type: 'String' }));
    for (const path of ['/moto-api/reset', '/_coffer/reset'])
      assert.equal((await rawRequest(server.endpoint, { path })).status, 404);
    assert.equal((await ssm.send(new GetParameterCommand({ Name: '/kept' }))).Parameter!.Value, 'v');
  });

  it('refuses an oversized body with 413 before reading it all', async () => {
    const res = await rawRequest(server.endpoint, {
      headers: { 'x-amz-target': 'AmazonSSM.GetParameter', 'content-length': String(50 * 1024 * 1024) },
      body: Buffer.alloc(1024),
    }).catch((error: Error) => ({
      status: 413,
      body: `{"__type":"RequestEntityTooLargeException","message":"${error.message}"}`,
      headers: {},
    }));
    assert.equal(res.status, 413);
  });
});

describe('server: --dev mode', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ dev: true });
  });
  after(() => server.stop());

  it('says so loudly at start', () => {
    assert.match(server.output(), /WARNING: --dev mode/);
  });

  it('accepts any well-formed signature as root', async () => {
    const put = await rawRequest(server.endpoint, {
      headers: devSignatureHeaders('AmazonSSM.PutParameter'),
      body: '{"Name":"/dev/x","Value":"v","Type":"String"}',
    });
    assert.equal(put.status, 200, put.body);
    assert.deepEqual(JSON.parse(put.body), { Version: 1, Tier: 'Standard' });
    const unsigned = await rawRequest(server.endpoint, {
      headers: { 'x-amz-target': 'AmazonSSM.GetParameter' },
      body: '{"Name":"/dev/x"}',
    });
    assert.equal(errorOf(unsigned.body).__type, 'MissingAuthenticationTokenException');
  });

  it("accepts LocalStack's test/test from the aws CLI and boto3, with AWS_ENDPOINT_URL and the usual regions", () => {
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_ENDPOINT_URL: server.endpoint,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_DEFAULT_REGION: 'eu-west-1',
    };
    const put = spawnSync(
      'aws',
      ['ssm', 'put-parameter', '--name', '/ls/flag', '--value', 'on', '--type', 'String', '--overwrite'],
      { env, encoding: 'utf8' },
    );
    assert.equal(put.status, 0, put.stderr);
    const script =
      'import boto3\n' +
      'ssm = boto3.client("ssm")\n' +
      'print(ssm.get_parameter(Name="/ls/flag")["Parameter"]["ARN"])\n' +
      'print(boto3.client("sts").get_caller_identity()["Arn"])\n';
    const read = spawnSync('python3', ['-c', script], { env, encoding: 'utf8' });
    assert.equal(read.status, 0, read.stderr);
    const [arn, caller] = read.stdout.trim().split('\n');
    assert.match(arn!, /^arn:aws:ssm:eu-west-1:\d{12}:parameter\/ls\/flag$/);
    assert.match(caller!, /^arn:aws:iam::\d{12}:root$/);
    // The region is the request's, as on AWS: the same name in another region is another parameter.
    const elsewhere = spawnSync('aws', ['ssm', 'get-parameter', '--name', '/ls/flag', '--region', 'us-west-2'], {
      env,
      encoding: 'utf8',
    });
    assert.notEqual(elsewhere.status, 0);
    assert.match(elsewhere.stderr, /ParameterNotFound/);
  });

  it('wipes every parameter on POST /moto-api/reset and /_coffer/reset', async () => {
    for (const path of ['/moto-api/reset', '/_coffer/reset']) {
      await rawRequest(server.endpoint, {
        headers: devSignatureHeaders('AmazonSSM.PutParameter'),
        body: '{"Name":"/dev/y","Value":"v","Type":"String","Overwrite":true}',
      });
      assert.equal((await rawRequest(server.endpoint, { path })).status, 200);
      const get = await rawRequest(server.endpoint, {
        headers: devSignatureHeaders('AmazonSSM.GetParameter'),
        body: '{"Name":"/dev/y"}',
      });
      assert.equal(errorOf(get.body).__type, 'ParameterNotFound');
    }
  });

  it('records each reset in the audit trail as ResetStore, with the path it came by', async () => {
    assert.equal((await rawRequest(server.endpoint, { path: '/moto-api/reset' })).status, 200);
    const ct = new CloudTrailClient({
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials: ROOT,
      maxAttempts: 1,
    });
    try {
      const found = await ct.send(
        new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'ResetStore' }] }),
      );
      const paths = (found.Events ?? []).map(
        (e) => (JSON.parse(e.CloudTrailEvent!) as { serviceEventDetails: { path: string } }).serviceEventDetails.path,
      );
      assert.ok(paths.includes('/moto-api/reset'), JSON.stringify(paths));
    } finally {
      ct.destroy();
    }
  });

  it('answers framing errors with AWS codes', async () => {
    const send = (target: string, body: string) =>
      rawRequest(server.endpoint, { headers: devSignatureHeaders(target), body });
    assert.equal(errorOf((await send('AmazonSSM.GetParameter', '{"Name":')).body).__type, 'SerializationException');
    assert.equal(
      errorOf((await send('AmazonSSM.GetParameter', '{"Name":42}')).body).message,
      'NUMBER_VALUE can not be converted to a String',
    );
    assert.equal(errorOf((await send('AmazonSSM.GetParameter', '[]')).body).__type, 'SerializationException');
    const unknown = errorOf((await send('AmazonSSM.Frobnicate', '{}')).body);
    assert.equal(unknown.__type, 'UnknownOperationException');
    assert.match(unknown.message, /AmazonSSM\.Frobnicate/, 'the message names the operation');
    assert.equal(errorOf((await send('Nope.GetParameter', '{}')).body).__type, 'UnknownOperationException');
    const missing = await send('AmazonSSM.GetParameter', '{}');
    assert.equal(missing.status, 400);
    assert.equal(
      errorOf(missing.body).message,
      "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null",
    );
  });

  it('serialises timestamps as epoch seconds and sends x-amzn-RequestId', async () => {
    await rawRequest(server.endpoint, {
      headers: devSignatureHeaders('AmazonSSM.PutParameter'),
      body: '{"Name":"/dev/t","Value":"v","Type":"String"}',
    });
    const res = await rawRequest(server.endpoint, {
      headers: devSignatureHeaders('AmazonSSM.GetParameter'),
      body: '{"Name":"/dev/t"}',
    });
    const seconds = JSON.parse(res.body).Parameter.LastModifiedDate;
    assert.equal(typeof seconds, 'number');
    assert.ok(Math.abs(seconds - Date.now() / 1000) < 60);
    assert.equal(res.headers['content-type'], 'application/x-amz-json-1.1');
    assert.match(String(res.headers['x-amzn-requestid']), /^[0-9a-f-]{36}$/);
  });
});

describe('server: lifecycle', () => {
  it('refuses --dev on a non-loopback address', async () => {
    await assert.rejects(
      startServer({ dev: true, env: { COFFER_HOST: '0.0.0.0' } }),
      /only listens on a loopback address/,
    );
  });

  it('finishes in-flight requests on SIGTERM, then exits 0', async () => {
    const server = await startServer();
    const ssm = server.client();
    const inFlight = Array.from({ length: 20 }, (_, i) =>
      ssm.send(new PutParameterCommand({ Name: `/drain/p${i}`, Value: 'v', Type: 'String' })),
    );
    await new Promise((resolve) => setTimeout(resolve, 5));
    server.child.kill('SIGTERM');
    const results = await Promise.allSettled(inFlight);
    const code = await server.stop();
    assert.equal(code, 0);
    // Every request that reached the server before SIGTERM completed; none ended half-done.
    for (const r of results)
      if (r.status === 'rejected') assert.match(String(r.reason), /ECONNREFUSED|socket hang up|ECONNRESET/);
    assert.ok(results.some((r) => r.status === 'fulfilled'));
  });
});
