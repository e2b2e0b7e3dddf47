/**
 * The audit trail end to end, against the real `coffer serve`: boto3, the aws CLI and the SDK v3
 * make the calls, and the CloudTrail records they leave are checked field by field (successes,
 * denials, failed signatures, batch reads, rotations), looked up through CloudTrail's
 * LookupEvents (every attribute, time ranges, paging by all three clients), made to fail closed
 * when the trail cannot be written, turned into one webhook alert per burst, and searched for
 * every value the calls carried: the store's bytes, the JSON-lines file, the lookups, the server's
 * output and /metrics must hold none. The key cases run on PostgreSQL too.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SignatureV4 } from '@smithy/signature-v4';
import {
  CloudTrailClient,
  LookupEventsCommand,
  type Event,
  type LookupEventsCommandInput,
} from '@aws-sdk/client-cloudtrail';
import { CreateAccessKeyCommand, CreateUserCommand, GetUserCommand } from '@aws-sdk/client-iam';
import { CreateKeyCommand, DecryptCommand, EncryptCommand } from '@aws-sdk/client-kms';
import {
  CreateSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  DeleteParameterCommand,
  GetParameterCommand,
  GetParametersByPathCommand,
  PutParameterCommand,
} from '@aws-sdk/client-ssm';
import type { CloudTrailRecord } from '../../src/engine/audit/audit-record.js';
import { CofferApiClient } from '../../src/cli/coffer-api-client.js';
import { clientsFor, userWithKey, type Credentials, type ServiceClients } from '../helpers/identity-clients.js';
import { NodeSha256 } from '../helpers/node-sha256.js';
import { rawRequest } from '../helpers/raw-request.js';
import { ROOT, startServer, type RunningServer } from '../helpers/server-process.js';
import { form, signedRequest } from '../helpers/signed-request.js';
import {
  queryPostgres,
  rawAuditSql,
  rawSql,
  testLocation,
  type BackendName,
  type TestLocation,
  POSTGRES_SKIP,
} from '../helpers/test-stores.js';
import { openCoffer } from '../../src/bootstrap/open-coffer.js';
import type { VerifyReport } from '../../src/engine/audit/audit-verifier.js';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const HIDDEN = 'HIDDEN_DUE_TO_SECURITY_REASONS';
const ROOT_ARN = `arn:aws:iam::${ACCOUNT}:root`;
const METRICS_TOKEN = 'audit-e2e-metrics-token-5d2c';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CLOUDTRAIL_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const LOOKUP_TARGET = 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents';

const parameterArn = (name: string) => `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${name}`;
const userArn = (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`;
const ssmPolicy = (actions: string[], resource: string) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: actions, Resource: resource }],
});

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, seconds = 10): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${seconds} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An SDK v3 rejection, with its name (the AWS code), HTTP status and request id. */
interface SdkFailure {
  name: string;
  message: string;
  $metadata: { httpStatusCode?: number; requestId?: string };
}
async function rejection(promise: Promise<unknown>): Promise<SdkFailure> {
  try {
    await promise;
  } catch (error) {
    return error as SdkFailure;
  }
  assert.fail('expected the call to fail, but it succeeded');
}

// ---------------------------------------------------------------------------------------------
// boto3 and the aws CLI, as subprocesses

/** One boto3 call: a method (snake_case) of a client signing as `credentials`; `pageSize` pages it with the client's
 * paginator. */
interface BotoStep {
  service: string;
  method: string;
  params?: Record<string, unknown>;
  credentials?: Credentials;
  pageSize?: number;
}
interface BotoResult {
  result?: Record<string, unknown>;
  pages?: { Events?: { EventId: string }[] }[];
  requestId?: string;
  headers?: Record<string, string>;
  error?: string;
  message?: string;
  status?: number;
}

const BOTO_RUNNER = `
import json, sys, boto3
from botocore.config import Config
from botocore.exceptions import ClientError
plan = json.load(sys.stdin)
config = Config(retries={'max_attempts': 1, 'mode': 'standard'})
clients = {}
def client(service, creds):
    key = (service, creds['accessKeyId'])
    if key not in clients:
        clients[key] = boto3.client(service, endpoint_url=plan['endpoint'], region_name='us-east-1',
            aws_access_key_id=creds['accessKeyId'], aws_secret_access_key=creds['secretAccessKey'], config=config)
    return clients[key]
out = []
for step in plan['steps']:
    c = client(step['service'], step['credentials'])
    try:
        if step.get('pageSize'):
            pages = c.get_paginator(step['method']).paginate(**step['params'],
                PaginationConfig={'PageSize': step['pageSize']})
            out.append({'pages': [{k: v for k, v in p.items() if k != 'ResponseMetadata'} for p in pages]})
        else:
            r = getattr(c, step['method'])(**step['params'])
            meta = r.pop('ResponseMetadata')
            out.append({'result': r, 'requestId': meta.get('RequestId'), 'headers': meta.get('HTTPHeaders')})
    except ClientError as e:
        meta = e.response.get('ResponseMetadata', {})
        out.append({'error': e.response['Error'].get('Code'), 'message': e.response['Error'].get('Message'),
            'status': meta.get('HTTPStatusCode'), 'requestId': meta.get('RequestId')})
print(json.dumps(out, default=str))
`;

/** Runs boto3 steps in one python3 process (starting one costs most of a second). */
function boto3(server: RunningServer, steps: BotoStep[]): BotoResult[] {
  const plan = { endpoint: server.endpoint, steps: steps.map((s) => ({ params: {}, credentials: ROOT, ...s })) };
  const run = spawnSync('python3', ['-c', BOTO_RUNNER], {
    input: JSON.stringify(plan),
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as BotoResult[];
}

function awsCli(server: RunningServer, credentials: Credentials, ...args: string[]) {
  return spawnSync('aws', ['--endpoint-url', server.endpoint, '--output', 'json', ...args], {
    encoding: 'utf8',
    timeout: 30_000,
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_DEFAULT_REGION: REGION,
      AWS_PAGER: '',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_MAX_ATTEMPTS: '1',
    },
  });
}

function awsJson<T>(server: RunningServer, credentials: Credentials, ...args: string[]): T {
  const run = awsCli(server, credentials, ...args);
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout || '{}') as T;
}

// ---------------------------------------------------------------------------------------------
// LookupEvents

/**
 * A CloudTrail SDK v3 client as it ships: it sends `X-Amz-Target: CloudTrail_20131101.LookupEvents`,
 * where boto3 and the CLI send the long `com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101`
 * prefix; AWS, and Coffer, take both.
 */
function cloudTrail(server: RunningServer, credentials: Credentials = ROOT): CloudTrailClient {
  return new CloudTrailClient({ endpoint: server.endpoint, region: REGION, credentials, maxAttempts: 1 });
}

/** Every event matching `input`, following NextToken; also the request ids of the page calls. */
async function lookupAll(
  ct: CloudTrailClient,
  input: LookupEventsCommandInput = {},
): Promise<{ events: Event[]; pages: Event[][]; requestIds: string[] }> {
  const events: Event[] = [];
  const pages: Event[][] = [];
  const requestIds: string[] = [];
  let NextToken: string | undefined;
  for (let page = 0; page < 200; page++) {
    const out = await ct.send(new LookupEventsCommand({ ...input, ...(NextToken ? { NextToken } : {}) }));
    requestIds.push(out.$metadata.requestId!);
    pages.push(out.Events ?? []);
    events.push(...(out.Events ?? []));
    NextToken = out.NextToken;
    if (!NextToken) return { events, pages, requestIds };
  }
  assert.fail('LookupEvents never stopped returning a NextToken');
}

const byAttribute = async (ct: CloudTrailClient, AttributeKey: string, AttributeValue: string) =>
  (await lookupAll(ct, { LookupAttributes: [{ AttributeKey: AttributeKey as 'EventName', AttributeValue }] })).events;

const recordOf = (event: Event) => JSON.parse(event.CloudTrailEvent!) as CloudTrailRecord;

/** The event of the request the server answered with `requestId` (an operation's events, searched by name). */
async function eventOf(
  ct: CloudTrailClient,
  eventName: string,
  requestId: string | undefined,
): Promise<{ event: Event; record: CloudTrailRecord }> {
  assert.ok(requestId, 'the client saw a request id');
  const found = (await byAttribute(ct, 'EventName', eventName)).find((e) => recordOf(e).requestID === requestId);
  assert.ok(found, `an ${eventName} event with requestID ${requestId}`);
  return { event: found, record: recordOf(found) };
}

/** The fields every API call's record has, whoever made it. */
function assertApiCall(
  record: CloudTrailRecord,
  expected: {
    eventSource: string;
    eventName: string;
    readOnly: boolean;
    requestId?: string;
    around?: [number, number];
  },
): void {
  assert.equal(record.eventVersion, '1.11');
  assert.equal(record.eventSource, expected.eventSource);
  assert.equal(record.eventName, expected.eventName);
  assert.equal(record.awsRegion, REGION);
  assert.equal(record.sourceIPAddress, '127.0.0.1');
  assert.ok(record.userAgent.length > 0, 'userAgent present');
  assert.equal(record.responseElements, null);
  if (expected.requestId) assert.equal(record.requestID, expected.requestId);
  assert.match(record.eventID, UUID);
  assert.equal(record.readOnly, expected.readOnly);
  assert.equal(record.eventType, 'AwsApiCall');
  assert.equal(record.managementEvent, true);
  assert.equal(record.recipientAccountId, ACCOUNT);
  assert.equal(record.eventCategory, 'Management');
  assert.match(record.eventTime, CLOUDTRAIL_TIME);
  if (expected.around) {
    const time = Date.parse(record.eventTime);
    assert.ok(
      time >= Math.floor(expected.around[0] / 1000) * 1000 && time <= expected.around[1],
      `eventTime ${record.eventTime} within the call`,
    );
  }
  assert.equal(record.tlsDetails, undefined, 'plain HTTP has no tlsDetails');
}

