/**
 * Secrets Manager through @aws-sdk/client-secrets-manager against the real server: versions and
 * staging labels, idempotent tokens, rollback by moving AWSCURRENT, listing, deletion windows
 * (with the --dev clock), resource policies evaluated with identity policies, BatchGetSecretValue,
 * the Parameter Store reference bridge, and no value ever in the log.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  BatchGetSecretValueCommand,
  CreateSecretCommand,
  DeleteResourcePolicyCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetResourcePolicyCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  InvalidRequestException,
  ListSecretsCommand,
  ListSecretVersionIdsCommand,
  PutResourcePolicyCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  RestoreSecretCommand,
  SecretsManagerClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSecretCommand,
  UpdateSecretVersionStageCommand,
  ValidateResourcePolicyCommand,
  MalformedPolicyDocumentException,
  paginateListSecrets,
} from '@aws-sdk/client-secrets-manager';
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { GetParameterCommand, GetParametersCommand } from '@aws-sdk/client-ssm';
import {
  clientsFor,
  isDenied,
  userWithKey,
  type Credentials,
  type ServiceClients,
} from '../helpers/identity-clients.js';
import { ROOT, startServer, type RunningServer } from '../helpers/server-process.js';
import { rawRequest } from '../helpers/raw-request.js';

const ACCOUNT = '123456789012';
const TOKEN = (n: number) => `token-${String(n).padStart(2, '0')}-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa`;

function secretsClient(server: RunningServer, credentials: Credentials = ROOT): SecretsManagerClient {
  return new SecretsManagerClient({ endpoint: server.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
}

describe('Secrets Manager end to end', () => {
  let server: RunningServer;
  let sm: SecretsManagerClient;
  let root: ServiceClients;
  const closers: { destroy(): void }[] = [];

  before(async () => {
    server = await startServer();
    sm = secretsClient(server);
    root = clientsFor(server);
    closers.push(sm, root);
  });
  after(async () => {
    closers.forEach((c) => {
      c.destroy();
    });
    assert.equal(await server.stop(), 0);
  });

  it('creates, reads and versions a secret; AWSCURRENT and AWSPREVIOUS move with each new version', async () => {
    const created = await sm.send(
      new CreateSecretCommand({
        Name: 'app/db',
        SecretString: '{"password":"pw-one"}',
        Description: 'db',
        ClientRequestToken: TOKEN(1),
      }),
    );
    assert.match(
      created.ARN!,
      new RegExp(`^arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:app/db-[A-Za-z0-9]{6}$`),
    );
    assert.equal(created.VersionId, TOKEN(1));
    const got = await sm.send(new GetSecretValueCommand({ SecretId: 'app/db' }));
    assert.equal(got.SecretString, '{"password":"pw-one"}');
    assert.deepEqual(got.VersionStages, ['AWSCURRENT']);
    await sm.send(
      new PutSecretValueCommand({
        SecretId: created.ARN!,
        SecretString: '{"password":"pw-two"}',
        ClientRequestToken: TOKEN(2),
      }),
    );
    assert.equal(
      (await sm.send(new GetSecretValueCommand({ SecretId: 'app/db' }))).SecretString,
      '{"password":"pw-two"}',
    );
    assert.equal(
      (await sm.send(new GetSecretValueCommand({ SecretId: 'app/db', VersionStage: 'AWSPREVIOUS' }))).SecretString,
      '{"password":"pw-one"}',
    );
    assert.equal(
      (await sm.send(new GetSecretValueCommand({ SecretId: created.ARN!.slice(0, -7), VersionId: TOKEN(1) })))
        .VersionId,
      TOKEN(1),
      'partial ARN',
    );
    const described = await sm.send(new DescribeSecretCommand({ SecretId: 'app/db' }));
    assert.deepEqual(described.VersionIdsToStages, { [TOKEN(1)]: ['AWSPREVIOUS'], [TOKEN(2)]: ['AWSCURRENT'] });
    assert.equal(described.Description, 'db');
  });

  it('treats a repeated ClientRequestToken as a retry: same value is a no-op, another value is refused', async () => {
    const again = await sm.send(
      new PutSecretValueCommand({
        SecretId: 'app/db',
        SecretString: '{"password":"pw-two"}',
        ClientRequestToken: TOKEN(2),
      }),
    );
    assert.equal(again.VersionId, TOKEN(2));
    assert.deepEqual(again.VersionStages, ['AWSCURRENT']);
    await assert.rejects(
      sm.send(
        new PutSecretValueCommand({ SecretId: 'app/db', SecretString: 'different', ClientRequestToken: TOKEN(2) }),
      ),
      ResourceExistsException,
    );
    const versions = await sm.send(new ListSecretVersionIdsCommand({ SecretId: 'app/db' }));
    assert.equal(versions.Versions!.length, 2);
    const retried = await sm.send(
      new CreateSecretCommand({ Name: 'app/db', SecretString: '{"password":"pw-one"}', ClientRequestToken: TOKEN(1) }),
    );
    assert.equal(retried.VersionId, TOKEN(1));
    await assert.rejects(
      sm.send(new CreateSecretCommand({ Name: 'app/db', SecretString: 'x' })),
      ResourceExistsException,
    );
  });

  it("rolls back by moving AWSCURRENT, with AWS's checks on the label's holder", async () => {
    await assert.rejects(
      sm.send(
        new UpdateSecretVersionStageCommand({
          SecretId: 'app/db',
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: TOKEN(1),
        }),
      ),
      InvalidParameterException,
    );
    await sm.send(
      new UpdateSecretVersionStageCommand({
        SecretId: 'app/db',
        VersionStage: 'AWSCURRENT',
        MoveToVersionId: TOKEN(1),
        RemoveFromVersionId: TOKEN(2),
      }),
    );
    assert.equal(
      (await sm.send(new GetSecretValueCommand({ SecretId: 'app/db' }))).SecretString,
      '{"password":"pw-one"}',
    );
    assert.deepEqual((await sm.send(new DescribeSecretCommand({ SecretId: 'app/db' }))).VersionIdsToStages, {
      [TOKEN(1)]: ['AWSCURRENT'],
      [TOKEN(2)]: ['AWSPREVIOUS'],
    });
    await sm.send(
      new UpdateSecretVersionStageCommand({ SecretId: 'app/db', VersionStage: 'blue', MoveToVersionId: TOKEN(2) }),
    );
    assert.equal(
      (await sm.send(new GetSecretValueCommand({ SecretId: 'app/db', VersionStage: 'blue' }))).VersionId,
      TOKEN(2),
    );
    await sm.send(
      new UpdateSecretVersionStageCommand({ SecretId: 'app/db', VersionStage: 'blue', RemoveFromVersionId: TOKEN(2) }),
    );
    await assert.rejects(
      sm.send(new GetSecretValueCommand({ SecretId: 'app/db', VersionStage: 'blue' })),
      ResourceNotFoundException,
    );
  });

  it("keeps binary secrets, and answers AWS's errors", async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    await sm.send(new CreateSecretCommand({ Name: 'app/key', SecretBinary: bytes }));
    assert.deepEqual(
      Buffer.from((await sm.send(new GetSecretValueCommand({ SecretId: 'app/key' }))).SecretBinary!),
      bytes,
    );
    await assert.rejects(
      sm.send(new GetSecretValueCommand({ SecretId: 'nope' })),
      (e: Error) =>
        e instanceof ResourceNotFoundException && e.message === "Secrets Manager can't find the specified secret.",
    );
    await assert.rejects(
      sm.send(new CreateSecretCommand({ Name: 'both', SecretString: 'a', SecretBinary: bytes })),
      InvalidParameterException,
    );
    await assert.rejects(
      sm.send(new CreateSecretCommand({ Name: 'bad name!' })),
      (e: Error) => e.name === 'ValidationException',
    );
    await assert.rejects(
      sm.send(new PutSecretValueCommand({ SecretId: 'app/key', SecretString: 'x'.repeat(65_537) })),
      (e: Error) => e.name === 'ValidationException' && !e.message.includes('xxx'),
    );
    await assert.rejects(
      sm.send(new GetSecretValueCommand({ SecretId: 'app/db', VersionId: TOKEN(9) })),
      ResourceNotFoundException,
    );
  });

  it('updates descriptions and values, tags and untags', async () => {
    const updated = await sm.send(
      new UpdateSecretCommand({ SecretId: 'app/key', Description: 'signing key', SecretString: 'now-a-string' }),
    );
    assert.ok(updated.VersionId);
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: 'app/key' }))).SecretString, 'now-a-string');
    await sm.send(
      new TagResourceCommand({
        SecretId: 'app/key',
        Tags: [
          { Key: 'team', Value: 'red' },
          { Key: 'env', Value: 'prod' },
        ],
      }),
    );
    await sm.send(new UntagResourceCommand({ SecretId: 'app/key', TagKeys: ['env'] }));
    const described = await sm.send(new DescribeSecretCommand({ SecretId: 'app/key' }));
    assert.deepEqual(described.Tags, [{ Key: 'team', Value: 'red' }]);
    assert.equal(described.Description, 'signing key');
    await assert.rejects(
      sm.send(new TagResourceCommand({ SecretId: 'app/key', Tags: [{ Key: 'aws:x', Value: 'y' }] })),
      InvalidParameterException,
    );
  });

  it('lists with filters, sorting and pages of at most 100', async () => {
    for (let i = 0; i < 5; i++)
      await sm.send(
        new CreateSecretCommand({
          Name: `list/s${i}`,
          SecretString: `v${i}`,
          Tags: [{ Key: 'batch', Value: i % 2 ? 'odd' : 'even' }],
        }),
      );
    const byName = await sm.send(
      new ListSecretsCommand({
        Filters: [{ Key: 'name', Values: ['list/'] }],
        SortBy: 'name',
        SortOrder: 'desc',
      } as never),
    );
    assert.deepEqual(
      byName.SecretList!.map((s) => s.Name),
      ['list/s4', 'list/s3', 'list/s2', 'list/s1', 'list/s0'],
    );
    const odd = await sm.send(new ListSecretsCommand({ Filters: [{ Key: 'tag-value', Values: ['odd'] }] }));
    assert.deepEqual(
      odd.SecretList!.map((s) => s.Name),
      ['list/s1', 'list/s3'],
    );
    const notList = await sm.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: ['!list/'] }] }));
    assert.ok(notList.SecretList!.every((s) => !s.Name!.startsWith('list/')));
    const names: string[] = [];
    for await (const page of paginateListSecrets(
      { client: sm, pageSize: 2 },
      { Filters: [{ Key: 'name', Values: ['list/'] }] },
    )) {
      assert.ok(page.SecretList!.length <= 2);
      names.push(...page.SecretList!.map((s) => s.Name!));
    }
    assert.deepEqual(names, ['list/s0', 'list/s1', 'list/s2', 'list/s3', 'list/s4']);
    await assert.rejects(
      sm.send(new ListSecretsCommand({ MaxResults: 101 })),
      (e: Error) => e.name === 'ValidationException',
    );
  });

  it('schedules deletion, refuses reads until restored, and force-deletes', async () => {
    const deleted = await sm.send(new DeleteSecretCommand({ SecretId: 'list/s0', RecoveryWindowInDays: 7 }));
    assert.ok(Math.abs(deleted.DeletionDate!.getTime() - (Date.now() + 7 * 86_400_000)) < 60_000);
    await assert.rejects(
      sm.send(new GetSecretValueCommand({ SecretId: 'list/s0' })),
      (e: Error) => e instanceof InvalidRequestException && /marked for deletion/.test(e.message),
    );
    assert.ok((await sm.send(new DescribeSecretCommand({ SecretId: 'list/s0' }))).DeletedDate);
    assert.ok(!(await sm.send(new ListSecretsCommand({}))).SecretList!.some((s) => s.Name === 'list/s0'));
    assert.ok(
      (await sm.send(new ListSecretsCommand({ IncludePlannedDeletion: true }))).SecretList!.some(
        (s) => s.Name === 'list/s0',
      ),
    );
    await assert.rejects(
      sm.send(new CreateSecretCommand({ Name: 'list/s0', SecretString: 'x' })),
      InvalidRequestException,
    );
    await sm.send(new RestoreSecretCommand({ SecretId: 'list/s0' }));
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: 'list/s0' }))).SecretString, 'v0');
    await assert.rejects(
      sm.send(
        new DeleteSecretCommand({ SecretId: 'list/s0', RecoveryWindowInDays: 7, ForceDeleteWithoutRecovery: true }),
      ),
      InvalidParameterException,
    );
    await assert.rejects(
      sm.send(new DeleteSecretCommand({ SecretId: 'list/s0', RecoveryWindowInDays: 6 })),
      InvalidParameterException,
    );
    await sm.send(new DeleteSecretCommand({ SecretId: 'list/s0', ForceDeleteWithoutRecovery: true }));
    await assert.rejects(sm.send(new DescribeSecretCommand({ SecretId: 'list/s0' })), ResourceNotFoundException);
    const recreated = await sm.send(new CreateSecretCommand({ Name: 'list/s0', SecretString: 'fresh' }));
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: recreated.ARN! }))).SecretString, 'fresh');
  });

  it("generates random passwords by AWS's rules", async () => {
    const plain = (await sm.send(new GetRandomPasswordCommand({}))).RandomPassword!;
    assert.equal(plain.length, 32);
    const digits = (
      await sm.send(
        new GetRandomPasswordCommand({
          PasswordLength: 12,
          ExcludeLowercase: true,
          ExcludeUppercase: true,
          ExcludePunctuation: true,
        }),
      )
    ).RandomPassword!;
    assert.match(digits, /^\d{12}$/);
    const each = (
      await sm.send(
        new GetRandomPasswordCommand({ PasswordLength: 4, ExcludePunctuation: true, ExcludeCharacters: 'abc' }),
      )
    ).RandomPassword!;
    assert.match(each, /[A-Z]/);
    assert.match(each, /[d-z]/);
    assert.match(each, /\d/);
    await assert.rejects(
      sm.send(new GetRandomPasswordCommand({ PasswordLength: 0 })),
      (e: Error) => e.name === 'ValidationException' || e instanceof InvalidParameterException,
    );
  });

  it(
    'evaluates resource policies with identity policies: a resource policy alone can grant, and its deny ' + 'wins',
    async () => {
      const arn = (await sm.send(new DescribeSecretCommand({ SecretId: 'app/db' }))).ARN!;
      const readerKey = await userWithKey(root.iam, 'sm-reader', {});
      const reader = secretsClient(server, readerKey);
      closers.push(reader);
      assert.ok(await isDenied(reader.send(new GetSecretValueCommand({ SecretId: 'app/db' }))));
      const grant = {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/sm-reader` },
            Action: 'secretsmanager:GetSecretValue',
            Resource: '*',
          },
        ],
      };
      await sm.send(new PutResourcePolicyCommand({ SecretId: 'app/db', ResourcePolicy: JSON.stringify(grant) }));
      assert.equal(
        (await reader.send(new GetSecretValueCommand({ SecretId: 'app/db' }))).SecretString,
        '{"password":"pw-one"}',
      );
      assert.ok(
        await isDenied(reader.send(new GetSecretValueCommand({ SecretId: 'app/key' }))),
        'the grant is on one secret only',
      );
      assert.ok((await sm.send(new GetResourcePolicyCommand({ SecretId: 'app/db' }))).ResourcePolicy);

      const adminKey = await userWithKey(root.iam, 'sm-admin', {
        all: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'secretsmanager:*', Resource: '*' }] },
      });
      const admin = secretsClient(server, adminKey);
      closers.push(admin);
      assert.ok((await admin.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString);
      const deny = {
        Version: '2012-10-17',
        Statement: [
          ...grant.Statement,
          {
            Effect: 'Deny',
            Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/sm-admin` },
            Action: 'secretsmanager:GetSecretValue',
            Resource: '*',
          },
        ],
      };
      await sm.send(new PutResourcePolicyCommand({ SecretId: 'app/db', ResourcePolicy: JSON.stringify(deny) }));
      const denied = await admin.send(new GetSecretValueCommand({ SecretId: arn })).catch((e: Error) => e);
      assert.match((denied as Error).message, /explicit deny in a resource-based policy/);
      await assert.rejects(
        sm.send(
          new PutResourcePolicyCommand({
            SecretId: 'app/db',
            ResourcePolicy: '{"Statement":[{"Effect":"Allow","Action":"x:y"}]}',
          }),
        ),
        MalformedPolicyDocumentException,
      );
      await assert.rejects(
        sm.send(
          new PutResourcePolicyCommand({
            SecretId: 'app/db',
            BlockPublicPolicy: true,
            ResourcePolicy: JSON.stringify({
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Principal: '*', Action: 'secretsmanager:*', Resource: '*' }],
            }),
          }),
        ),
        (e: Error) => e.name === 'PublicPolicyException',
      );
      const validated = await sm.send(new ValidateResourcePolicyCommand({ ResourcePolicy: '{' }));
      assert.equal(validated.PolicyValidationPassed, false);
      await sm.send(new DeleteResourcePolicyCommand({ SecretId: 'app/db' }));
      assert.ok(await isDenied(reader.send(new GetSecretValueCommand({ SecretId: 'app/db' }))));
      assert.ok((await admin.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString);
    },
  );

  it('BatchGetSecretValue returns what the caller may read and reports the rest', async () => {
    const key = await userWithKey(root.iam, 'sm-batch', {
      some: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 'secretsmanager:BatchGetSecretValue', Resource: '*' },
          {
            Effect: 'Allow',
            Action: 'secretsmanager:GetSecretValue',
            Resource: `arn:aws:secretsmanager:*:*:secret:list/*`,
          },
        ],
      },
    });
    const batch = secretsClient(server, key);
    closers.push(batch);
    const result = await batch.send(
      new BatchGetSecretValueCommand({ SecretIdList: ['list/s1', 'app/db', 'list/missing', 'missing'] }),
    );
    assert.deepEqual(
      result.SecretValues!.map((v) => [v.Name, v.SecretString]),
      [['list/s1', 'v1']],
    );
    // Authorized before existence, as GetSecretValue is: only what the caller may read can be missing.
    assert.deepEqual(
      result.Errors!.map((e) => [e.SecretId, e.ErrorCode]),
      [
        ['app/db', 'AccessDeniedException'],
        ['list/missing', 'ResourceNotFoundException'],
        ['missing', 'AccessDeniedException'],
      ],
    );
  });

  it(
    "serves secrets through Parameter Store's /aws/reference/secretsmanager/ names, with the secret's " + 'permissions',
    async () => {
      const got = await root.ssm.send(
        new GetParameterCommand({ Name: '/aws/reference/secretsmanager/app/db', WithDecryption: true }),
      );
      assert.equal(got.Parameter!.Value, '{"password":"pw-one"}');
      assert.equal(got.Parameter!.Type, 'SecureString');
      assert.ok(JSON.parse(got.Parameter!.SourceResult!).ARN);
      await assert.rejects(
        root.ssm.send(new GetParameterCommand({ Name: '/aws/reference/secretsmanager/app/db' })),
        (e: Error) => e.name === 'ValidationException',
      );
      await assert.rejects(
        root.ssm.send(new GetParameterCommand({ Name: '/aws/reference/secretsmanager/none', WithDecryption: true })),
        (e: Error) => e.name === 'ParameterNotFound',
      );
      const many = await root.ssm.send(
        new GetParametersCommand({
          Names: ['/aws/reference/secretsmanager/list/s1', '/aws/reference/secretsmanager/none'],
          WithDecryption: true,
        }),
      );
      assert.deepEqual(
        many.Parameters!.map((p) => p.Value),
        ['v1'],
      );
      assert.deepEqual(many.InvalidParameters, ['/aws/reference/secretsmanager/none']);
      const ssmOnly = clientsFor(
        server,
        await userWithKey(root.iam, 'ssm-only', {
          ssm: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ssm:GetParameter', Resource: '*' }] },
        }),
      );
      closers.push(ssmOnly);
      assert.ok(
        await isDenied(
          ssmOnly.ssm.send(
            new GetParameterCommand({ Name: '/aws/reference/secretsmanager/app/db', WithDecryption: true }),
          ),
        ),
      );
      assert.ok(
        await isDenied(
          ssmOnly.ssm.send(
            new GetParameterCommand({ Name: '/aws/reference/secretsmanager/none', WithDecryption: true }),
          ),
        ),
        'no probing',
      );
    },
  );

  it("needs the caller's own kms:Decrypt for a customer-managed key, as in AWS", async () => {
    const key = (await root.kms.send(new CreateKeyCommand({ Description: 'secrets' }))).KeyMetadata!;
    await sm.send(new CreateSecretCommand({ Name: 'cmk/secret', SecretString: 'cmk-value', KmsKeyId: key.Arn }));
    const policy = (kms: boolean) => ({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*' },
        ...(kms
          ? [
              {
                Effect: 'Allow',
                Action: 'kms:Decrypt',
                Resource: key.Arn,
                Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
              },
            ]
          : []),
      ],
    });
    const without = secretsClient(server, await userWithKey(root.iam, 'cmk-nokms', { p: policy(false) }));
    const withKms = secretsClient(server, await userWithKey(root.iam, 'cmk-kms', { p: policy(true) }));
    closers.push(without, withKms);
    assert.ok(await isDenied(without.send(new GetSecretValueCommand({ SecretId: 'cmk/secret' }))));
    assert.equal((await withKms.send(new GetSecretValueCommand({ SecretId: 'cmk/secret' }))).SecretString, 'cmk-value');
    assert.ok(
      (await without.send(new GetSecretValueCommand({ SecretId: 'list/s1' }))).SecretString,
      'the AWS-managed key needs no grant of its own',
    );
  });

  it('never logs a value', () => {
    for (const value of ['pw-one', 'pw-two', 'cmk-value', 'now-a-string'])
      assert.ok(!server.output().includes(value), value);
  });
});

describe('Secrets Manager deletion windows on the --dev clock', () => {
  it('purges a secret once its recovery window has passed', async () => {
    const server = await startServer({ dev: true });
    const sm = secretsClient(server);
    try {
      await sm.send(new CreateSecretCommand({ Name: 'short-lived', SecretString: 'x' }));
      await sm.send(new DeleteSecretCommand({ SecretId: 'short-lived', RecoveryWindowInDays: 7 }));
      const advance = (days: number) =>
        rawRequest(server.endpoint, {
          path: '/_coffer/clock',
          body: JSON.stringify({ advanceSeconds: days * 86_400 }),
          headers: { 'content-type': 'application/json' },
        });
      assert.equal((await advance(6)).status, 200);
      assert.ok(
        (await sm.send(new DescribeSecretCommand({ SecretId: 'short-lived' }))).DeletedDate,
        'still recoverable on day 6',
      );
      await advance(1.01);
      await assert.rejects(sm.send(new DescribeSecretCommand({ SecretId: 'short-lived' })), ResourceNotFoundException);
      await assert.rejects(sm.send(new RestoreSecretCommand({ SecretId: 'short-lived' })), ResourceNotFoundException);
      await sm.send(new CreateSecretCommand({ Name: 'short-lived', SecretString: 'new life' }));
    } finally {
      sm.destroy();
      await server.stop();
    }
  });
});
