/**
 * A few thousand malformed requests (random bytes, truncated JSON, wrong types, huge strings,
 * deep nesting, forged headers) against the real server: every answer is a 4xx, the server
 * stays up, and the store is unchanged.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  DescribeParametersCommand,
  GetParametersByPathCommand,
  PutParameterCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { startServer, type RunningServer } from '../helpers/server-process.js';
import { devSignatureHeaders, rawRequest } from '../helpers/raw-request.js';

const ACTIONS = [
  'PutParameter',
  'GetParameter',
  'GetParameters',
  'GetParametersByPath',
  'DescribeParameters',
  'GetParameterHistory',
  'DeleteParameter',
  'DeleteParameters',
  'LabelParameterVersion',
  'UnlabelParameterVersion',
  'AddTagsToResource',
  'RemoveTagsFromResource',
  'ListTagsForResource',
];
const FIELDS = [
  'Name',
  'Names',
  'Value',
  'Type',
  'Path',
  'Recursive',
  'ParameterFilters',
  'Filters',
  'MaxResults',
  'NextToken',
  'Labels',
  'ParameterVersion',
  'Tags',
  'TagKeys',
  'ResourceType',
  'ResourceId',
  'Overwrite',
  'Tier',
  'WithDecryption',
  'AllowedPattern',
  'Policies',
];

/** A deterministic generator, so a failure can be replayed from its seed. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function malformedBody(random: () => number): string | Buffer {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const junkValues: unknown[] = [
    null,
    true,
    42,
    -1,
    1.5,
    2 ** 53,
    '',
    'x'.repeat(20_000),
    '\u0000',
    '/../..',
    '{{ssm:x}}',
    [],
    [1, 'a'],
    {},
    { Key: 5 },
    [{ Key: 'Type', Values: 'String' }],
    [{ Key: 'tag:', Option: 'X'.repeat(200), Values: [''] }],
    '/aws/x',
    'arn:aws:ssm:xx:1:parameter/a',
  ];
  switch (Math.floor(random() * 6)) {
    case 0:
      return randomBytes(Math.floor(random() * 300));
    case 1:
      return JSON.stringify({ Name: '/fuzz/a', Value: 'v', Type: 'String' }).slice(0, Math.floor(random() * 40));
    case 2:
      return `${'['.repeat(5000)}${']'.repeat(5000)}`;
    case 3:
      return JSON.stringify(
        Object.fromEntries(
          Array.from({ length: 1 + Math.floor(random() * 4) }, () => [pick(FIELDS), pick(junkValues)]),
        ),
      );
    case 4:
      return JSON.stringify({
        Name: `/fuzz/${'x/'.repeat(15 + Math.floor(random() * 25))}y`,
        Value: pick(['', 'v', 'x'.repeat(9000)]),
        Type: pick(['String', 'Bogus', 5]),
      });
    default:
      return pick([
        'null',
        '"string"',
        '12',
        'true',
        '{"Name":"\\ud800"}',
        '{"__proto__":{"x":1}}',
        '{"Name":"/a","Name":7}',
      ]);
  }
}

describe('robustness against malformed requests', () => {
  let server: RunningServer;
  let ssm: SSMClient;
  let before_: string;

  async function snapshot(): Promise<string> {
    const meta = await ssm.send(new DescribeParametersCommand({ MaxResults: 50 }));
    const values = await ssm.send(new GetParametersByPathCommand({ Path: '/', Recursive: true, WithDecryption: true }));
    return JSON.stringify([
      meta.Parameters!.map((p) => [p.Name, p.Version, p.LastModifiedDate]),
      values.Parameters!.map((p) => [p.Name, p.Value]),
    ]);
  }

  before(async () => {
    server = await startServer({ dev: true });
    ssm = server.client();
    await ssm.send(new PutParameterCommand({ Name: '/fuzz/a', Value: 'original-a', Type: 'SecureString' }));
    await ssm.send(new PutParameterCommand({ Name: '/fuzz/b', Value: 'original-b', Type: 'String' }));
    before_ = await snapshot();
  });
  after(() => server.stop());

  it('answers 3,000 malformed requests with 4xx, stays up, and changes nothing', async () => {
    const random = generator(20261122);
    const statuses = new Map<number, number>();
    const deadline = Date.now() + 120_000;
    for (let i = 0; i < 3000 && Date.now() < deadline; i++) {
      const headers = devSignatureHeaders(`AmazonSSM.${ACTIONS[Math.floor(random() * ACTIONS.length)]}`);
      if (random() < 0.05) headers.authorization = headers.authorization!.replace('Signature=', 'Signature=zz');
      if (random() < 0.05) headers['x-amz-target'] = randomBytes(8).toString('hex');
      const res = await rawRequest(server.endpoint, { headers, body: malformedBody(random) });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      assert.ok(
        res.status === 200 || (res.status >= 400 && res.status < 500),
        `request ${i} got ${res.status}: ${res.body.slice(0, 200)}`,
      );
      if (res.status !== 200) assert.ok(JSON.parse(res.body).__type, 'every error names its code');
    }
    assert.ok((statuses.get(400) ?? 0) > 2000, `mostly refused: ${JSON.stringify([...statuses])}`);
    assert.equal((await rawRequest(server.endpoint, { method: 'GET', path: '/health' })).status, 200);
    assert.equal(await snapshot(), before_);
    assert.ok(!server.output().includes('original-a'));
    assert.ok(!server.output().includes('internal fault'), 'no request caused an internal fault');
  });

  it('answers 1,000 malformed Query (IAM, STS) requests with XML 4xx errors and creates nothing', async () => {
    const random = generator(20261123);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const forms = [
      () => randomBytes(Math.floor(random() * 200)).toString('latin1'),
      () =>
        `Action=${pick(['CreateUser', 'PutUserPolicy', 'AssumeRole', 'Nope', ''])}&Version=2010-05-08` +
        `&UserName=${pick(['', 'a b', 'x'.repeat(100), '%00', 'ok'])}`,
      () => {
        const documents = [
          '{',
          '[]',
          '{"Statement":[]}',
          'x'.repeat(5000),
          '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*"}}',
        ];
        return `Action=PutUserPolicy&UserName=fuzz&PolicyName=p&PolicyDocument=${encodeURIComponent(pick(documents))}`;
      },
      () => {
        const tag = (i: number) => {
          const member = `${pick([0, 1, 99999, i])}.${pick(['Key', 'Value', '__proto__', 'member'])}`;
          return `Tags.member.${member}=${pick(['', 'v', 'x'.repeat(300)])}`;
        };
        const tags = Array.from({ length: 5 }, (_, i) => tag(i)).join('&');
        return `Action=CreateUser&UserName=fuzz-${Math.floor(random() * 3)}&${tags}`;
      },
      () =>
        `Action=AssumeRole&RoleArn=${pick(['', 'arn:aws:iam::123456789012:role/none', 'junk'])}` +
        `&RoleSessionName=${pick(['', 's', 'ok-session'])}&DurationSeconds=${pick(['-1', 'abc', '99999999'])}`,
      () => `Action=${'A'.repeat(5000)}`,
      () => 'Tags.member.1.Key=a&Tags.member.1.Key.member.1=b&Action=TagUser&UserName=nobody',
    ];
    const statuses = new Map<number, number>();
    for (let i = 0; i < 1000; i++) {
      const service = pick(['iam', 'sts', 'iam', 'bogus']);
      const headers = devSignatureHeaders('', service);
      delete headers['x-amz-target'];
      headers['content-type'] = 'application/x-www-form-urlencoded; charset=utf-8';
      if (random() < 0.05) delete headers.authorization;
      const res = await rawRequest(server.endpoint, { headers, body: pick(forms)() });
      if (res.status >= 500) await new Promise((resolve) => setTimeout(resolve, 300));
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      assert.ok(
        res.status === 200 || (res.status >= 400 && res.status < 500),
        `request ${i} got ${res.status}: ${res.body.slice(0, 200)} ` +
          `${/internal fault.*/.exec(server.output())?.[0] ?? ''}`,
      );
      if (res.status !== 200)
        assert.match(
          res.body,
          new RegExp(
            '<ErrorResponse xmlns="https://(iam|sts)\\.amazonaws\\.com/doc/[0-9-]+/">' +
              '<Error><Type>Sender</Type><Code>\\w+</Code>',
          ),
        );
    }
    assert.ok(
      (statuses.get(400) ?? 0) + (statuses.get(403) ?? 0) + (statuses.get(404) ?? 0) > 800,
      `mostly refused: ${JSON.stringify([...statuses])}`,
    );
    assert.equal(await snapshot(), before_);
    assert.ok(!server.output().includes('internal fault'), 'no request caused an internal fault');
  });
});