function assertHasResource(record: CloudTrailRecord, arn: string, type: string): void {
  assert.ok(
    record.resources?.some((r) => r.ARN === arn && r.type === type && r.accountId === ACCOUNT),
    `resources ${JSON.stringify(record.resources)} include ${type} ${arn}`,
  );
}

const ids = (events: readonly Event[]) => events.map((e) => e.EventId!);

/** Every value of `values` found in `haystack` (as UTF-8, and as base64 when `binary`). */
function leaks(
  where: string,
  haystack: Buffer | string,
  values: Record<string, string>,
  binaries: Record<string, Buffer> = {},
): string[] {
  const bytes = typeof haystack === 'string' ? Buffer.from(haystack) : haystack;
  const found: string[] = [];
  for (const [name, value] of Object.entries(values))
    if (bytes.includes(Buffer.from(value))) found.push(`${name} in ${where}`);
  for (const [name, value] of Object.entries(binaries)) {
    if (bytes.includes(value)) found.push(`${name} (bytes) in ${where}`);
    if (bytes.includes(Buffer.from(value.toString('base64')))) found.push(`${name} (base64) in ${where}`);
  }
  return found;
}

const scrapeMetrics = (server: RunningServer) =>
  rawRequest(server.endpoint, {
    method: 'GET',
    path: '/metrics',
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
  });

// ---------------------------------------------------------------------------------------------
// The main server: SQLite, with the JSON-lines file, metrics and a fast rotation tick

