/** AlertMonitor: fixed windows, one alert per window, thresholds, groups, filters, and the webhook body. */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { AlertMonitor, alertMonitorFromEnv, type AlertWebhookBody } from '../../../src/engine/audit/alert-monitor.js';
import { DEFAULT_ALERT_RULES, type AlertRule } from '../../../src/engine/audit/alert-rules.js';
import {
  CLOUDTRAIL_EVENT_VERSION,
  HIDDEN,
  type AuditEvent,
  type CloudTrailRecord,
  type UserIdentity,
} from '../../../src/engine/audit/audit-record.js';

const T0 = Date.UTC(2026, 11, 2, 18, 0, 0);
const ACCOUNT = '123456789012';
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
const BOB = `arn:aws:iam::${ACCOUNT}:user/bob`;
const HOOK = 'https://hooks.example.test/services/T000/B000/XXXX';
const SECRET_VALUE = 's3cr3t-value-never-in-an-alert';

interface Spec {
  eventName?: string;
  eventSource?: string;
  errorCode?: string;
  arn?: string;
  names?: string[];
  readOnly?: boolean;
}

let sequence = 0;

/** A CloudTrail record as the audit engine builds one, with a value in its request parameters. */
function event(spec: Spec = {}, time = T0): AuditEvent {
  const eventName = spec.eventName ?? 'GetParameter';
  const names = spec.names ?? ['/prod/db/password'];
  const identity: UserIdentity =
    spec.arn === undefined
      ? { type: 'Unknown', accessKeyId: 'AKIAUNKNOWN0000000000' }
      : {
          type: 'IAMUser',
          principalId: 'AIDA000000000000EXAMPLE',
          arn: spec.arn,
          accountId: ACCOUNT,
          accessKeyId: 'AKIA00000000EXAMPLE',
          userName: spec.arn.split('/').pop()!,
        };
  sequence++;
  const record: CloudTrailRecord = {
    eventVersion: CLOUDTRAIL_EVENT_VERSION,
    userIdentity: identity,
    eventTime: new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: spec.eventSource ?? 'ssm.amazonaws.com',
    eventName,
    awsRegion: 'us-east-1',
    sourceIPAddress: '127.0.0.1',
    userAgent: 'aws-sdk-js/3',
    ...(spec.errorCode !== undefined ? { errorCode: spec.errorCode, errorMessage: `failed: ${spec.errorCode}` } : {}),
    requestParameters: { name: names[0], withDecryption: true, value: SECRET_VALUE },
    responseElements:
      spec.errorCode === undefined ? { parameter: { name: names[0], value: HIDDEN, secret: SECRET_VALUE } } : null,
    requestID: `req-${sequence}`,
    eventID: `evt-${sequence}`,
    readOnly: spec.readOnly ?? eventName.startsWith('Get'),
    resources: names.map((name) => ({
      ARN: `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter${name}`,
      accountId: ACCOUNT,
      type: 'AWS::SSM::Parameter',
    })),
    eventType: 'AwsApiCall',
    managementEvent: false,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Data',
  };
  return { record, time, resourceNames: names.map((name) => ({ type: 'AWS::SSM::Parameter', name })) };
}

/** A monitor on a movable clock whose posts are captured. */
function harness(rules: readonly AlertRule[], options: { status?: number; maxGroups?: number } = {}) {
  let now = T0;
  const posts: { url: string; body: AlertWebhookBody }[] = [];
  const lines: string[] = [];
  const monitor = new AlertMonitor({
    rules,
    webhook: HOOK,
    log: (line) => lines.push(line),
    now: () => now,
    post: async (url, body) => {
      posts.push({ url, body });
      return options.status ?? 200;
    },
    ...(options.maxGroups !== undefined ? { maxGroups: options.maxGroups } : {}),
  });
  return {
    monitor,
    posts,
    lines,
    advance: (ms: number) => {
      now += ms;
    },
    feed: (n: number, spec: Spec = {}) => {
      for (let i = 0; i < n; i++) monitor.observe(event(spec, now));
    },
  };
}

const rule = (overrides: Partial<AlertRule> & Pick<AlertRule, 'filter'>): AlertRule => ({
  name: 'test-rule',
  threshold: 0,
  windowSeconds: 300,
  ...overrides,
});
const defaultRule = (name: string) => DEFAULT_ALERT_RULES.find((r) => r.name === name)!;

