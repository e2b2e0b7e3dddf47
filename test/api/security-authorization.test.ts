/**
 * The adversarial review's authorization findings, end to end: BatchGetSecretValue ignoring
 * resource policies and tags, a policy wildcard that could stall the server, a name's spelling
 * dodging tag conditions, the Secrets Manager bridge authorizing a truncated name, refusals that
 * revealed what exists, denied requests that changed the store; and KMS key policies, evaluated
 * as AWS does, with the identity policies.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateUserCommand } from '@aws-sdk/client-iam';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GetKeyPolicyCommand,
  ListAliasesCommand,
  ListKeyPoliciesCommand,
  PutKeyPolicyCommand,
} from '@aws-sdk/client-kms';
import {
  BatchGetSecretValueCommand,
  CreateSecretCommand,
  GetSecretValueCommand,
  PutResourcePolicyCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  AddTagsToResourceCommand,
  GetParameterCommand,
  GetParameterHistoryCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  PutParameterCommand,
} from '@aws-sdk/client-ssm';
import {
  clientsFor,
  isDenied,
  userWithKey,
  type Credentials,
  type ServiceClients,
} from '../helpers/identity-clients.js';
import { rawRequest } from '../helpers/raw-request.js';
import { ROOT, startServer, type RunningServer } from '../helpers/server-process.js';

const ACCOUNT = '123456789012';
const allow = (Action: string | string[], Resource: string | string[] = '*') => ({ Effect: 'Allow', Action, Resource });
const policy = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });
const TAG_DENY = {
  Effect: 'Deny',
  Action: '*',
  Resource: '*',
  Condition: { StringEquals: { 'aws:ResourceTag/classification': 'restricted' } },
};

describe("security: one authorization path, with each resource's policy and tags", () => {
  let server: RunningServer;
  let root: ServiceClients;
  let rootSm: SecretsManagerClient;
  const closers: { destroy(): void }[] = [];
  const as = (credentials: Credentials, region?: string) => {
    const clients = clientsFor(server, credentials, region);
    const sm = new SecretsManagerClient({
      endpoint: server.endpoint,
      region: region ?? 'us-east-1',
      credentials,
      maxAttempts: 1,
    });
    closers.push(clients, sm);
    return { ...clients, sm };
  };

  before(async () => {
    server = await startServer();
    root = clientsFor(server);
    rootSm = new SecretsManagerClient({
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials: ROOT,
      maxAttempts: 1,
    });
    closers.push(root, rootSm);
    await rootSm.send(new CreateSecretCommand({ Name: 'prod/db', SecretString: 'prod-db-secret' }));
    await rootSm.send(
      new CreateSecretCommand({
        Name: 'prod/tagged',
        SecretString: 'tagged-secret',
        Tags: [{ Key: 'classification', Value: 'restricted' }],
      }),
    );
    await rootSm.send(new CreateSecretCommand({ Name: 'prod/open', SecretString: 'open-secret' }));
  });
  after(async () => {
    closers.forEach((c) => {
      c.destroy();
    });
    await server.stop();
  });

  it(
    'finding 2: BatchGetSecretValue honours a resource-policy Deny and an aws:ResourceTag Deny, by id list and by ' +
      'filters',
    async () => {
      const reader = as(
        await userWithKey(root.iam, 'batch-reader', { r: policy(allow('secretsmanager:*'), TAG_DENY) }),
      );
      await rootSm.send(
        new PutResourcePolicyCommand({
          SecretId: 'prod/db',
          ResourcePolicy: JSON.stringify(
            policy({
              Effect: 'Deny',
              Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/batch-reader` },
              Action: 'secretsmanager:GetSecretValue',
              Resource: '*',
            }),
          ),
        }),
      );
      assert.ok(await isDenied(reader.sm.send(new GetSecretValueCommand({ SecretId: 'prod/db' }))));
      assert.ok(await isDenied(reader.sm.send(new GetSecretValueCommand({ SecretId: 'prod/tagged' }))));
      const byId = await reader.sm.send(
        new BatchGetSecretValueCommand({ SecretIdList: ['prod/db', 'prod/tagged', 'prod/open'] }),
      );
      assert.deepEqual(
        byId.SecretValues!.map((v) => v.Name),
        ['prod/open'],
      );
      assert.deepEqual(
        byId.Errors!.map((e) => [e.SecretId, e.ErrorCode]),
        [
          ['prod/db', 'AccessDeniedException'],
          ['prod/tagged', 'AccessDeniedException'],
        ],
      );
      const byFilter = await reader.sm.send(
        new BatchGetSecretValueCommand({ Filters: [{ Key: 'name', Values: ['prod/'] }] }),
      );
      assert.deepEqual(
        byFilter.SecretValues!.map((v) => v.Name),
        ['prod/open'],
      );
      assert.ok(
        !JSON.stringify(byId).includes('prod-db-secret') && !JSON.stringify(byFilter).includes('tagged-secret'),
      );
      // Selecting by filters is listing: without secretsmanager:ListSecrets it is refused.
      const noList = as(
        await userWithKey(root.iam, 'batch-nolist', {
          r: policy(allow(['secretsmanager:BatchGetSecretValue', 'secretsmanager:GetSecretValue'])),
        }),
      );
      assert.ok(
        await isDenied(
          noList.sm.send(new BatchGetSecretValueCommand({ Filters: [{ Key: 'name', Values: ['prod/'] }] })),
        ),
      );
    },
  );

  it(
    'finding 3: a pathological wildcard in a resource policy is matched in linear time; /health answers ' + 'meanwhile',
    async () => {
      const name = `lena/${'a'.repeat(60)}`;
      await rootSm.send(new CreateSecretCommand({ Name: name, SecretString: 'lena-secret' }));
      const lena = as(await userWithKey(root.iam, 'lena', {}));
      await rootSm.send(
        new PutResourcePolicyCommand({
          SecretId: name,
          ResourcePolicy: JSON.stringify(
            policy({
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/lena` },
              Action: 'secretsmanager:GetSecretValue',
              // Ends in a character no secret ARN holds: an ARN ending in `c` (one random suffix in
              // sixty-two) matched the `*c` this once ended with, and the read was rightly allowed.
              Resource: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:lena/${'*a'.repeat(40)}*~`,
            }),
          ),
        }),
      );
      const reads = Array.from({ length: 20 }, () =>
        lena.sm.send(new GetSecretValueCommand({ SecretId: name })).catch((e: Error) => e),
      );
      const health = await rawRequest(server.endpoint, { method: 'GET', path: '/health' });
      assert.equal(health.status, 200);
      for (const read of await Promise.all(reads))
        assert.equal((read as Error).name, 'AccessDeniedException', `answered ${JSON.stringify(read)}`);
      // AWS's size limit on a secret's resource policy: 20,480 characters.
      const huge = JSON.stringify(
        policy(
          ...Array.from({ length: 400 }, () => ({
            Effect: 'Deny',
            Principal: '*',
            Action: 'secretsmanager:*',
            Resource: '*',
          })),
        ),
      );
      assert.ok(huge.length > 20_480);
      await assert.rejects(
        rootSm.send(new PutResourcePolicyCommand({ SecretId: name, ResourcePolicy: huge })),
        (e: Error) => e.name === 'ValidationException',
      );
    },
  );

  it(
    'finding 4: a one-level name is one parameter whichever its spelling, for tags and authorization ' + 'alike',
    async () => {
      await root.ssm.send(
        new PutParameterCommand({
          Name: 'Toplevel',
          Value: 'restricted-value',
          Type: 'String',
          Tags: [{ Key: 'classification', Value: 'restricted' }],
        }),
      );
      const user = as(await userWithKey(root.iam, 'spelling', { r: policy(allow('ssm:*'), TAG_DENY) }));
      for (const Name of [
        'Toplevel',
        '/Toplevel',
        `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/Toplevel`,
        '/Toplevel:1',
      ]) {
        assert.ok(await isDenied(user.ssm.send(new GetParameterCommand({ Name }))), Name);
        assert.ok(await isDenied(user.ssm.send(new GetParametersCommand({ Names: [Name] }))), Name);
      }
      assert.ok(await isDenied(user.ssm.send(new GetParameterHistoryCommand({ Name: '/Toplevel' }))));
      assert.ok(
        await isDenied(
          user.ssm.send(
            new AddTagsToResourceCommand({
              ResourceType: 'Parameter',
              ResourceId: '/Toplevel',
              Tags: [{ Key: 'classification', Value: 'open' }],
            }),
          ),
        ),
      );
      // Listing by path shows root names in both spellings, and leaves out what a Deny names.
      const listed = await user.ssm.send(new GetParametersByPathCommand({ Path: '/' }));
      assert.ok(!listed.Parameters!.some((p) => p.Name === 'Toplevel'));
      const rootListed = await root.ssm.send(new GetParametersByPathCommand({ Path: '/' }));
      assert.ok(rootListed.Parameters!.some((p) => p.Name === 'Toplevel'));
    },
  );

  it(
    'finding 5: the Secrets Manager bridge is authorized on the whole SecretId, ARN included, and takes version ' +
      'selectors',
    async () => {
      const arn = (await rootSm.send(new GetSecretValueCommand({ SecretId: 'prod/open' }))).ARN!;
      const user = as(
        await userWithKey(root.iam, 'bridge', {
          r: policy(allow(['ssm:GetParameter', 'ssm:GetParameters', 'secretsmanager:GetSecretValue']), {
            Effect: 'Deny',
            Action: 'ssm:GetParameter*',
            Resource: `arn:aws:ssm:*:*:parameter/aws/reference/secretsmanager/prod/*`,
          }),
        }),
      );
      for (const Name of [
        `/aws/reference/secretsmanager/prod/open`,
        `/aws/reference/secretsmanager/${arn}`,
        `/aws/reference/secretsmanager/prod/open:AWSCURRENT`,
      ]) {
        assert.ok(await isDenied(user.ssm.send(new GetParameterCommand({ Name, WithDecryption: true }))), Name);
      }
      const arnDeny = as(
        await userWithKey(root.iam, 'bridge-arn', {
          r: policy(allow(['ssm:GetParameter', 'secretsmanager:GetSecretValue']), {
            Effect: 'Deny',
            Action: 'ssm:GetParameter',
            Resource: `arn:aws:ssm:*:*:parameter/aws/reference/secretsmanager/arn:aws:secretsmanager:*:*:secret:prod/*`,
          }),
        }),
      );
      assert.ok(
        await isDenied(
          arnDeny.ssm.send(
            new GetParameterCommand({ Name: `/aws/reference/secretsmanager/${arn}`, WithDecryption: true }),
          ),
        ),
      );
      assert.equal(
        (
          await arnDeny.ssm.send(
            new GetParameterCommand({ Name: '/aws/reference/secretsmanager/prod/open', WithDecryption: true }),
          )
        ).Parameter!.Value,
        'open-secret',
      );
      // Selectors: a staging label or a VersionId after the SecretId (an ARN keeps its own colons).
      await rootSm.send(new PutSecretValueCommand({ SecretId: 'prod/open', SecretString: 'open-secret-2' }));
      const previous = await root.ssm.send(
        new GetParameterCommand({ Name: `/aws/reference/secretsmanager/${arn}:AWSPREVIOUS`, WithDecryption: true }),
      );
      assert.equal(previous.Parameter!.Value, 'open-secret');
      const current = await rootSm.send(new GetSecretValueCommand({ SecretId: 'prod/open' }));
      const byId = await root.ssm.send(
        new GetParameterCommand({
          Name: `/aws/reference/secretsmanager/prod/open:${current.VersionId}`,
          WithDecryption: true,
        }),
      );
      assert.equal(byId.Parameter!.Value, 'open-secret-2');
    },
  );

  it('finding 9: a refusal names the resource as the caller did, revealing no ARN suffix, key id or path', async () => {
    const nobody = as(await userWithKey(root.iam, 'nobody', {}));
    const secret = await nobody.sm.send(new GetSecretValueCommand({ SecretId: 'prod/db' })).catch((e: Error) => e);
    assert.match((secret as Error).message, /on resource: prod\/db because/);
    const missing = await nobody.sm.send(new GetSecretValueCommand({ SecretId: 'prod/none' })).catch((e: Error) => e);
    assert.match((missing as Error).message, /on resource: prod\/none because/);
    assert.doesNotMatch(`${(secret as Error).message}${(missing as Error).message}`, /-[A-Za-z0-9?]{6}\b|secret:/);
    const key = (await root.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    await root.kms.send(new CreateAliasCommand({ AliasName: 'alias/hidden', TargetKeyId: key }));
    const kms = await nobody.kms.send(new DescribeKeyCommand({ KeyId: 'alias/hidden' })).catch((e: Error) => e);
    assert.equal((kms as Error).name, 'AccessDeniedException');
    assert.doesNotMatch((kms as Error).message, new RegExp(key));
    await root.iam.send(new CreateUserCommand({ UserName: 'pathed', Path: '/division/secret-team/' }));
    const iamDenied = await nobody.iam
      .send(new (await import('@aws-sdk/client-iam')).GetUserCommand({ UserName: 'pathed' }))
      .catch((e: Error) => e);
    assert.equal((iamDenied as Error).name, 'AccessDenied');
    assert.doesNotMatch((iamDenied as Error).message, /division|secret-team/);
  });

  it('finding 10: a SecureString write denied kms:Encrypt creates no key, not even the AWS-managed one', async () => {
    const writer = as(await userWithKey(root.iam, 'cmk-writer', { w: policy(allow('ssm:PutParameter')) }), 'eu-west-3');
    const cmk = (await clientsFor(server, ROOT, 'eu-west-3').kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    assert.ok(
      await isDenied(
        writer.ssm.send(new PutParameterCommand({ Name: '/w/p', Value: 'v', Type: 'SecureString', KeyId: cmk })),
      ),
    );
    const rootEu = as(ROOT, 'eu-west-3');
    const aliases = await rootEu.kms.send(new ListAliasesCommand({}));
    assert.ok(
      !aliases.Aliases!.some((a) => a.AliasName === 'alias/aws/ssm'),
      'no AWS-managed key was made for the denied write',
    );
    // With the AWS-managed key, whose policy allows use through SSM, the same user may write.
    await writer.ssm.send(new PutParameterCommand({ Name: '/w/p', Value: 'v', Type: 'SecureString' }));
  });

  it('finding 13: key policies are evaluated with identity policies, as AWS does', async () => {
    const user = await userWithKey(root.iam, 'key-user', {
      r: policy(allow(['ssm:GetParameter', 'ssm:PutParameter'])),
    });
    const keyUser = as(user);
    // aws/ssm: ssm:GetParameter alone reads a SecureString; direct kms:Decrypt is refused to all.
    await root.ssm.send(new PutParameterCommand({ Name: '/kp/managed', Value: 'managed-value', Type: 'SecureString' }));
    assert.equal(
      (await keyUser.ssm.send(new GetParameterCommand({ Name: '/kp/managed', WithDecryption: true }))).Parameter!.Value,
      'managed-value',
    );
    const managed = (await root.kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/ssm' }))).KeyMetadata!;
    assert.equal(managed.KeyManager, 'AWS');
    const managedPolicy = JSON.parse(
      (await root.kms.send(new GetKeyPolicyCommand({ KeyId: managed.KeyId!, PolicyName: 'default' }))).Policy!,
    );
    assert.equal(managedPolicy.Statement[0].Condition.StringEquals['kms:ViaService'], 'ssm.us-east-1.amazonaws.com');
    await assert.rejects(
      root.kms.send(
        new PutKeyPolicyCommand({
          KeyId: managed.KeyId!,
          PolicyName: 'default',
          Policy: JSON.stringify(managedPolicy),
        }),
      ),
    );
    // A customer key: its default policy delegates to IAM, so kms:Decrypt is needed...
    const cmk = (await root.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    assert.deepEqual((await root.kms.send(new ListKeyPoliciesCommand({ KeyId: cmk }))).PolicyNames, ['default']);
    await root.ssm.send(
      new PutParameterCommand({ Name: '/kp/cmk', Value: 'cmk-value', Type: 'SecureString', KeyId: cmk }),
    );
    assert.ok(await isDenied(keyUser.ssm.send(new GetParameterCommand({ Name: '/kp/cmk', WithDecryption: true }))));
    // ...unless the key policy names the user itself, which grants without an identity policy.
    const direct = policy(
      {
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
      {
        Sid: 'Let key-user decrypt',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/key-user` },
        Action: 'kms:Decrypt',
        Resource: '*',
      },
    );
    await root.kms.send(new PutKeyPolicyCommand({ KeyId: cmk, PolicyName: 'default', Policy: JSON.stringify(direct) }));
    assert.equal(
      (await keyUser.ssm.send(new GetParameterCommand({ Name: '/kp/cmk', WithDecryption: true }))).Parameter!.Value,
      'cmk-value',
    );
    // A Deny in the key policy stops even an identity policy that allows everything.
    const admin = as(await userWithKey(root.iam, 'key-admin', { all: policy(allow('*')) }));
    const ciphertext = (await admin.kms.send(new EncryptCommand({ KeyId: cmk, Plaintext: Buffer.from('x') })))
      .CiphertextBlob!;
    await root.kms.send(
      new PutKeyPolicyCommand({
        KeyId: cmk,
        PolicyName: 'default',
        Policy: JSON.stringify(
          policy(...direct.Statement, {
            Effect: 'Deny',
            Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/key-admin` },
            Action: 'kms:Decrypt',
            Resource: '*',
          }),
        ),
      }),
    );
    assert.ok(await isDenied(admin.kms.send(new DecryptCommand({ CiphertextBlob: ciphertext }))));
    // A key policy that lets nobody manage the key is refused unless the caller bypasses the check.
    const lockout = JSON.stringify(
      policy({
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/key-user` },
        Action: 'kms:Decrypt',
        Resource: '*',
      }),
    );
    await assert.rejects(
      admin.kms.send(new CreateKeyCommand({ Policy: lockout })),
      (e: Error) => e.name === 'MalformedPolicyDocumentException',
    );
    const created = await admin.kms.send(
      new CreateKeyCommand({ Policy: lockout, BypassPolicyLockoutSafetyCheck: true }),
    );
    assert.ok(
      await isDenied(admin.kms.send(new DescribeKeyCommand({ KeyId: created.KeyMetadata!.KeyId! }))),
      'the key policy governs: the admin locked himself out',
    );
  });
});