describe('audit trail end to end (SQLite, boto3, aws CLI, SDK v3)', () => {
  const location = testLocation('sqlite');
  const auditFilePath = join(location.dataDir, 'audit.jsonl');
  let server: RunningServer;
  let root: ServiceClients;
  let sm: SecretsManagerClient;
  let ct: CloudTrailClient;
  const opened: { destroy(): void }[] = [];
  let alice: Credentials;
  let bob: Credentials;
  let aliceId: string;
  /** Every value this suite sends or receives, by what it is: none may reach the trail (case 9). */
  const values: Record<string, string> = {
    rootSecure: 'zq-root-secure-value-4b8e1c',
    aliceSecure: 'zq-alice-secure-value-9d2f7a',
    deniedPut: 'zq-denied-put-value-1a6c3e',
    unsignedPut: 'zq-unsigned-put-value-7e5b20',
    batchSecret: 'zq-batch-secret-value-3f9a11',
    batchParameter: 'zq-batch-param-value-c0d4e8',
    rotationBefore: 'zq-before-rotation-pw-55e1ab',
  };
  const binaries: Record<string, Buffer> = {};
  /** Events seen in case 1, for the lookups of case 6. */
  const seen: { rootPut?: Event; rootGet?: Event; alicePut?: Event; aliceGet?: Event } = {};

  before(async () => {
    server = await startServer({
      location,
      env: { COFFER_AUDIT_FILE: auditFilePath, COFFER_METRICS_TOKEN: METRICS_TOKEN, COFFER_ROTATION_TICK_MS: '100' },
    });
    root = clientsFor(server);
    sm = new SecretsManagerClient({ endpoint: server.endpoint, region: REGION, credentials: ROOT, maxAttempts: 1 });
    ct = cloudTrail(server);
    opened.push(root, sm, ct);
    alice = await userWithKey(root.iam, 'audit-alice', {
      params: ssmPolicy(['ssm:PutParameter', 'ssm:GetParameter'], 'arn:aws:ssm:*:*:parameter/audit/alice/*'),
    });
    bob = await userWithKey(root.iam, 'audit-bob', {});
    aliceId = (await root.iam.send(new GetUserCommand({ UserName: 'audit-alice' }))).User!.UserId!;
  });
  after(async () => {
    opened.forEach((c) => {
      c.destroy();
    });
    await server?.stop();
  });

  it(
    '1. records boto3 successes field by field: PutParameter and GetParameter WithDecryption, as root and as an IAM ' +
      'user',
    async () => {
      const started = Date.now();
      const [rootPut, rootGet, alicePut, aliceGet] = boto3(server, [
        {
          service: 'ssm',
          method: 'put_parameter',
          params: { Name: '/audit/root/secure', Value: values.rootSecure, Type: 'SecureString' },
        },
        { service: 'ssm', method: 'get_parameter', params: { Name: '/audit/root/secure', WithDecryption: true } },
        {
          service: 'ssm',
          method: 'put_parameter',
          params: { Name: '/audit/alice/secure', Value: values.aliceSecure, Type: 'SecureString' },
          credentials: alice,
        },
        {
          service: 'ssm',
          method: 'get_parameter',
          params: { Name: '/audit/alice/secure', WithDecryption: true },
          credentials: alice,
        },
      ]);
      const ended = Date.now();
      for (const r of [rootPut, rootGet, alicePut, aliceGet])
        assert.equal(r!.error, undefined, `${r!.error}: ${r!.message}`);
      assert.equal((rootGet!.result!.Parameter as { Value: string }).Value, values.rootSecure);
      assert.equal((aliceGet!.result!.Parameter as { Value: string }).Value, values.aliceSecure);

      const cases = [
        { r: rootPut!, name: '/audit/root/secure', op: 'PutParameter', readOnly: false, who: 'root' },
        { r: rootGet!, name: '/audit/root/secure', op: 'GetParameter', readOnly: true, who: 'root' },
        { r: alicePut!, name: '/audit/alice/secure', op: 'PutParameter', readOnly: false, who: 'alice' },
        { r: aliceGet!, name: '/audit/alice/secure', op: 'GetParameter', readOnly: true, who: 'alice' },
      ] as const;
      for (const c of cases) {
        // The request id the client got is the x-amzn-RequestId header, and the record's requestID.
        assert.equal(c.r.headers!['x-amzn-requestid'], c.r.requestId);
        const { event, record } = await eventOf(ct, c.op, c.r.requestId);
        assertApiCall(record, {
          eventSource: 'ssm.amazonaws.com',
          eventName: c.op,
          readOnly: c.readOnly,
          requestId: c.r.requestId!,
          around: [started, ended],
        });
        assert.match(record.userAgent, /Boto3\/[\d.]+/);
        if (c.who === 'root') {
          assert.deepEqual(record.userIdentity, {
            type: 'Root',
            principalId: ACCOUNT,
            arn: ROOT_ARN,
            accountId: ACCOUNT,
            accessKeyId: ROOT.accessKeyId,
          });
        } else {
          assert.match(aliceId, /^AIDA[A-Z0-9]{16,}$/);
          assert.deepEqual(record.userIdentity, {
            type: 'IAMUser',
            principalId: aliceId,
            arn: userArn('audit-alice'),
            accountId: ACCOUNT,
            accessKeyId: alice.accessKeyId,
            userName: 'audit-alice',
          });
        }
        assert.deepEqual(
          record.requestParameters,
          c.op === 'PutParameter'
            ? { name: c.name, value: HIDDEN, type: 'SecureString' }
            : { name: c.name, withDecryption: true },
        );
        assert.equal(record.errorCode, undefined);
        assert.equal(record.errorMessage, undefined);
        assertHasResource(record, parameterArn(c.name), 'AWS::SSM::Parameter');
        // LookupEvents' own columns agree with the record.
        assert.equal(event.EventId, record.eventID);
        assert.equal(event.EventName, c.op);
        assert.equal(event.EventSource, 'ssm.amazonaws.com');
        assert.equal(event.ReadOnly, String(c.readOnly));
        assert.equal(event.AccessKeyId, c.who === 'root' ? ROOT.accessKeyId : alice.accessKeyId);
        assert.equal(event.Username, c.who === 'root' ? 'root' : 'audit-alice');
        assert.ok(
          event.Resources!.some((r) => r.ResourceType === 'AWS::SSM::Parameter' && r.ResourceName === c.name),
          JSON.stringify(event.Resources),
        );
        assert.ok(Math.abs(event.EventTime!.getTime() - Date.parse(record.eventTime)) < 1000);
        assert.ok(
          !event.CloudTrailEvent!.includes(values.rootSecure) && !event.CloudTrailEvent!.includes(values.aliceSecure),
        );
      }
      seen.rootPut = (await eventOf(ct, 'PutParameter', rootPut!.requestId)).event;
      seen.rootGet = (await eventOf(ct, 'GetParameter', rootGet!.requestId)).event;
      seen.alicePut = (await eventOf(ct, 'PutParameter', alicePut!.requestId)).event;
      seen.aliceGet = (await eventOf(ct, 'GetParameter', aliceGet!.requestId)).event;
    },
  );

  it(
    "2. records a denial with the user's identity, AWS's error code and the message the client got (SDK v3 and the " +
      'aws CLI)',
    async () => {
      const bobSsm = server.client(bob);
      const denied = await rejection(
        bobSsm.send(new GetParameterCommand({ Name: '/audit/root/secure', WithDecryption: true })),
      );
      assert.equal(denied.name, 'AccessDeniedException');
      const { record, event } = await eventOf(ct, 'GetParameter', denied.$metadata.requestId);
      assertApiCall(record, {
        eventSource: 'ssm.amazonaws.com',
        eventName: 'GetParameter',
        readOnly: true,
        requestId: denied.$metadata.requestId!,
      });
      assert.equal(record.errorCode, 'AccessDeniedException');
      assert.equal(record.errorMessage, denied.message);
      assert.match(
        record.errorMessage!,
        /User: arn:aws:iam::123456789012:user\/audit-bob is not authorized to perform: ssm:GetParameter/,
      );
      assert.equal(record.userIdentity.type, 'IAMUser');
      assert.equal(record.userIdentity.arn, userArn('audit-bob'));
      assert.equal(record.userIdentity.userName, 'audit-bob');
      assert.equal(record.userIdentity.accessKeyId, bob.accessKeyId);
      assert.match(record.userIdentity.principalId!, /^AIDA/);
      assert.match(record.userAgent, /aws-sdk-js/);
      assertHasResource(record, parameterArn('/audit/root/secure'), 'AWS::SSM::Parameter');
      assert.equal(event.Username, 'audit-bob');

      // A denied write: its value is hidden like an allowed one's.
      const deniedPut = await rejection(
        bobSsm.send(new PutParameterCommand({ Name: '/audit/bob/x', Value: values.deniedPut, Type: 'SecureString' })),
      );
      assert.equal(deniedPut.name, 'AccessDeniedException');
      const put = await eventOf(ct, 'PutParameter', deniedPut.$metadata.requestId);
      assert.deepEqual(put.record.requestParameters, { name: '/audit/bob/x', value: HIDDEN, type: 'SecureString' });
      assert.equal(put.record.errorCode, 'AccessDeniedException');

      // The aws CLI against IAM (a Query service): AccessDenied, as IAM names it.
      const cli = awsCli(server, bob, 'iam', 'list-users');
      assert.notEqual(cli.status, 0);
      assert.match(cli.stderr, /\(AccessDenied\) when calling the ListUsers operation/);
      const listUsers = (await byAttribute(ct, 'Username', 'audit-bob'))
        .map(recordOf)
        .find((r) => r.eventName === 'ListUsers');
      assert.ok(listUsers, "the CLI's denied ListUsers is recorded");
      assertApiCall(listUsers, { eventSource: 'iam.amazonaws.com', eventName: 'ListUsers', readOnly: true });
      assert.equal(listUsers.errorCode, 'AccessDenied');
      assert.match(listUsers.errorMessage!, /audit-bob is not authorized to perform: iam:ListUsers/);
      assert.match(listUsers.userAgent, /aws-cli\//);
      assert.equal(listUsers.userIdentity.arn, userArn('audit-bob'));
    },
  );

  it(
    '3. records a request signed with a wrong secret as Unknown, with the claimed access key id and the code the ' +
      'server answered',
    async () => {
      const forged = { accessKeyId: bob.accessKeyId, secretAccessKey: 'not-bobs-secret-0123456789abcdefghijklm' };
      // JSON (SSM), with a value in the body that nobody authenticated.
      const ssm = await signedRequest(server.endpoint, forged, {
        service: 'ssm',
        target: 'AmazonSSM.PutParameter',
        body: JSON.stringify({ Name: '/audit/forged', Value: values.unsignedPut, Type: 'SecureString' }),
        extraHeaders: { 'user-agent': 'audit-e2e-forger/1.0' },
      });
      assert.equal(ssm.status, 400);
      const ssmCode = (JSON.parse(ssm.body) as { __type: string }).__type;
      assert.equal(ssmCode, 'InvalidSignatureException');
      const ssmEvents = await byAttribute(ct, 'AccessKeyId', bob.accessKeyId);
      const ssmEvent = ssmEvents.find((e) => recordOf(e).requestID === ssm.headers['x-amzn-requestid']);
      assert.ok(ssmEvent, 'the forged request is found by its claimed access key id');
      const ssmRecord = recordOf(ssmEvent);
      assertApiCall(ssmRecord, { eventSource: 'ssm.amazonaws.com', eventName: 'PutParameter', readOnly: false });
      assert.equal(ssmRecord.userAgent, 'audit-e2e-forger/1.0');
      assert.deepEqual(ssmRecord.userIdentity, { type: 'Unknown', accessKeyId: bob.accessKeyId });
      assert.equal(ssmRecord.errorCode, ssmCode);
      assert.equal(ssmRecord.errorMessage, (JSON.parse(ssm.body) as { message: string }).message);
      assert.equal(ssmRecord.requestParameters, null, 'an unauthenticated body is not decoded into the trail');
      assert.equal(ssmEvent.AccessKeyId, bob.accessKeyId);
      assert.equal(ssmEvent.Username, undefined);

      // Query (STS): the server answers SignatureDoesNotMatch, and the record says the same.
      const sts = await signedRequest(server.endpoint, forged, {
        service: 'sts',
        body: form({ Action: 'GetCallerIdentity', Version: '2011-06-15' }),
      });
      assert.equal(sts.status, 403);
      assert.match(sts.body, /<Code>SignatureDoesNotMatch<\/Code>/);
      const stsEvent = (await byAttribute(ct, 'AccessKeyId', bob.accessKeyId)).find(
        (e) => recordOf(e).requestID === sts.headers['x-amzn-requestid'],
      );
      assert.ok(stsEvent, 'the forged STS request is recorded');
      const stsRecord = recordOf(stsEvent);
      assert.equal(stsRecord.eventSource, 'sts.amazonaws.com');
      assert.deepEqual(stsRecord.userIdentity, { type: 'Unknown', accessKeyId: bob.accessKeyId });
      assert.equal(stsRecord.errorCode, 'SignatureDoesNotMatch');

      // An access key id nobody has: UnrecognizedClientException, still with the claimed id.
      const nobody = { accessKeyId: 'AKIAAUDITNOSUCHKEY01', secretAccessKey: 'whatever-secret-0123456789' };
      const unknown = await signedRequest(server.endpoint, nobody, {
        service: 'ssm',
        target: 'AmazonSSM.GetParameter',
        body: JSON.stringify({ Name: '/audit/root/secure' }),
      });
      assert.equal((JSON.parse(unknown.body) as { __type: string }).__type, 'UnrecognizedClientException');
      const [unknownEvent] = await byAttribute(ct, 'AccessKeyId', nobody.accessKeyId);
      assert.ok(unknownEvent);
      assert.deepEqual(recordOf(unknownEvent).userIdentity, { type: 'Unknown', accessKeyId: nobody.accessKeyId });
      assert.equal(recordOf(unknownEvent).errorCode, 'UnrecognizedClientException');
      assert.equal(recordOf(unknownEvent).requestID, unknown.headers['x-amzn-requestid']);
    },
  );

  /** Case 4's calls, made once by whichever of its tests runs first. */
  let batchReads: Promise<{ secretArns: string[]; batch: BotoResult; byPath: BotoResult }> | undefined;
  const readInBatches = () =>
    (batchReads ??= (async () => {
      const secretArns: string[] = [];
      for (const i of [1, 2, 3]) {
        const created = await sm.send(
          new CreateSecretCommand({ Name: `audit/batch/s${i}`, SecretString: `${values.batchSecret}-${i}` }),
        );
        secretArns.push(created.ARN!);
        await root.ssm.send(
          new PutParameterCommand({
            Name: `/audit/batch/p${i}`,
            Value: `${values.batchParameter}-${i}`,
            Type: 'SecureString',
          }),
        );
      }
      const [batch, byPath] = boto3(server, [
        {
          service: 'secretsmanager',
          method: 'batch_get_secret_value',
          params: { SecretIdList: ['audit/batch/s1', 'audit/batch/s2', 'audit/batch/s3'] },
        },
        { service: 'ssm', method: 'get_parameters_by_path', params: { Path: '/audit/batch', WithDecryption: true } },
      ]);
      assert.equal(batch!.error, undefined, batch!.message);
      assert.equal((batch!.result!.SecretValues as unknown[]).length, 3);
      assert.equal((byPath!.result!.Parameters as unknown[]).length, 3);
      return { secretArns, batch: batch!, byPath: byPath! };
    })());

  it('4a. lists each secret BatchGetSecretValue of 3 secrets returned in resources (boto3)', async () => {
    const { secretArns, batch } = await readInBatches();
    const batchEvent = await eventOf(ct, 'BatchGetSecretValue', batch!.requestId);
    assertApiCall(batchEvent.record, {
      eventSource: 'secretsmanager.amazonaws.com',
      eventName: 'BatchGetSecretValue',
      readOnly: true,
      requestId: batch!.requestId!,
    });
    for (const arn of secretArns) assertHasResource(batchEvent.record, arn, 'AWS::SecretsManager::Secret');
    assert.equal(batchEvent.record.resources!.filter((r) => r.type === 'AWS::SecretsManager::Secret').length, 3);
    assert.deepEqual(batchEvent.record.requestParameters, {
      secretIdList: ['audit/batch/s1', 'audit/batch/s2', 'audit/batch/s3'],
    });
    assert.deepEqual(batchEvent.event.Resources!.map((r) => r.ResourceName).sort(), [
      'audit/batch/s1',
      'audit/batch/s2',
      'audit/batch/s3',
    ]);
    assert.ok(
      ids(await byAttribute(ct, 'ResourceName', 'audit/batch/s2')).includes(batchEvent.event.EventId!),
      "found by one secret's name",
    );
  });

  it('4b. lists each parameter GetParametersByPath returned in resources (boto3)', async () => {
    const { byPath } = await readInBatches();
    const pathEvent = await eventOf(ct, 'GetParametersByPath', byPath!.requestId);
    assertApiCall(pathEvent.record, {
      eventSource: 'ssm.amazonaws.com',
      eventName: 'GetParametersByPath',
      readOnly: true,
      requestId: byPath!.requestId!,
    });
    for (const i of [1, 2, 3])
      assertHasResource(pathEvent.record, parameterArn(`/audit/batch/p${i}`), 'AWS::SSM::Parameter');
    assert.ok(ids(await byAttribute(ct, 'ResourceName', '/audit/batch/p3')).includes(pathEvent.event.EventId!));
  });

  it(
    '5. records a built-in rotation as RotationStarted and RotationSucceeded service events naming the ' + 'secret',
    async () => {
      const coffer = new CofferApiClient(server.endpoint, REGION, async () => ROOT);
      await coffer.call('RegisterFunction', {
        Name: 'audit-pw',
        Builtin: 'random-password',
        Options: { field: 'password', length: 28 },
      });
      const created = await sm.send(
        new CreateSecretCommand({
          Name: 'audit/rotated',
          SecretString: JSON.stringify({ username: 'svc', password: values.rotationBefore }),
        }),
      );
      await sm.send(new RotateSecretCommand({ SecretId: 'audit/rotated', RotationLambdaARN: 'audit-pw' }));
      const succeeded = await until(
        'the RotationSucceeded event',
        async () =>
          (await byAttribute(ct, 'EventName', 'RotationSucceeded')).find((e) =>
            e.Resources?.some((r) => r.ResourceName === 'audit/rotated'),
          ),
        15,
      );
      const [started] = (await byAttribute(ct, 'EventName', 'RotationStarted')).filter((e) =>
        e.Resources?.some((r) => r.ResourceName === 'audit/rotated'),
      );
      assert.ok(started, 'a RotationStarted event');
      for (const [event, name] of [
        [started, 'RotationStarted'],
        [succeeded, 'RotationSucceeded'],
      ] as const) {
        const record = recordOf(event);
        assert.equal(record.eventVersion, '1.11');
        assert.equal(record.eventType, 'AwsServiceEvent');
        assert.equal(record.eventName, name);
        assert.equal(record.eventSource, 'secretsmanager.amazonaws.com');
        assert.equal(record.userIdentity.type, 'AWSService');
        assert.equal(record.userIdentity.invokedBy, 'secretsmanager.amazonaws.com');
        assert.equal(record.awsRegion, REGION);
        assert.equal(record.recipientAccountId, ACCOUNT);
        assert.equal(record.managementEvent, true);
        assert.equal(record.readOnly, false);
        assert.equal(record.errorCode, undefined);
        assert.match(record.eventID, UUID);
        assertHasResource(record, created.ARN!, 'AWS::SecretsManager::Secret');
        assert.equal(event.EventSource, 'secretsmanager.amazonaws.com');
      }
      assert.ok(started.EventTime!.getTime() <= succeeded.EventTime!.getTime());
      assert.equal(recordOf(started).serviceEventDetails?.runId, recordOf(succeeded).serviceEventDetails?.runId);
      // The new password: case 9 looks for it everywhere too.
      const rotated = JSON.parse(
        (await sm.send(new GetSecretValueCommand({ SecretId: 'audit/rotated' }))).SecretString!,
      ) as { password: string };
      assert.notEqual(rotated.password, values.rotationBefore);
      values.rotationAfter = rotated.password;
    },
  );

  it(
    "5b. a secret's whole story is found by its name: CreateSecret (the secret created, not a pattern), " +
      'RotateSecret, the rotation, reads',
    async () => {
      const story = (await byAttribute(ct, 'ResourceName', 'audit/rotated')).map((e) => e.EventName);
      for (const name of ['RotateSecret', 'RotationStarted', 'RotationSucceeded', 'GetSecretValue'])
        assert.ok(story.includes(name), `${name} in ${story.join(', ')}`);
      const created = (await byAttribute(ct, 'EventName', 'CreateSecret'))
        .map(recordOf)
        .find((r) => (r.requestParameters as { name?: string }).name === 'audit/rotated')!;
      assert.ok(created, 'the CreateSecret event');
      const arn = (await sm.send(new GetSecretValueCommand({ SecretId: 'audit/rotated' }))).ARN!;
      assert.deepEqual(
        created.resources?.map((r) => r.ARN),
        [arn],
        'CreateSecret names the secret it created',
      );
      assert.ok(story.includes('CreateSecret'), `CreateSecret in ${story.join(', ')}`);
    },
  );

  it('6a. LookupEvents filters by each attribute (SDK v3)', async () => {
    const { rootPut, rootGet, alicePut, aliceGet } = seen;
    assert.ok(rootPut && rootGet && alicePut && aliceGet, 'case 1 ran');

    const puts = await byAttribute(ct, 'EventName', 'PutParameter');
    assert.ok(puts.every((e) => e.EventName === 'PutParameter'));
    assert.ok(ids(puts).includes(rootPut.EventId!) && ids(puts).includes(alicePut.EventId!));
    assert.ok(!ids(puts).includes(rootGet.EventId!));

    const withSlash = await byAttribute(ct, 'ResourceName', '/audit/root/secure');
    const withoutSlash = await byAttribute(ct, 'ResourceName', 'audit/root/secure');
    assert.deepEqual(ids(withoutSlash), ids(withSlash));
    assert.ok(ids(withSlash).includes(rootPut.EventId!) && ids(withSlash).includes(rootGet.EventId!));
    assert.ok(!ids(withSlash).includes(alicePut.EventId!));
    assert.ok(withSlash.every((e) => e.Resources!.some((r) => r.ResourceName === '/audit/root/secure')));
    assert.ok(
      ids(await byAttribute(ct, 'ResourceName', parameterArn('/audit/root/secure'))).includes(rootPut.EventId!),
      'by ARN too',
    );

    const aliceEvents = await byAttribute(ct, 'Username', 'audit-alice');
    assert.ok(aliceEvents.length >= 2 && aliceEvents.every((e) => e.Username === 'audit-alice'));
    assert.deepEqual(new Set(ids(aliceEvents)), new Set([alicePut.EventId!, aliceGet.EventId!]));
    const rootEvents = await byAttribute(ct, 'Username', 'root');
    assert.ok(rootEvents.every((e) => e.Username === 'root') && ids(rootEvents).includes(rootPut.EventId!));

    const reads = await byAttribute(ct, 'ReadOnly', 'true');
    const writes = await byAttribute(ct, 'ReadOnly', 'false');
    assert.ok(
      reads.every((e) => e.ReadOnly === 'true') &&
        ids(reads).includes(rootGet.EventId!) &&
        !ids(reads).includes(rootPut.EventId!),
    );
    assert.ok(
      writes.every((e) => e.ReadOnly === 'false') &&
        ids(writes).includes(rootPut.EventId!) &&
        !ids(writes).includes(rootGet.EventId!),
    );

    const byKey = await byAttribute(ct, 'AccessKeyId', alice.accessKeyId);
    assert.deepEqual(new Set(ids(byKey)), new Set([alicePut.EventId!, aliceGet.EventId!]));
    assert.ok(byKey.every((e) => e.AccessKeyId === alice.accessKeyId));

    const secretsEvents = await byAttribute(ct, 'EventSource', 'secretsmanager.amazonaws.com');
    assert.ok(secretsEvents.length > 0 && secretsEvents.every((e) => e.EventSource === 'secretsmanager.amazonaws.com'));
    assert.ok(
      secretsEvents.some((e) => e.EventName === 'CreateSecret') && !ids(secretsEvents).includes(rootPut.EventId!),
    );

    const secretTyped = await byAttribute(ct, 'ResourceType', 'AWS::SecretsManager::Secret');
    assert.ok(
      secretTyped.length > 0 &&
        secretTyped.every((e) => e.Resources!.some((r) => r.ResourceType === 'AWS::SecretsManager::Secret')),
    );
    assert.ok(!ids(secretTyped).includes(rootPut.EventId!));
    const parameterTyped = await byAttribute(ct, 'ResourceType', 'AWS::SSM::Parameter');
    assert.ok(ids(parameterTyped).includes(rootPut.EventId!));

    const one = await byAttribute(ct, 'EventId', rootPut.EventId!);
    assert.deepEqual(ids(one), [rootPut.EventId!]);
    assert.equal(recordOf(one[0]!).eventID, rootPut.EventId);
    assert.deepEqual(await byAttribute(ct, 'EventId', '00000000-0000-4000-8000-000000000000'), []);
  });

  it('6b. LookupEvents through boto3 and the aws CLI: the same filters give the same events', async () => {
    const { rootPut, alicePut, aliceGet } = seen;
    const [byName, byResource, byUser] = boto3(server, [
      {
        service: 'cloudtrail',
        method: 'lookup_events',
        params: { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'PutParameter' }] },
        pageSize: 50,
      },
      {
        service: 'cloudtrail',
        method: 'lookup_events',
        params: { LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: 'audit/alice/secure' }] },
        pageSize: 50,
      },
      {
        service: 'cloudtrail',
        method: 'lookup_events',
        params: { LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'audit-alice' }] },
        pageSize: 50,
      },
    ]);
    const flat = (r: BotoResult | undefined) => r!.pages!.flatMap((p) => p.Events ?? []).map((e) => e.EventId);
    assert.ok(flat(byName).includes(rootPut!.EventId!) && flat(byName).includes(alicePut!.EventId!));
    assert.deepEqual(new Set(flat(byResource)), new Set([alicePut!.EventId!, aliceGet!.EventId!]));
    assert.deepEqual(new Set(flat(byUser)), new Set([alicePut!.EventId!, aliceGet!.EventId!]));

    const cli = awsJson<{ Events: Event[] }>(
      server,
      ROOT,
      'cloudtrail',
      'lookup-events',
      '--lookup-attributes',
      'AttributeKey=ResourceName,AttributeValue=/audit/alice/secure',
    );
    assert.deepEqual(new Set(cli.Events.map((e) => e.EventId)), new Set([alicePut!.EventId!, aliceGet!.EventId!]));
    const cliEvent = cli.Events.find((e) => e.EventId === alicePut!.EventId)!;
    assert.equal(cliEvent.Username, 'audit-alice');
    assert.equal(recordOf(cliEvent).userIdentity.userName, 'audit-alice');
  });

  it(
    '6c. MaxResults pages with NextToken give every event exactly once, newest first, alike through the SDK, ' +
      "boto3's paginator and the aws CLI",
    async () => {
      // A fixed range, in whole seconds (the clients send seconds), so every client sees the same events.
      const end = new Date(Math.floor(Date.now() / 1000) * 1000);
      const start = new Date(end.getTime() - 3600_000);
      await sleep(2); // so no lookup below begins within the range
      const whole = await lookupAll(ct, { StartTime: start, EndTime: end });
      const paged = await lookupAll(ct, { StartTime: start, EndTime: end, MaxResults: 4 });
      assert.ok(whole.events.length > 12, `${whole.events.length} events`);
      assert.deepEqual(ids(paged.events), ids(whole.events));
      assert.equal(new Set(ids(whole.events)).size, whole.events.length, 'no event twice');
      assert.ok(
        paged.pages.slice(0, -1).every((p) => p.length === 4) &&
          paged.pages.at(-1)!.length <= 4 &&
          paged.pages.at(-1)!.length > 0,
      );
      assert.ok(
        whole.events.every((e) => e.EventTime!.getTime() <= end.getTime() && e.EventTime!.getTime() >= start.getTime()),
      );
      // The lookups themselves happened after `end`, so they are not among the events.
      assert.ok(!whole.events.some((e) => whole.requestIds.includes(recordOf(e).requestID)));

      const [botoPaged] = boto3(server, [
        {
          service: 'cloudtrail',
          method: 'lookup_events',
          params: { StartTime: end.getTime() / 1000 - 3600, EndTime: end.getTime() / 1000 },
          pageSize: 5,
        },
      ]);
      assert.equal(botoPaged!.error, undefined, botoPaged!.message);
      assert.ok(botoPaged!.pages!.length > 2, 'boto3 went through several pages');
      assert.deepEqual(
        botoPaged!.pages!.flatMap((p) => p.Events ?? []).map((e) => e.EventId),
        ids(whole.events),
      );

      const cli = awsJson<{ Events: Event[] }>(
        server,
        ROOT,
        'cloudtrail',
        'lookup-events',
        '--page-size',
        '6',
        '--start-time',
        start.toISOString(),
        '--end-time',
        end.toISOString(),
      );
      assert.deepEqual(
        cli.Events.map((e) => e.EventId),
        ids(whole.events),
      );

      // A NextToken belongs to its query.
      const first = await ct.send(new LookupEventsCommand({ StartTime: start, EndTime: end, MaxResults: 4 }));
      assert.ok(first.NextToken);
      assert.equal(
        (
          await rejection(
            ct.send(
              new LookupEventsCommand({ StartTime: start, EndTime: end, MaxResults: 5, NextToken: first.NextToken }),
            ),
          )
        ).name,
        'InvalidNextTokenException',
      );
      assert.equal(
        (await rejection(ct.send(new LookupEventsCommand({ NextToken: 'bm90LWEtdG9rZW4' })))).name,
        'InvalidNextTokenException',
      );
    },
  );

  it(
    '6c2. newest first is by eventTime, even when a slow upload started first commits after a quick ' + 'request',
    async () => {
      // PutParameter A's body arrives slowly: its event's time is when it began, before B's.
      const url = new URL(server.endpoint);
      const body = Buffer.from(JSON.stringify({ Name: '/audit/order/slow', Value: 'order-slow', Type: 'String' }));
      const signer = new SignatureV4({ service: 'ssm', region: REGION, credentials: ROOT, sha256: NodeSha256 });
      const signed = await signer.sign({
        method: 'POST',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: '/',
        query: {},
        body,
        headers: {
          host: url.host,
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'AmazonSSM.PutParameter',
          'content-length': String(body.length),
        },
      });
      const slow = request(url, {
        method: 'POST',
        headers: Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k, String(v)])),
      });
      const answered = new Promise<number>((resolve, reject) => {
        slow.on('response', (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode!));
        });
        slow.on('error', reject);
      });
      slow.write(body.subarray(0, 10));
      await sleep(150);
      await root.ssm.send(
        new PutParameterCommand({ Name: '/audit/order/quick', Value: 'order-quick', Type: 'String' }),
      );
      await sleep(20);
      slow.end(body.subarray(10));
      assert.equal(await answered, 200);
      const listed = (await byAttribute(ct, 'EventName', 'PutParameter')).filter((e) =>
        e.Resources!.some((r) => r.ResourceName!.startsWith('/audit/order/')),
      );
      const order = listed.map((e) => `${e.Resources![0]!.ResourceName} at ${e.EventTime!.toISOString()}`);
      assert.equal(listed.length, 2);
      assert.ok(
        listed[0]!.EventTime!.getTime() >= listed[1]!.EventTime!.getTime(),
        `listed newest first: ${order.join(', then ')}`,
      );
    },
  );

  it('6d. LookupEvents honours StartTime and EndTime', async () => {
    await root.ssm.send(new PutParameterCommand({ Name: '/audit/time/before', Value: 'time-a', Type: 'String' }));
    const boundary = (Math.floor(Date.now() / 1000) + 2) * 1000;
    await sleep(boundary + 20 - Date.now());
    await root.ssm.send(new PutParameterCommand({ Name: '/audit/time/after', Value: 'time-b', Type: 'String' }));
    const names = (events: Event[]) =>
      events.flatMap((e) => e.Resources!.map((r) => r.ResourceName!)).filter((n) => n.startsWith('/audit/time/'));
    const attribute = [{ AttributeKey: 'EventName' as const, AttributeValue: 'PutParameter' }];
    const from = (await lookupAll(ct, { LookupAttributes: attribute, StartTime: new Date(boundary) })).events;
    assert.deepEqual(names(from), ['/audit/time/after']);
    const until_ = (
      await lookupAll(ct, {
        LookupAttributes: attribute,
        StartTime: new Date(boundary - 3600_000),
        EndTime: new Date(boundary - 1000),
      })
    ).events;
    assert.deepEqual(names(until_), ['/audit/time/before']);
    assert.deepEqual(names((await lookupAll(ct, { LookupAttributes: attribute })).events), [
      '/audit/time/after',
      '/audit/time/before',
    ]);
    assert.deepEqual(
      (await lookupAll(ct, { StartTime: new Date(Date.now() + 3600_000), EndTime: new Date(Date.now() + 7200_000) }))
        .events,
      [],
    );
    assert.deepEqual(
      (await lookupAll(ct, { StartTime: new Date('2000-01-01T00:00:00Z'), EndTime: new Date('2000-01-02T00:00:00Z') }))
        .events,
      [],
    );
  });

  it('6e. LookupEvents refuses two attributes, StartTime after EndTime and MaxResults out of range', async () => {
    const two = await rejection(
      ct.send(
        new LookupEventsCommand({
          LookupAttributes: [
            { AttributeKey: 'EventName', AttributeValue: 'PutParameter' },
            { AttributeKey: 'Username', AttributeValue: 'root' },
          ],
        }),
      ),
    );
    assert.equal(two.name, 'InvalidLookupAttributesException');
    assert.equal(two.$metadata.httpStatusCode, 400);
    const reversed = await rejection(
      ct.send(
        new LookupEventsCommand({
          StartTime: new Date('2025-02-01T00:00:00Z'),
          EndTime: new Date('2025-01-01T00:00:00Z'),
        }),
      ),
    );
    assert.equal(reversed.name, 'InvalidTimeRangeException');
    assert.equal(reversed.$metadata.httpStatusCode, 400);
    const [botoTwo, botoReversed] = boto3(server, [
      {
        service: 'cloudtrail',
        method: 'lookup_events',
        params: {
          LookupAttributes: [
            { AttributeKey: 'EventName', AttributeValue: 'A' },
            { AttributeKey: 'EventName', AttributeValue: 'B' },
          ],
        },
      },
      { service: 'cloudtrail', method: 'lookup_events', params: { StartTime: 1_800_000_000, EndTime: 1_700_000_000 } },
    ]);
    assert.equal(botoTwo!.error, 'InvalidLookupAttributesException');
    assert.equal(botoReversed!.error, 'InvalidTimeRangeException');
    const cli = awsCli(
      server,
      ROOT,
      'cloudtrail',
      'lookup-events',
      '--start-time',
      '2025-02-01T00:00:00Z',
      '--end-time',
      '2025-01-01T00:00:00Z',
    );
    assert.notEqual(cli.status, 0);
    assert.match(cli.stderr, /\(InvalidTimeRangeException\)/);
    for (const MaxResults of [0, 51]) {
      const refused = await rejection(ct.send(new LookupEventsCommand({ MaxResults })));
      assert.equal(refused.$metadata.httpStatusCode, 400, `MaxResults ${MaxResults}: ${refused.name}`);
      assert.match(refused.name, /^(InvalidMaxResultsException|ValidationException)$/, `MaxResults ${MaxResults}`);
    }
    // Refusals are events too.
    const recorded = (await byAttribute(ct, 'EventName', 'LookupEvents')).map(recordOf).map((r) => r.errorCode);
    assert.ok(recorded.includes('InvalidLookupAttributesException') && recorded.includes('InvalidTimeRangeException'));
  });

  it(
    "6f. LookupEvents needs cloudtrail:LookupEvents: a user without it is denied, a user with it sees the account's " +
      'events',
    async () => {
      const bobCt = cloudTrail(server, bob);
      opened.push(bobCt);
      const denied = await rejection(bobCt.send(new LookupEventsCommand({})));
      assert.equal(denied.name, 'AccessDeniedException');
      assert.match(denied.message, /audit-bob is not authorized to perform: cloudtrail:LookupEvents/);
      const cli = awsCli(server, bob, 'cloudtrail', 'lookup-events', '--max-items', '1');
      assert.notEqual(cli.status, 0);
      assert.match(cli.stderr, /\(AccessDeniedException\)/);
      const deniedEvent = await eventOf(ct, 'LookupEvents', denied.$metadata.requestId);
      assert.equal(deniedEvent.record.eventSource, 'cloudtrail.amazonaws.com');
      assert.equal(deniedEvent.record.errorCode, 'AccessDeniedException');
      assert.equal(deniedEvent.record.readOnly, true);

      const carol = await userWithKey(root.iam, 'audit-carol', { trail: ssmPolicy(['cloudtrail:LookupEvents'], '*') });
      const carolCt = cloudTrail(server, carol);
      opened.push(carolCt);
      const [rootPut] = (
        await carolCt.send(
          new LookupEventsCommand({
            LookupAttributes: [{ AttributeKey: 'EventId', AttributeValue: seen.rootPut!.EventId! }],
          }),
        )
      ).Events!;
      assert.equal(rootPut?.EventId, seen.rootPut!.EventId);
      const page = await carolCt.send(new LookupEventsCommand({ MaxResults: 50 }));
      assert.equal(page.Events!.length, 50);
      const [botoCarol] = boto3(server, [
        {
          service: 'cloudtrail',
          method: 'lookup_events',
          params: { LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'audit-alice' }] },
          credentials: carol,
          pageSize: 10,
        },
      ]);
      assert.equal(botoCarol!.pages!.flatMap((p) => p.Events ?? []).length, 2);
    },
  );

  it(
    "6g. the SDK v3's CloudTrailClient as it comes (target CloudTrail_20131101.LookupEvents) reads the " + 'trail',
    async () => {
      const raw = await signedRequest(server.endpoint, ROOT, {
        service: 'cloudtrail',
        target: 'CloudTrail_20131101.LookupEvents',
        body: JSON.stringify({ MaxResults: 1 }),
      });
      assert.equal(raw.status, 200, `X-Amz-Target CloudTrail_20131101.LookupEvents answered ${raw.status} ${raw.body}`);
      const shipped = cloudTrail(server, ROOT);
      opened.push(shipped);
      const out = await shipped.send(
        new LookupEventsCommand({
          LookupAttributes: [{ AttributeKey: 'EventId', AttributeValue: seen.rootPut!.EventId! }],
        }),
      );
      assert.deepEqual(ids(out.Events ?? []), [seen.rootPut!.EventId!]);
    },
  );

  it(
    "9. no value reaches the store's bytes, the audit file, LookupEvents, the server's output or " + '/metrics',
    async () => {
      Object.assign(values, {
        plainString: 'zq-plain-string-value-0e7d55',
        secureString: 'zq-secure-string-value-8a1b3c',
        createSecretString: 'zq-create-secret-string-61fe02',
        putSecretString: 'zq-put-secret-string-d93a4b',
        kmsPlaintext: 'zq-kms-plaintext-value-27c8f9',
      });
      binaries.createSecretBinary = Buffer.from('zq-create-secret-binary-\x00\x01\xfe-5c20ad', 'latin1');
      binaries.putSecretBinary = Buffer.from('zq-put-secret-binary-\x02\xff\x10-e4b7c1', 'latin1');
      await root.ssm.send(
        new PutParameterCommand({ Name: '/audit/values/plain', Value: values.plainString, Type: 'String' }),
      );
      await root.ssm.send(
        new PutParameterCommand({ Name: '/audit/values/secure', Value: values.secureString, Type: 'SecureString' }),
      );
      assert.equal(
        (await root.ssm.send(new GetParameterCommand({ Name: '/audit/values/secure', WithDecryption: true })))
          .Parameter!.Value,
        values.secureString,
      );
      await root.ssm.send(new GetParametersByPathCommand({ Path: '/audit/values', WithDecryption: true }));
      await sm.send(new CreateSecretCommand({ Name: 'audit/values/string', SecretString: values.createSecretString }));
      await sm.send(
        new PutSecretValueCommand({ SecretId: 'audit/values/string', SecretString: values.putSecretString }),
      );
      await sm.send(
        new CreateSecretCommand({ Name: 'audit/values/binary', SecretBinary: binaries.createSecretBinary }),
      );
      await sm.send(
        new PutSecretValueCommand({ SecretId: 'audit/values/binary', SecretBinary: binaries.putSecretBinary }),
      );
      assert.deepEqual(
        Buffer.from((await sm.send(new GetSecretValueCommand({ SecretId: 'audit/values/binary' }))).SecretBinary!),
        binaries.putSecretBinary,
      );
      const key = (await root.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
      const sealed = await root.kms.send(
        new EncryptCommand({ KeyId: key, Plaintext: Buffer.from(values.kmsPlaintext) }),
      );
      assert.equal(
        Buffer.from(
          (await root.kms.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob! }))).Plaintext!,
        ).toString(),
        values.kmsPlaintext,
      );
      values.randomPassword = (
        await sm.send(new GetRandomPasswordCommand({ PasswordLength: 40, ExcludePunctuation: true }))
      ).RandomPassword!;
      await root.iam.send(new CreateUserCommand({ UserName: 'audit-dave' }));
      const daveKey = (await root.iam.send(new CreateAccessKeyCommand({ UserName: 'audit-dave' }))).AccessKey!;
      values.createdAccessKeySecret = daveKey.SecretAccessKey!;
      // boto3 too: its PutParameter and the aws CLI's GetRandomPassword.
      values.botoString = 'zq-boto-string-value-a4c2e9';
      const [botoPut] = boto3(server, [
        {
          service: 'ssm',
          method: 'put_parameter',
          params: { Name: '/audit/values/boto', Value: values.botoString, Type: 'String' },
        },
      ]);
      assert.equal(botoPut!.error, undefined);
      values.cliPassword = awsJson<{ RandomPassword: string }>(
        server,
        ROOT,
        'secretsmanager',
        'get-random-password',
        '--password-length',
        '36',
        '--exclude-punctuation',
      ).RandomPassword;
      const lastRequestId = (await root.ssm.send(new GetParameterCommand({ Name: '/audit/values/plain' }))).$metadata
        .requestId!;
      for (const [name, value] of Object.entries(values))
        assert.ok(value && value.length >= 16, `${name} is distinctive`);

      const found: string[] = [];
      // The audit file: wait until the last request's event is in it.
      const fileText = await until(
        'the last event in COFFER_AUDIT_FILE',
        () => {
          const text = existsSync(auditFilePath) ? readFileSync(auditFilePath, 'utf8') : '';
          return text.includes(lastRequestId) ? text : undefined;
        },
        5,
      );
      found.push(...leaks('COFFER_AUDIT_FILE', fileText, values, binaries));
      const lookedUp = await lookupAll(ct);
      assert.ok(lookedUp.events.some((e) => recordOf(e).requestID === lastRequestId));
      found.push(...leaks('LookupEvents', JSON.stringify(lookedUp.events), values, binaries));
      // The raw bytes of LookupEvents' answer too, as the wire carries them.
      const raw = await signedRequest(server.endpoint, ROOT, {
        service: 'cloudtrail',
        target: LOOKUP_TARGET,
        body: JSON.stringify({ MaxResults: 50 }),
      });
      assert.equal(raw.status, 200);
      found.push(...leaks('LookupEvents (wire)', raw.body, values, binaries));
      // The store, the trail's own file and the journals of read events, as they are on disk.
      const journals = existsSync(join(location.dataDir, 'audit-journal'))
        ? readdirSync(join(location.dataDir, 'audit-journal')).map((f) => join('audit-journal', f))
        : [];
      for (const file of ['coffer.db', 'coffer.db-wal', 'coffer-audit.db', 'coffer-audit.db-wal', ...journals]) {
        const path = join(location.dataDir, file);
        if (existsSync(path)) found.push(...leaks(file, readFileSync(path), values, binaries));
      }
      found.push(...leaks('server output', server.output(), values, binaries));
      const metrics = await scrapeMetrics(server);
      assert.equal(metrics.status, 200);
      assert.match(metrics.body, /coffer_/);
      found.push(...leaks('/metrics', metrics.body, values, binaries));
      assert.deepEqual(found, []);
      // The trail did see the calls (it is not empty by accident).
      assert.ok(
        lookedUp.events.some((e) => e.EventName === 'CreateAccessKey') &&
          lookedUp.events.some((e) => e.EventName === 'GetRandomPassword') &&
          lookedUp.events.some((e) => e.EventName === 'Encrypt') &&
          lookedUp.events.some((e) => e.EventName === 'PutSecretValue'),
      );
      const encrypt = recordOf(lookedUp.events.find((e) => e.EventName === 'Encrypt')!);
      assert.equal((encrypt.requestParameters as { plaintext?: string }).plaintext, HIDDEN);
      const createBinary = lookedUp.events
        .map(recordOf)
        .find(
          (r) =>
            r.eventName === 'CreateSecret' && (r.requestParameters as { name?: string }).name === 'audit/values/binary',
        );
      assert.ok(createBinary);
      assert.equal((createBinary.requestParameters as { secretBinary?: string }).secretBinary, HIDDEN);
    },
  );

  it('10. COFFER_AUDIT_FILE holds one JSON line per event, the same records LookupEvents returns', async () => {
    const all = await lookupAll(ct);
    // The page calls' own events follow them into the file; wait for the last one.
    const lastPage = all.requestIds.at(-1)!;
    const text = await until(
      "the lookups' events in the file",
      () => {
        const t = readFileSync(auditFilePath, 'utf8');
        return t.includes(lastPage) ? t : undefined;
      },
      5,
    );
    assert.ok(text.endsWith('\n'));
    const lines = text.slice(0, -1).split('\n');
    const records = lines.map((line) => JSON.parse(line) as CloudTrailRecord);
    const fileIds = records.map((r) => r.eventID);
    assert.equal(new Set(fileIds).size, lines.length, 'each event on one line, once');
    const lookupIds = ids(all.events);
    const extra = records.filter((r) => !lookupIds.includes(r.eventID));
    // Only the page calls themselves, which LookupEvents could not yet show, are in the file alone.
    assert.deepEqual(extra.map((r) => r.requestID).sort(), [...all.requestIds].sort());
    assert.ok(extra.every((r) => r.eventName === 'LookupEvents'));
    assert.deepEqual(
      lookupIds.filter((id) => !fileIds.includes(id)),
      [],
      'every looked-up event is in the file',
    );
    // Record for record the same (the file in the order events became durable: a write's event
    // joins the chain after the reads its commit raced with, so the two orders may differ there).
    const byId = new Map(records.map((r) => [r.eventID, r]));
    for (const event of all.events) assert.deepEqual(byId.get(event.EventId!), recordOf(event));
  });
});