describe('alert monitor', () => {
  it('fires exactly once for a burst of 50 denials', async () => {
    const h = harness([defaultRule('denied-access')]);
    for (let i = 0; i < 50; i++) {
      h.feed(1, { errorCode: i % 2 ? 'AccessDenied' : 'AccessDeniedException', arn: i % 3 ? ALICE : BOB });
      h.advance(1000);
    }
    await h.monitor.flush();
    assert.equal(h.posts.length, 1);
    const { url, body } = h.posts[0]!;
    assert.equal(url, HOOK);
    assert.equal(body.alert.rule, 'denied-access');
    assert.equal(body.alert.count, 1);
    assert.equal(body.alert.threshold, 0);
    assert.equal(body.alert.windowStart, new Date(T0).toISOString());
    assert.equal(body.alert.windowEnd, new Date(T0 + 300_000).toISOString());
    assert.deepEqual(body.alert.principals, [BOB]);
    assert.deepEqual(body.alert.errorCodes, ['AccessDeniedException']);
    assert.match(body.text, /^:rotating_light: Coffer alert denied-access: 1 event in 5 minutes/);
    assert.equal(h.lines.filter((l) => JSON.parse(l).event === 'alert').length, 1);
  });

  it('fires again in a new window once the last one has ended', async () => {
    const h = harness([defaultRule('denied-access')]);
    h.feed(10, { errorCode: 'AccessDenied', arn: ALICE });
    h.advance(299_999);
    h.feed(10, { errorCode: 'AccessDenied', arn: ALICE });
    await h.monitor.flush();
    assert.equal(h.posts.length, 1, 'still the first window');
    h.advance(1);
    h.feed(10, { errorCode: 'AccessDenied', arn: ALICE });
    await h.monitor.flush();
    assert.equal(h.posts.length, 2);
    assert.equal(h.posts[1]!.body.alert.windowStart, new Date(T0 + 300_000).toISOString());
  });

  it('fires when the count exceeds the threshold, not when it reaches it', async () => {
    const h = harness([rule({ filter: { eventName: 'GetParameter' }, threshold: 3, windowSeconds: 60 })]);
    h.feed(3);
    await h.monitor.flush();
    assert.equal(h.posts.length, 0);
    h.feed(1);
    await h.monitor.flush();
    assert.equal(h.posts.length, 1);
    assert.equal(h.posts[0]!.body.alert.count, 4);
    assert.match(h.posts[0]!.body.text, /4 events in 1 minute \(threshold 3\)/);
    // Three events, then the window ends: the count starts again from zero.
    const late = harness([rule({ filter: {}, threshold: 3, windowSeconds: 60 })]);
    late.feed(3);
    late.advance(60_000);
    late.feed(3);
    await late.monitor.flush();
    assert.equal(late.posts.length, 0);
  });

  it('counts per resource name with groupBy resource (the read-burst default)', async () => {
    const h = harness([defaultRule('read-burst')]);
    h.feed(1000, { names: ['/prod/db/password'], arn: ALICE });
    h.feed(1000, {
      eventName: 'GetSecretValue',
      eventSource: 'secretsmanager.amazonaws.com',
      names: ['prod/api-key'],
      arn: BOB,
    });
    h.feed(600, { eventName: 'GetParameters', names: ['/prod/a', '/prod/b'], arn: ALICE });
    h.feed(400, { eventName: 'PutParameter', names: ['/prod/db/password'], arn: ALICE });
    await h.monitor.flush();
    assert.equal(h.posts.length, 0, '1,000 reads of each name is not more than 1,000');
    h.feed(1, { eventName: 'GetParameterHistory', names: ['/prod/db/password'], arn: BOB });
    h.feed(1, { eventName: 'GetParametersByPath', names: ['/prod/db/password'], arn: BOB });
    await h.monitor.flush();
    assert.equal(h.posts.length, 1);
    const alert = h.posts[0]!.body.alert;
    assert.equal(alert.group, '/prod/db/password');
    assert.equal(alert.count, 1001);
    assert.equal(alert.windowSeconds, 3600);
    assert.deepEqual(alert.principals, [ALICE, BOB]);
    assert.deepEqual(alert.eventNames, ['GetParameter', 'GetParameterHistory']);
    assert.match(h.posts[0]!.body.text, /1001 events in 1 hour for \/prod\/db\/password/);
  });

  it('counts per principal with groupBy principal', async () => {
    const h = harness([rule({ filter: { readOnly: false }, groupBy: 'principal', threshold: 2 })]);
    h.feed(3, { eventName: 'PutParameter', arn: ALICE });
    h.feed(2, { eventName: 'PutParameter', arn: BOB });
    h.feed(5, { eventName: 'GetParameter', arn: BOB });
    await h.monitor.flush();
    assert.deepEqual(
      h.posts.map((p) => p.body.alert.group),
      [ALICE],
    );
  });

  it('alerts on failed retrievals (errorCode "*") and rotation failures, as the defaults say', async () => {
    const h = harness(DEFAULT_ALERT_RULES);
    h.feed(5, { errorCode: 'ParameterNotFound', arn: ALICE });
    h.feed(3, { eventName: 'PutParameter', errorCode: 'ValidationException', arn: ALICE });
    h.feed(10, { arn: ALICE });
    await h.monitor.flush();
    assert.equal(h.posts.length, 0);
    h.feed(1, {
      eventName: 'GetSecretValue',
      eventSource: 'secretsmanager.amazonaws.com',
      errorCode: 'ResourceNotFoundException',
      arn: BOB,
    });
    const rotation = event({
      eventName: 'RotationFailed',
      eventSource: 'secretsmanager.amazonaws.com',
      names: ['prod/db'],
    });
    h.monitor.observe({
      ...rotation,
      record: {
        ...rotation.record,
        eventType: 'AwsServiceEvent',
        userIdentity: { type: 'AWSService', invokedBy: 'secretsmanager.amazonaws.com' },
        requestParameters: null,
        responseElements: null,
      },
    });
    await h.monitor.flush();
    assert.deepEqual(
      h.posts.map((p) => p.body.alert.rule),
      ['failed-retrievals', 'rotation-failure'],
    );
    assert.deepEqual(h.posts[0]!.body.alert.errorCodes, ['ParameterNotFound', 'ResourceNotFoundException']);
    assert.equal(h.posts[0]!.body.alert.count, 6);
    assert.deepEqual(h.posts[1]!.body.alert.principals, [], 'a service event has no caller ARN');
  });

  it('filters by principal wildcard, resource prefix, source, and error code', async () => {
    const h = harness([
      rule({ name: 'users-a', filter: { principal: `arn:aws:iam::${ACCOUNT}:user/a*` } }),
      rule({ name: 'prod-names', filter: { resourcePrefix: '/prod/' } }),
      rule({
        name: 'kms-throttle',
        filter: { eventSource: ['kms.amazonaws.com'], errorCode: ['ThrottlingException', 'LimitExceededException'] },
      }),
      rule({ name: 'not-denied-writes', filter: { denied: false, readOnly: false } }),
    ]);
    h.feed(1, { arn: BOB, names: ['/dev/x'] });
    h.feed(1, {
      eventSource: 'kms.amazonaws.com',
      eventName: 'Decrypt',
      errorCode: 'AccessDeniedException',
      arn: BOB,
      names: [],
      readOnly: true,
    });
    h.feed(1, { eventName: 'PutParameter', errorCode: 'AccessDenied', arn: BOB, names: ['/dev/y'] });
    await h.monitor.flush();
    assert.equal(h.posts.length, 0);
    h.feed(1, { arn: `arn:aws:iam::${ACCOUNT}:user/anna`, names: ['/dev/x'] });
    h.feed(1, { arn: BOB, names: ['/dev/x', '/prod/y'] });
    h.feed(1, {
      eventSource: 'kms.amazonaws.com',
      eventName: 'Decrypt',
      errorCode: 'ThrottlingException',
      arn: BOB,
      names: [],
      readOnly: true,
    });
    h.feed(1, { eventName: 'DeleteParameter', arn: BOB, names: ['/dev/z'] });
    await h.monitor.flush();
    assert.deepEqual(
      h.posts.map((p) => p.body.alert.rule),
      ['users-a', 'prod-names', 'kms-throttle', 'not-denied-writes'],
    );
  });

  it('counts only the names under the prefix when grouping by resource', async () => {
    const h = harness([rule({ filter: { resourcePrefix: '/prod/' }, groupBy: 'resource', threshold: 1 })]);
    h.feed(2, { eventName: 'GetParameters', names: ['/prod/a', '/dev/a'] });
    await h.monitor.flush();
    assert.deepEqual(
      h.posts.map((p) => p.body.alert.group),
      ['/prod/a'],
    );
  });

  it('keeps at most maxGroups windows per rule, evicting the oldest', async () => {
    const h = harness([rule({ filter: {}, groupBy: 'resource', threshold: 1 })], { maxGroups: 2 });
    h.feed(1, { names: ['/a'] });
    h.feed(1, { names: ['/b'] });
    h.feed(1, { names: ['/c'] }); // evicts /a
    h.feed(1, { names: ['/a'] }); // a new window for /a (evicts /b): count 1
    await h.monitor.flush();
    assert.equal(h.posts.length, 0);
    h.feed(1, { names: ['/c'] });
    h.feed(1, { names: ['/a'] });
    await h.monitor.flush();
    assert.deepEqual(
      h.posts.map((p) => p.body.alert.group),
      ['/c', '/a'],
    );
  });

  it('logs a failing webhook by status or error name and never throws', async () => {
    const h = harness([rule({ filter: {} })], { status: 503 });
    h.feed(1);
    await h.monitor.flush();
    assert.deepEqual(JSON.parse(h.lines.at(-1)!), {
      time: new Date(T0).toISOString(),
      event: 'alert-webhook',
      rule: 'test-rule',
      status: 503,
    });
    const lines: string[] = [];
    const failing = new AlertMonitor({
      rules: [rule({ filter: {} })],
      webhook: HOOK,
      log: (line) => lines.push(line),
      now: () => T0,
      post: async () => {
        throw Object.assign(new Error(`could not reach ${HOOK}`), { name: 'TimeoutError' });
      },
    });
    failing.observe(event());
    await failing.flush();
    assert.equal(JSON.parse(lines.at(-1)!).error, 'TimeoutError');
    assert.ok(!lines.join('\n').includes('hooks.example'), 'the webhook URL is never logged');
    const throwing = new AlertMonitor({
      rules: [rule({ filter: {} })],
      webhook: HOOK,
      log: () => {
        throw new Error('log down');
      },
      now: () => {
        throw new Error('clock');
      },
    });
    assert.doesNotThrow(() => throwing.observe(event()));
  });

  it('refuses a rule with no webhook at all', () => {
    assert.throws(
      () => new AlertMonitor({ rules: [rule({ filter: {} })], log: () => {} }),
      /alert rule "test-rule" has no webhook/,
    );
  });

  it('posts the Slack-compatible JSON to a real HTTP server, with no value and no request parameters', async () => {
    const received: { method?: string; type?: string; body: string }[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({
          method: req.method,
          type: req.headers['content-type'],
          body: Buffer.concat(chunks).toString('utf8'),
        });
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      const lines: string[] = [];
      const monitor = new AlertMonitor({
        rules: [defaultRule('failed-retrievals')],
        webhook: url,
        log: (line) => lines.push(line),
      });
      for (let i = 0; i < 6; i++)
        monitor.observe(
          event(
            { errorCode: i % 2 ? 'ParameterNotFound' : 'AccessDeniedException', arn: i < 3 ? ALICE : BOB },
            Date.now(),
          ),
        );
      await monitor.flush();
      assert.equal(received.length, 1);
      assert.equal(received[0]!.method, 'POST');
      assert.equal(received[0]!.type, 'application/json');
      const body = JSON.parse(received[0]!.body) as AlertWebhookBody;
      assert.deepEqual(Object.keys(body).sort(), ['alert', 'text']);
      assert.deepEqual(Object.keys(body.alert).sort(), [
        'count',
        'description',
        'errorCodes',
        'eventNames',
        'principals',
        'rule',
        'threshold',
        'windowEnd',
        'windowSeconds',
        'windowStart',
      ]);
      assert.equal(body.alert.rule, 'failed-retrievals');
      assert.equal(body.alert.count, 6);
      assert.deepEqual(body.alert.principals, [ALICE, BOB]);
      assert.deepEqual(body.alert.eventNames, ['GetParameter']);
      assert.deepEqual(body.alert.errorCodes, ['AccessDeniedException', 'ParameterNotFound']);
      assert.match(
        body.text,
        /^:rotating_light: Coffer alert failed-retrievals: 6 events in 5 minutes \(threshold 5\)/,
      );
      for (const forbidden of [
        SECRET_VALUE,
        'requestParameters',
        'responseElements',
        'withDecryption',
        HIDDEN,
        'errorMessage',
        'failed: ',
      ]) {
        assert.ok(!received[0]!.body.includes(forbidden), `the alert must not carry ${forbidden}`);
      }
      assert.equal(lines.filter((l) => JSON.parse(l).event === 'alert-webhook').length, 0, 'a 200 logs no failure');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('is built from the environment: nothing, the defaults, or a file', () => {
    assert.equal(
      alertMonitorFromEnv({}, () => {}),
      undefined,
    );
    assert.equal(
      alertMonitorFromEnv({ COFFER_ALERTS_WEBHOOK: '', COFFER_ALERTS_FILE: '' }, () => {}),
      undefined,
    );
    const defaults = alertMonitorFromEnv({ COFFER_ALERTS_WEBHOOK: HOOK }, () => {})!;
    assert.deepEqual(
      defaults.rules.map((r) => [r.name, r.webhook]),
      DEFAULT_ALERT_RULES.map((r) => [r.name, HOOK]),
    );
    assert.throws(
      () => alertMonitorFromEnv({ COFFER_ALERTS_WEBHOOK: 'ftp://x/' }, () => {}),
      /COFFER_ALERTS_WEBHOOK must be an http\(s\) URL/,
    );
    assert.throws(
      () => alertMonitorFromEnv({ COFFER_ALERTS_FILE: '/nonexistent/alerts.yaml' }, () => {}),
      /\/nonexistent\/alerts.yaml: cannot read the alerts file \(ENOENT\)/,
    );
  });
});
