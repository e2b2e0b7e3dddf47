/**
 * The adversarial review's input findings, end to end against the real server: list-valued
 * inputs that slipped past policy conditions (PolicyArn.member.1, ExternalId.member.N),
 * unauthenticated text that reached parsers and the log, signatures over too few headers, a
 * session token with a long-term key, invalid UTF-8, and a few variants of each.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateRoleCommand, ListAttachedUserPoliciesCommand } from '@aws-sdk/client-iam';
import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { clientsFor, userWithKey, type Credentials, type ServiceClients } from '../helpers/identity-clients.js';
import { rawRequest } from '../helpers/raw-request.js';
import { ROOT, startServer, type RunningServer } from '../helpers/server-process.js';
import { form, signedRequest } from '../helpers/signed-request.js';

const ACCOUNT = '123456789012';
const ADMIN_ARN = 'arn:aws:iam::aws:policy/AdministratorAccess';

describe("security: inputs are decoded against AWS's model before anything reads them", () => {
  let server: RunningServer;
  let root: ServiceClients;
  let mallory: Credentials;

  before(async () => {
    server = await startServer();
    root = clientsFor(server);
    // Finding 1's user: may attach policies to himself, but never AdministratorAccess.
    mallory = await userWithKey(root.iam, 'mallory', {
      self: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 'iam:AttachUserPolicy', Resource: `arn:aws:iam::${ACCOUNT}:user/mallory` },
          {
            Effect: 'Deny',
            Action: 'iam:AttachUserPolicy',
            Resource: '*',
            Condition: { ArnLike: { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/AdministratorAccess' } },
          },
          { Effect: 'Allow', Action: ['sts:AssumeRole', 'ssm:GetParameter'], Resource: '*' },
        ],
      },
    });
    await root.iam.send(
      new CreateRoleCommand({
        RoleName: 'partner',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
              Action: 'sts:AssumeRole',
              Condition: { StringEquals: { 'sts:ExternalId': 'guess-0042' } },
            },
          ],
        }),
      }),
    );
    await root.ssm.send(new PutParameterCommand({ Name: '/inputs/p', Value: 'v', Type: 'String' }));
  });
  after(async () => {
    root.destroy();
    await server.stop();
  });

  const iam = (pairs: Record<string, string>, who: Credentials = mallory) =>
    signedRequest(server.endpoint, who, { service: 'iam', body: form({ Version: '2010-05-08', ...pairs }) });

  it('finding 1: PolicyArn sent as a list is refused, and AdministratorAccess stays detached', async () => {
    const answer = await iam({ Action: 'AttachUserPolicy', UserName: 'mallory', 'PolicyArn.member.1': ADMIN_ARN });
    assert.equal(answer.status, 400, answer.body);
    assert.match(answer.body, /<Code>ValidationError<\/Code>/);
    assert.match(answer.body, /policyArn/);
    const variants: Record<string, string>[] = [
      { 'PolicyArn.x': ADMIN_ARN },
      { PolicyArn: ADMIN_ARN, 'PolicyArn.member.1': ADMIN_ARN },
      { 'PolicyArn.member.1.Arn': ADMIN_ARN },
    ];
    for (const variant of variants) {
      const refused = await iam({ Action: 'AttachUserPolicy', UserName: 'mallory', ...variant });
      assert.ok(
        refused.status === 400 || refused.status === 403,
        `${JSON.stringify(variant)}: ${refused.status} ${refused.body}`,
      );
    }
    // The plain form is decided by the Deny, as before.
    assert.equal((await iam({ Action: 'AttachUserPolicy', UserName: 'mallory', PolicyArn: ADMIN_ARN })).status, 403);
    const attached = await root.iam.send(new ListAttachedUserPoliciesCommand({ UserName: 'mallory' }));
    assert.deepEqual(attached.AttachedPolicies, []);
  });

  it('finding 1 (STS): ExternalId sent as a list of guesses is refused without credentials', async () => {
    const guesses = Object.fromEntries(
      Array.from({ length: 100 }, (_, i) => [`ExternalId.member.${i + 1}`, `guess-${String(i).padStart(4, '0')}`]),
    );
    const answer = await signedRequest(server.endpoint, mallory, {
      service: 'sts',
      body: form({
        Action: 'AssumeRole',
        Version: '2011-06-15',
        RoleArn: `arn:aws:iam::${ACCOUNT}:role/partner`,
        RoleSessionName: 'session-1',
        ...guesses,
      }),
    });
    assert.equal(answer.status, 400, answer.body);
    assert.doesNotMatch(answer.body, /SecretAccessKey|SessionToken/);
    // The right guess, sent as the string it is, works; a wrong one is denied.
    const right = await signedRequest(server.endpoint, mallory, {
      service: 'sts',
      body: form({
        Action: 'AssumeRole',
        Version: '2011-06-15',
        RoleArn: `arn:aws:iam::${ACCOUNT}:role/partner`,
        RoleSessionName: 'session-1',
        ExternalId: 'guess-0042',
      }),
    });
    assert.equal(right.status, 200, right.body);
    const wrong = await signedRequest(server.endpoint, mallory, {
      service: 'sts',
      body: form({
        Action: 'AssumeRole',
        Version: '2011-06-15',
        RoleArn: `arn:aws:iam::${ACCOUNT}:role/partner`,
        RoleSessionName: 'session-1',
        ExternalId: 'guess-0043',
      }),
    });
    assert.equal(wrong.status, 403);
  });

  it('JSON: a string member sent as a list or structure is a SerializationException, never coerced', async () => {
    for (const Name of [['/inputs/p'], { a: '/inputs/p' }, 5, true]) {
      const answer = await signedRequest(server.endpoint, ROOT, {
        service: 'ssm',
        target: 'AmazonSSM.GetParameter',
        body: JSON.stringify({ Name }),
      });
      assert.equal(answer.status, 400);
      assert.equal(JSON.parse(answer.body).__type, 'SerializationException', answer.body);
    }
  });

  it("AWS's constraint wording comes from the model and never echoes a sensitive member", async () => {
    const long = await signedRequest(server.endpoint, ROOT, {
      service: 'ssm',
      target: 'AmazonSSM.GetParameter',
      body: JSON.stringify({ Name: 'x'.repeat(2049) }),
    });
    assert.equal(JSON.parse(long.body).__type, 'ValidationException');
    assert.match(
      JSON.parse(long.body).message,
      new RegExp(
        `^1 validation error detected: Value 'x+' at 'name' failed to satisfy constraint: Member must have ` +
          `length less than or equal to 2048$`,
      ),
    );
    const missing = await signedRequest(server.endpoint, ROOT, {
      service: 'ssm',
      target: 'AmazonSSM.PutParameter',
      body: JSON.stringify({ Name: 'n'.repeat(2049), Value: 'v', Type: 'Bogus' }),
    });
    const message = JSON.parse(missing.body).message as string;
    assert.match(message, /^2 validation errors detected: /);
    assert.match(
      message,
      new RegExp(
        `Value 'Bogus' at 'type' failed to satisfy constraint: ` +
          String.raw`Member must satisfy enum value set: \[String, StringList, SecureString\]`,
      ),
    );
    const secret = await signedRequest(server.endpoint, ROOT, {
      service: 'secretsmanager',
      target: 'secretsmanager.CreateSecret',
      body: JSON.stringify({ Name: 'n', SecretString: 'SUPERSECRET'.repeat(6000) }),
    });
    assert.equal(JSON.parse(secret.body).__type, 'ValidationException');
    assert.doesNotMatch(secret.body, /SUPERSECRET/);
    assert.match(secret.body, /Value at 'secretString'/);
  });

  it('finding 8: unauthenticated text never reaches a parser or the log; malformed input is a 4xx', async () => {
    const marker = 'FORGED-LOG-LINE';
    const headers = { 'content-type': 'application/x-www-form-urlencoded' };
    const cases: { path?: string; body: string; headers?: Record<string, string> }[] = [
      {
        body: form({
          Action: 'CreateUser',
          'Tags.member.1': `x\n{"level":"error","note":"${marker}"}`,
          'Tags.member.1.Key': 'k',
        }),
      },
      { body: `Action=ListUsers&${'a.'.repeat(20_000)}b=${marker}` },
      { path: `/?a=%ZZ${marker}`, body: 'Action=ListUsers' },
      { body: `Action=${marker}%FF%FE` },
      { body: '{}', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AmazonSSM.${marker}` } },
    ];
    for (const c of cases) {
      const answer = await rawRequest(server.endpoint, { path: c.path, headers: c.headers ?? headers, body: c.body });
      assert.ok(answer.status >= 400 && answer.status < 500, `${answer.status} ${answer.body}`);
    }
    // Signed, the same bodies are refused by their shape, never with a 500.
    for (const c of cases.slice(0, 4)) {
      const answer = await signedRequest(server.endpoint, ROOT, { service: 'iam', path: c.path, body: c.body });
      assert.ok(answer.status >= 400 && answer.status < 500, `${answer.status} ${answer.body}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.doesNotMatch(server.output(), new RegExp(marker));
    assert.doesNotMatch(server.output(), /internal_fault/);
  });

  it('finding 11: a signature must cover x-amz-target and content-type; a swapped target is refused', async () => {
    const answer = await signedRequest(server.endpoint, ROOT, {
      service: 'ssm',
      target: 'AmazonSSM.GetParameter',
      body: JSON.stringify({ Name: '/inputs/p' }),
      unsigned: ['x-amz-target'],
    });
    assert.equal(answer.status, 400);
    assert.match(answer.body, /'x-amz-target' must be a 'SignedHeader'/);
    const noType = await signedRequest(server.endpoint, ROOT, {
      service: 'ssm',
      target: 'AmazonSSM.GetParameter',
      body: JSON.stringify({ Name: '/inputs/p' }),
      unsigned: ['content-type'],
    });
    assert.match(noType.body, /'content-type' must be a 'SignedHeader'/);
    assert.ok((await root.ssm.send(new GetParameterCommand({ Name: '/inputs/p' }))).Parameter, 'nothing was deleted');
  });

  it('finding 11: a session token sent with a long-term key is refused', async () => {
    const answer = await signedRequest(
      server.endpoint,
      { ...mallory, sessionToken: 'anything-at-all' },
      {
        service: 'ssm',
        target: 'AmazonSSM.GetParameter',
        body: JSON.stringify({ Name: '/inputs/p' }),
      },
    );
    assert.equal(answer.status, 400);
    assert.equal(JSON.parse(answer.body).__type, 'UnrecognizedClientException');
  });

  it('finding 11: invalid UTF-8 in a JSON body is a SerializationException, not silently replaced', async () => {
    const body = Buffer.concat([Buffer.from('{"Name":"/inputs/'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    const answer = await signedRequest(server.endpoint, ROOT, {
      service: 'ssm',
      target: 'AmazonSSM.GetParameter',
      body,
    });
    assert.equal(answer.status, 400);
    assert.equal(JSON.parse(answer.body).__type, 'SerializationException');
    const deep = await signedRequest(server.endpoint, ROOT, {
      service: 'ssm',
      target: 'AmazonSSM.GetParameter',
      body: `${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`,
    });
    assert.equal(JSON.parse(deep.body).__type, 'SerializationException');
  });

  it(
    'finding 10: a region AWS does not publish (nor COFFER_REGIONS names) is refused before anything is ' + 'written',
    async () => {
      for (const region of ['ap-attacker-1', 'x']) {
        const attacker = clientsFor(server, ROOT, region);
        const refused = await attacker.ssm
          .send(new PutParameterCommand({ Name: '/r/p', Value: 'v', Type: 'SecureString' }))
          .catch((e: Error) => e);
        assert.equal((refused as Error).name, 'InvalidSignatureException');
        assert.match((refused as Error).message, /valid region/);
        attacker.destroy();
      }
    },
  );
});