// ---------------------------------------------------------------------------------------------
// Alerts

describe('audit alerts: a burst of denials is one webhook POST', () => {
  let receiver: Server;
  const posts: string[] = [];
  let server: RunningServer;
  let root: ServiceClients;

  before(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => {
        body += d.toString();
      });
      req.on('end', () => {
        posts.push(body);
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    server = await startServer({
      env: { COFFER_ALERTS_WEBHOOK: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts` },
    });
    root = clientsFor(server);
  });
  after(async () => {
    root?.destroy();
    await server?.stop();
    receiver.close();
  });

  it(
    '8. ten denied PutParameters in a burst make exactly one denied-access alert naming the user, never the ' + 'value',
    async () => {
      const eve = await userWithKey(root.iam, 'alert-eve', {});
      const eveSsm = server.client(eve);
      const value = 'zq-alert-burst-value-6f0c9d';
      for (let i = 0; i < 10; i++) {
        const denied = await rejection(
          eveSsm.send(new PutParameterCommand({ Name: `/alerts/p${i}`, Value: `${value}-${i}`, Type: 'SecureString' })),
        );
        assert.equal(denied.name, 'AccessDeniedException');
      }
      await until('the alert', () => (posts.length > 0 ? true : undefined), 5);
      await sleep(1500);
      assert.equal(posts.length, 1, `one POST, got ${posts.length}: ${posts.join('\n')}`);
      const body = JSON.parse(posts[0]!) as {
        text: string;
        alert: {
          rule: string;
          count: number;
          threshold: number;
          principals: string[];
          eventNames: string[];
          errorCodes: string[];
        };
      };
      assert.equal(body.alert.rule, 'denied-access');
      assert.equal(body.alert.threshold, 0);
      assert.ok(body.alert.count > body.alert.threshold && body.alert.count >= 1, `count ${body.alert.count}`);
      assert.match(body.text, new RegExp(`denied-access: ${body.alert.count} events? in 5 minutes`));
      assert.ok(body.alert.principals.includes(userArn('alert-eve')), JSON.stringify(body.alert.principals));
      assert.deepEqual(body.alert.eventNames, ['PutParameter']);
      assert.deepEqual(body.alert.errorCodes, ['AccessDeniedException']);
      assert.ok(!posts[0]!.includes(value), 'no value in the alert');
      assert.ok(!server.output().includes(value), "no value in the server's output");
      assert.match(server.output(), /"event":"alert","rule":"denied-access"/);
    },
  );
});

// ---------------------------------------------------------------------------------------------
// Fail closed, and the key cases on PostgreSQL

/** Makes every insert into `table` fail, behind the server's back (the trail's audit_events, or the store's
 * audit_outbox). */
async function refuseInserts(location: TestLocation, table: 'audit_events' | 'audit_outbox'): Promise<void> {
  const sql = table === 'audit_events' ? rawAuditSql : rawSql;
  if (location.backend === 'sqlite') {
    await sql(
      location,
      `CREATE TRIGGER ${table}_fail BEFORE INSERT ON ${table} BEGIN SELECT RAISE(ABORT, 'audit full'); END;`,
    );
  } else {
    await sql(
      location,
      `CREATE OR REPLACE FUNCTION audit_fail() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'audit full'; END $$ ` +
        `LANGUAGE plpgsql;`,
    );
    await sql(
      location,
      `CREATE TRIGGER ${table}_fail BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION audit_fail();`,
    );
  }
}

async function acceptInserts(location: TestLocation, table: 'audit_events' | 'audit_outbox'): Promise<void> {
  const sql = table === 'audit_events' ? rawAuditSql : rawSql;
  if (location.backend === 'sqlite') await sql(location, `DROP TRIGGER ${table}_fail;`);
  else await sql(location, `DROP TRIGGER ${table}_fail ON ${table};`);
}

/** `coffer audit verify` of a running server's store, from another process's view of it (the CLI's). */
async function verifyTrail(server: RunningServer): Promise<VerifyReport> {
  const coffer = await openCoffer(server.location.settings(), {});
  try {
    return await coffer.audit.verify();
  } finally {
    await coffer.close();
  }
}

/** The status of a GetParameter of `name` (200, or the error's). */
async function getStatus(root: ServiceClients, name: string): Promise<number> {
  try {
    await root.ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    return 200;
  } catch (error) {
    return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0;
  }
}

/**
 * A write whose event cannot go in the outbox fails with 500 and changes nothing. A write whose
 * event is in the outbox but cannot join the chain has landed (its event is durable with it);
 * from then on, and as soon as a read's event cannot be chained, the trail refuses every
 * request with 500 and changes nothing, until it can chain events again; then the kept event
 * is chained, once, and nothing of the refused requests is.
 */
async function failClosed(
  server: RunningServer,
  root: ServiceClients,
  sm: SecretsManagerClient,
  ct: CloudTrailClient,
): Promise<void> {
  await root.ssm.send(
    new PutParameterCommand({ Name: '/fail/existing', Value: 'fail-existing-value', Type: 'SecureString' }),
  );
  // The outbox refuses: the write and its event fail together.
  await refuseInserts(server.location, 'audit_outbox');
  try {
    const put = await rejection(
      root.ssm.send(
        new PutParameterCommand({ Name: '/fail/unsaved', Value: 'fail-unsaved-value', Type: 'SecureString' }),
      ),
    );
    assert.equal(put.name, 'InternalServerError', put.message);
    assert.equal(put.$metadata.httpStatusCode, 500);
    const secret = await rejection(
      sm.send(new CreateSecretCommand({ Name: 'fail/unsaved', SecretString: 'fail-unsaved-secret' })),
    );
    assert.equal(secret.name, 'InternalServiceError', secret.message);
  } finally {
    await acceptInserts(server.location, 'audit_outbox');
  }
  // The ledger catches up first (the refused writes' own events chained), then the server idles a
  // moment so the lookups' read events are chained too: an event still queued when the chain starts
  // refusing would close the trail before the next write, which this case expects to be accepted.
  await until('the refused writes chained', async () =>
    (await byAttribute(ct, 'EventName', 'CreateSecret')).some((e) => e.CloudTrailEvent?.includes('fail/unsaved'))
      ? true
      : undefined,
  );
  await new Promise((resolve) => setTimeout(resolve, 2000));
  // The chain refuses: the first write keeps its event in the outbox; then everything is refused.
  await refuseInserts(server.location, 'audit_events');
  try {
    await root.ssm.send(
      new PutParameterCommand({ Name: '/fail/kept', Value: 'fail-kept-value', Type: 'SecureString' }),
    );
    await until(
      'the trail refusing requests',
      async () => ((await getStatus(root, '/fail/existing')) === 500 ? true : undefined),
      10,
    );
    const put = await rejection(
      root.ssm.send(new PutParameterCommand({ Name: '/fail/new', Value: 'fail-new-value', Type: 'SecureString' })),
    );
    assert.equal(put.name, 'InternalServerError', put.message);
    assert.equal(put.$metadata.httpStatusCode, 500);
    const get = await rejection(
      root.ssm.send(new GetParameterCommand({ Name: '/fail/existing', WithDecryption: true })),
    );
    assert.equal(get.name, 'InternalServerError', get.message);
    const del = await rejection(root.ssm.send(new DeleteParameterCommand({ Name: '/fail/existing' })));
    assert.equal(del.name, 'InternalServerError', del.message);
    const secret = await rejection(
      sm.send(new CreateSecretCommand({ Name: 'fail/secret', SecretString: 'fail-secret-value' })),
    );
    assert.equal(secret.name, 'InternalServiceError', secret.message);
    assert.equal(secret.$metadata.httpStatusCode, 500);
    const lookup = await rejection(ct.send(new LookupEventsCommand({})));
    assert.equal(lookup.$metadata.httpStatusCode, 500, lookup.name);
  } finally {
    await acceptInserts(server.location, 'audit_events');
  }
  await until(
    'the trail taking requests again',
    async () => ((await getStatus(root, '/fail/existing')) === 200 ? true : undefined),
    10,
  );
  assert.equal(
    (await rejection(root.ssm.send(new GetParameterCommand({ Name: '/fail/new' })))).name,
    'ParameterNotFound',
  );
  assert.equal(
    (await rejection(root.ssm.send(new GetParameterCommand({ Name: '/fail/unsaved' })))).name,
    'ParameterNotFound',
  );
  assert.equal(
    (await root.ssm.send(new GetParameterCommand({ Name: '/fail/existing', WithDecryption: true }))).Parameter!.Value,
    'fail-existing-value',
  );
  assert.equal(
    (await root.ssm.send(new GetParameterCommand({ Name: '/fail/kept', WithDecryption: true }))).Parameter!.Value,
    'fail-kept-value',
  );
  for (const secret of ['fail/secret', 'fail/unsaved'])
    assert.equal(
      (await rejection(sm.send(new GetSecretValueCommand({ SecretId: secret })))).name,
      'ResourceNotFoundException',
    );
  assert.deepEqual(
    (await byAttribute(ct, 'ResourceName', '/fail/kept')).map((e) => e.EventName).sort(),
    ['GetParameter', 'PutParameter'],
    'the kept write chained once, with the read after the repair',
  );
  assert.deepEqual(
    (await byAttribute(ct, 'ResourceName', '/fail/new')).map((e) => e.EventName),
    ['GetParameter'],
    'only the ParameterNotFound read after the repair',
  );
  // The writes the outbox refused failed, and their failures are recorded as such.
  assert.deepEqual(
    (await byAttribute(ct, 'ResourceName', '/fail/unsaved'))
      .map((e) => [e.EventName, recordOf(e).errorCode ?? null])
      .sort(),
    [
      ['CreateSecret', 'InternalServiceError'],
      ['GetParameter', 'ParameterNotFound'],
      ['PutParameter', 'InternalServerError'],
    ],
  );
  // The faults are logged by their code only (SQLite's trigger abort, PostgreSQL's RAISE).
  assert.match(
    server.output(),
    /"event":"internal_fault"[^\n]*"code":"(SQLITE_CONSTRAINT_TRIGGER|P0001)"[^\n]*"component":"storage"/,
  );
  assert.match(server.output(), /"event":"internal_fault"[^\n]*"code":"AUDIT_UNAVAILABLE"/);
  for (const value of [
    'fail-new-value',
    'fail-existing-value',
    'fail-kept-value',
    'fail-unsaved-value',
    'fail-unsaved-secret',
    'fail-secret-value',
  ]) {
    assert.ok(!server.output().includes(value), value);
  }
  assert.equal((await verifyTrail(server)).ok, true);
}

describe(
  'audit fail-closed (SQLite): a request whose event cannot be written fails with 500 and changes ' + 'nothing',
  () => {
    let server: RunningServer;
    let root: ServiceClients;
    let sm: SecretsManagerClient;
    let ct: CloudTrailClient;
    before(async () => {
      server = await startServer();
      root = clientsFor(server);
      sm = new SecretsManagerClient({ endpoint: server.endpoint, region: REGION, credentials: ROOT, maxAttempts: 1 });
      ct = cloudTrail(server);
    });
    after(async () => {
      root?.destroy();
      sm?.destroy();
      ct?.destroy();
      await server?.stop();
    });

    it(
      '7. fails a write whose event the outbox refuses, and every request while the chain refuses events, with ' +
        'InternalServerError, changing nothing',
      () => failClosed(server, root, sm, ct),
    );
  },
);

describe('audit trail on PostgreSQL: the key cases', { skip: POSTGRES_SKIP }, () => {
  const backend: BackendName = 'postgres';
  let server: RunningServer;
  let root: ServiceClients;
  let sm: SecretsManagerClient;
  let ct: CloudTrailClient;
  let user: Credentials;
  before(async () => {
    server = await startServer({ backend });
    root = clientsFor(server);
    sm = new SecretsManagerClient({ endpoint: server.endpoint, region: REGION, credentials: ROOT, maxAttempts: 1 });
    ct = cloudTrail(server);
    user = await userWithKey(root.iam, 'pg-user', {
      params: ssmPolicy(['ssm:PutParameter'], 'arn:aws:ssm:*:*:parameter/pg/*'),
    });
  });
  after(async () => {
    root?.destroy();
    sm?.destroy();
    ct?.destroy();
    await server?.stop();
  });

  it('1-2. records a success and a denial field by field (boto3)', async () => {
    const [put, get, denied] = boto3(server, [
      {
        service: 'ssm',
        method: 'put_parameter',
        params: { Name: '/pg/secure', Value: 'zq-pg-secure-value-77b1', Type: 'SecureString' },
        credentials: user,
      },
      { service: 'ssm', method: 'get_parameter', params: { Name: '/pg/secure', WithDecryption: true } },
      { service: 'ssm', method: 'get_parameter', params: { Name: '/pg/secure' }, credentials: user },
    ]);
    assert.equal(put!.error, undefined, put!.message);
    assert.equal(denied!.error, 'AccessDeniedException');
    const putEvent = await eventOf(ct, 'PutParameter', put!.requestId);
    assertApiCall(putEvent.record, {
      eventSource: 'ssm.amazonaws.com',
      eventName: 'PutParameter',
      readOnly: false,
      requestId: put!.requestId!,
    });
    assert.equal(putEvent.record.userIdentity.type, 'IAMUser');
    assert.equal(putEvent.record.userIdentity.userName, 'pg-user');
    assert.equal(putEvent.record.userIdentity.accessKeyId, user.accessKeyId);
    assert.match(putEvent.record.userIdentity.principalId!, /^AIDA/);
    assert.deepEqual(putEvent.record.requestParameters, { name: '/pg/secure', value: HIDDEN, type: 'SecureString' });
    assertHasResource(putEvent.record, parameterArn('/pg/secure'), 'AWS::SSM::Parameter');
    const getEvent = await eventOf(ct, 'GetParameter', get!.requestId);
    assert.equal(getEvent.record.userIdentity.type, 'Root');
    assert.equal(getEvent.event.ReadOnly, 'true');
    const deniedEvent = await eventOf(ct, 'GetParameter', denied!.requestId);
    assert.equal(deniedEvent.record.errorCode, 'AccessDeniedException');
    assert.equal(deniedEvent.record.errorMessage, denied!.message);
    assert.equal(deniedEvent.record.userIdentity.arn, userArn('pg-user'));
    const rows = await queryPostgres<{ record: string }>(server.location.schema!, 'SELECT record FROM audit_events');
    assert.ok(rows.length > 0 && rows.every((r) => !r.record.includes('zq-pg-secure-value-77b1')));
  });

  it('3. records a wrong signature as Unknown with the claimed key', async () => {
    const forged = await signedRequest(
      server.endpoint,
      { accessKeyId: user.accessKeyId, secretAccessKey: 'wrong-secret-0123456789abcdefghijklmnop' },
      { service: 'ssm', target: 'AmazonSSM.GetParameter', body: JSON.stringify({ Name: '/pg/secure' }) },
    );
    const code = (JSON.parse(forged.body) as { __type: string }).__type;
    const event = (await byAttribute(ct, 'AccessKeyId', user.accessKeyId)).find(
      (e) => recordOf(e).requestID === forged.headers['x-amzn-requestid'],
    );
    assert.ok(event);
    assert.deepEqual(recordOf(event).userIdentity, { type: 'Unknown', accessKeyId: user.accessKeyId });
    assert.equal(recordOf(event).errorCode, code);
  });

  it('6. LookupEvents filters and pages alike on PostgreSQL', async () => {
    for (let i = 0; i < 7; i++)
      await root.ssm.send(new PutParameterCommand({ Name: `/pg/page/p${i}`, Value: 'v', Type: 'String' }));
    const end = new Date(Math.floor(Date.now() / 1000) * 1000 + 1000);
    await sleep(end.getTime() + 20 - Date.now());
    const whole = await lookupAll(ct, { EndTime: end });
    const paged = await lookupAll(ct, { EndTime: end, MaxResults: 3 });
    assert.ok(whole.events.length >= 12);
    assert.deepEqual(ids(paged.events), ids(whole.events));
    assert.equal(new Set(ids(whole.events)).size, whole.events.length);
    const withSlash = await byAttribute(ct, 'ResourceName', '/pg/page/p3');
    assert.deepEqual(ids(await byAttribute(ct, 'ResourceName', 'pg/page/p3')), ids(withSlash));
    assert.equal(withSlash.length, 1);
    assert.ok((await byAttribute(ct, 'Username', 'pg-user')).every((e) => e.Username === 'pg-user'));
    assert.ok((await byAttribute(ct, 'ReadOnly', 'true')).every((e) => e.ReadOnly === 'true'));
    assert.ok((await byAttribute(ct, 'ResourceType', 'AWS::SSM::Parameter')).length >= 8);
    assert.equal(
      (await byAttribute(ct, 'EventSource', 'iam.amazonaws.com')).filter((e) => e.EventName === 'CreateUser').length,
      1,
    );
    assert.equal(
      (
        await rejection(
          ct.send(
            new LookupEventsCommand({
              LookupAttributes: [
                { AttributeKey: 'EventName', AttributeValue: 'A' },
                { AttributeKey: 'EventName', AttributeValue: 'B' },
              ],
            }),
          ),
        )
      ).name,
      'InvalidLookupAttributesException',
    );
    assert.equal(
      (await rejection(ct.send(new LookupEventsCommand({ StartTime: new Date(2e12), EndTime: new Date(1e12) })))).name,
      'InvalidTimeRangeException',
    );
  });

  it('7. fails closed on PostgreSQL too', () => failClosed(server, root, sm, ct));
});
