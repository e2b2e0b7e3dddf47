/**
 * Variants of the review's classes, found by a second adversarial pass and closed: an
 * encryption context that encoded like another, rotation records and functions without
 * per-resource authorization, a secret bound to a key its writer may not use, selectors that
 * dropped condition keys, policies naming a principal by a name another could take, a listing
 * that undid a Deny on a read, and writes that failed yet made a key.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateRoleCommand, DeleteAccessKeyCommand, DeleteRoleCommand, DeleteUserCommand } from '@aws-sdk/client-iam';
import { CreateKeyCommand, DecryptCommand, EncryptCommand, ListAliasesCommand } from '@aws-sdk/client-kms';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutResourcePolicyCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
  UpdateSecretCommand,
} from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, GetParametersByPathCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { CofferApiClient } from '../../src/cli/coffer-api-client.js';
import {
  clientsFor,
  isDenied,
  userWithKey,
  type Credentials,
  type ServiceClients,
} from '../helpers/identity-clients.js';
import { ROOT, startServer, type RunningServer } from '../helpers/server-process.js';

const ACCOUNT = '123456789012';
const policy = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });
const allow = (Action: string | string[], Resource: string | string[] = '*') => ({ Effect: 'Allow', Action, Resource });

async function until<T>(probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("security: variants of the review's classes", () => {
  let server: RunningServer;
  let root: ServiceClients;
  let rootSm: SecretsManagerClient;
  const closers: { destroy(): void }[] = [];
  const as = (credentials: Credentials, region = 'us-east-1') => {
    const clients = clientsFor(server, credentials, region);
    const sm = new SecretsManagerClient({ endpoint: server.endpoint, region, credentials, maxAttempts: 1 });
    closers.push(clients, sm);
    return { ...clients, sm, coffer: new CofferApiClient(server.endpoint, region, async () => credentials) };
  };
  const rootCoffer = () => new CofferApiClient(server.endpoint, 'us-east-1', async () => ROOT);

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
  });
  after(async () => {
    closers.forEach((c) => {
      c.destroy();
    });
    await server.stop();
  });

  it('an encryption context with NUL characters is refused, so no context encodes like another', async () => {
    const key = (await root.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const blob = (
      await root.kms.send(
        new EncryptCommand({
          KeyId: key,
          Plaintext: Buffer.from('ctx-secret'),
          EncryptionContext: { a: '1', b: 'restricted' },
        }),
      )
    ).CiphertextBlob!;
    const user = as(
      await userWithKey(root.iam, 'ctx-user', {
        k: policy(allow('kms:*'), {
          Effect: 'Deny',
          Action: 'kms:Decrypt',
          Resource: '*',
          Condition: { StringEquals: { 'kms:EncryptionContext:b': 'restricted' } },
        }),
      }),
    );
    assert.ok(
      await isDenied(
        user.kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: { a: '1', b: 'restricted' } })),
      ),
    );
    const forged = await user.kms
      .send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: { a: '1\u0000b\u0000restricted' } }))
      .catch((e: Error) => e);
    assert.equal((forged as Error).name, 'ValidationException');
  });

  it(
    'rotation: functions are authorized by ARN and never replaced; rotating needs lambda:InvokeFunction; run ' +
      'listings show only what may be seen',
    async () => {
      const coffer = rootCoffer();
      await coffer.call('RegisterFunction', { Name: 'pw', Builtin: 'random-password' });
      await assert.rejects(
        coffer.call('RegisterFunction', { Name: 'pw', Url: 'http://127.0.0.1:1/x' }),
        (e: Error & { code: string }) => e.code === 'ResourceConflictException',
      );
      const user = as(
        await userWithKey(root.iam, 'fn-user', {
          f: policy(allow(['coffer:*', 'secretsmanager:RotateSecret', 'ssm:*']), {
            Effect: 'Deny',
            Action: 'coffer:*',
            Resource: ['arn:aws:lambda:*:*:function:pw', `arn:aws:secretsmanager:*:*:secret:prod/*`],
          }),
        }),
      );
      assert.ok(
        await isDenied(
          user.coffer.call('RemoveFunction', { Name: 'pw' }).catch((e: Error & { code: string }) => {
            throw Object.assign(new Error(e.message), { name: e.code });
          }),
        ),
      );
      await rootSm.send(new CreateSecretCommand({ Name: 'prod/rotated', SecretString: 'a' }));
      await rootSm.send(new CreateSecretCommand({ Name: 'team/rotated', SecretString: 'a' }));
      assert.ok(
        await isDenied(user.sm.send(new RotateSecretCommand({ SecretId: 'team/rotated', RotationLambdaARN: 'pw' }))),
        'no lambda:InvokeFunction',
      );
      for (const SecretId of ['prod/rotated', 'team/rotated'])
        await rootSm.send(new RotateSecretCommand({ SecretId, RotationLambdaARN: 'pw' }));
      await until(async () =>
        ((await coffer.call('GetRotationStatus', {})).Rotations as unknown[]).length >= 2 ? true : undefined,
      );
      const seen = ((await user.coffer.call('GetRotationStatus', {})).Rotations as { Target: string }[]).map(
        (r) => r.Target,
      );
      assert.ok(seen.includes('team/rotated') && !seen.includes('prod/rotated'), seen.join(','));
    },
  );

  it(
    'naming a KMS key in CreateSecret or UpdateSecret needs the right to use it, and reveals nothing of which keys ' +
      'exist',
    async () => {
      const finance = (await root.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
      await rootSm.send(new CreateSecretCommand({ Name: 'team/keyed', SecretString: 'v' }));
      const user = as(await userWithKey(root.iam, 'key-binder', { s: policy(allow('secretsmanager:*')) }));
      assert.ok(await isDenied(user.sm.send(new UpdateSecretCommand({ SecretId: 'team/keyed', KmsKeyId: finance }))));
      assert.ok(await isDenied(user.sm.send(new CreateSecretCommand({ Name: 'team/new', KmsKeyId: finance }))));
      assert.ok(
        await isDenied(user.sm.send(new CreateSecretCommand({ Name: 'team/new', KmsKeyId: 'alias/nope' }))),
        'a missing key looks like a forbidden one',
      );
    },
  );

  it('the bridge gives a version selector the condition keys GetSecretValue would', async () => {
    await rootSm.send(new CreateSecretCommand({ Name: 'app/versions', SecretString: 'old-value' }));
    await rootSm.send(new PutSecretValueCommand({ SecretId: 'app/versions', SecretString: 'new-value' }));
    const user = as(
      await userWithKey(root.iam, 'stage-reader', {
        s: policy(allow(['ssm:GetParameter', 'secretsmanager:GetSecretValue']), {
          Effect: 'Deny',
          Action: 'secretsmanager:GetSecretValue',
          Resource: '*',
          Condition: { StringEquals: { 'secretsmanager:VersionStage': 'AWSPREVIOUS' } },
        }),
      }),
    );
    assert.ok(
      await isDenied(
        user.sm.send(new GetSecretValueCommand({ SecretId: 'app/versions', VersionStage: 'AWSPREVIOUS' })),
      ),
    );
    assert.ok(
      await isDenied(
        user.ssm.send(
          new GetParameterCommand({
            Name: '/aws/reference/secretsmanager/app/versions:AWSPREVIOUS',
            WithDecryption: true,
          }),
        ),
      ),
    );
    assert.equal(
      (
        await user.ssm.send(
          new GetParameterCommand({ Name: '/aws/reference/secretsmanager/app/versions', WithDecryption: true }),
        )
      ).Parameter!.Value,
      'new-value',
    );
  });

  it(
    'a resource, key or trust policy names the principal it was written for, not a later holder of the ' + 'name',
    async () => {
      const first = await userWithKey(root.iam, 'alice', {});
      await rootSm.send(new CreateSecretCommand({ Name: 'hr/payroll', SecretString: 'payroll' }));
      await rootSm.send(
        new PutResourcePolicyCommand({
          SecretId: 'hr/payroll',
          ResourcePolicy: JSON.stringify(
            policy({
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/alice` },
              Action: 'secretsmanager:GetSecretValue',
              Resource: '*',
            }),
          ),
        }),
      );
      await root.iam.send(
        new CreateRoleCommand({
          RoleName: 'alice-role',
          AssumeRolePolicyDocument: JSON.stringify(
            policy({
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/alice` },
              Action: 'sts:AssumeRole',
            }),
          ),
        }),
      );
      assert.equal(
        (await as(first).sm.send(new GetSecretValueCommand({ SecretId: 'hr/payroll' }))).SecretString,
        'payroll',
      );
      await root.iam.send(new DeleteAccessKeyCommand({ UserName: 'alice', AccessKeyId: first.accessKeyId }));
      await root.iam.send(new DeleteUserCommand({ UserName: 'alice' }));
      const second = as(await userWithKey(root.iam, 'alice', {}));
      assert.ok(await isDenied(second.sm.send(new GetSecretValueCommand({ SecretId: 'hr/payroll' }))));
      assert.ok(
        await isDenied(
          second.sts.send(
            new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/alice-role`, RoleSessionName: 'again' }),
          ),
        ),
      );
      // A policy naming a user who does not exist is refused, as AWS refuses it.
      await assert.rejects(
        rootSm.send(
          new PutResourcePolicyCommand({
            SecretId: 'hr/payroll',
            ResourcePolicy: JSON.stringify(
              policy({
                Effect: 'Allow',
                Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/nobody-yet` },
                Action: 'secretsmanager:GetSecretValue',
                Resource: '*',
              }),
            ),
          }),
        ),
        (e: Error) => e.name === 'MalformedPolicyDocumentException',
      );
    },
  );

  it('GetParametersByPath leaves out a parameter whose single read a Deny names', async () => {
    await root.ssm.send(
      new PutParameterCommand({ Name: '/bypath/db/password', Value: 's3cret', Type: 'SecureString' }),
    );
    await root.ssm.send(new PutParameterCommand({ Name: '/bypath/db/host', Value: 'db.local', Type: 'String' }));
    const user = as(
      await userWithKey(root.iam, 'bypath', {
        p: policy(allow('ssm:*'), {
          Effect: 'Deny',
          Action: ['ssm:GetParameter', 'ssm:GetParameters'],
          Resource: `arn:aws:ssm:*:*:parameter/bypath/db/password`,
        }),
      }),
    );
    assert.ok(
      await isDenied(user.ssm.send(new GetParameterCommand({ Name: '/bypath/db/password', WithDecryption: true }))),
    );
    const listed = await user.ssm.send(new GetParametersByPathCommand({ Path: '/bypath/db', WithDecryption: true }));
    assert.deepEqual(
      listed.Parameters!.map((p) => p.Name),
      ['/bypath/db/host'],
    );
  });

  it('a write that fails makes no AWS-managed key, even on its first use in a region', async () => {
    const eu = as(ROOT, 'eu-north-1');
    await assert.rejects(
      eu.ssm.send(new PutParameterCommand({ Name: '/eu/p', Value: 'abc', Type: 'String', AllowedPattern: '^[0-9]+$' })),
      (e: Error) => e.name === 'ParameterPatternMismatchException',
    );
    await eu.sm.send(new CreateSecretCommand({ Name: 'eu/s' }));
    await assert.rejects(
      eu.sm.send(new CreateSecretCommand({ Name: 'eu/s', SecretString: 'v' })),
      (e: Error) => e.name === 'ResourceExistsException',
    );
    const aliases = (await eu.kms.send(new ListAliasesCommand({}))).Aliases!.map((a) => a.AliasName);
    assert.ok(!aliases.includes('alias/aws/ssm') && !aliases.includes('alias/aws/secretsmanager'), aliases.join(','));
    // The first write that succeeds makes them.
    await eu.ssm.send(new PutParameterCommand({ Name: '/eu/p', Value: 'abc', Type: 'SecureString' }));
    await eu.sm.send(new PutSecretValueCommand({ SecretId: 'eu/s', SecretString: 'v' }));
    const after = (await eu.kms.send(new ListAliasesCommand({}))).Aliases!.map((a) => a.AliasName);
    assert.ok(after.includes('alias/aws/ssm') && after.includes('alias/aws/secretsmanager'));
  });

  it(
    'NotPrincipal listing the account exempts its root only: "deny everyone but bob" still denies eve, for secrets ' +
      'and keys',
    async () => {
      const bob = as(
        await userWithKey(root.iam, 'np-bob', { a: policy(allow(['secretsmanager:GetSecretValue', 'kms:*'])) }),
      );
      const eve = as(
        await userWithKey(root.iam, 'np-eve', { a: policy(allow(['secretsmanager:GetSecretValue', 'kms:*'])) }),
      );
      await rootSm.send(new CreateSecretCommand({ Name: 'np/s', SecretString: 'np-secret' }));
      const denyAllBut = (action: string) =>
        JSON.stringify(
          policy({
            Effect: 'Deny',
            Action: action,
            Resource: '*',
            NotPrincipal: { AWS: [`arn:aws:iam::${ACCOUNT}:user/np-bob`, `arn:aws:iam::${ACCOUNT}:root`] },
          }),
        );
      await rootSm.send(
        new PutResourcePolicyCommand({ SecretId: 'np/s', ResourcePolicy: denyAllBut('secretsmanager:GetSecretValue') }),
      );
      assert.equal((await bob.sm.send(new GetSecretValueCommand({ SecretId: 'np/s' }))).SecretString, 'np-secret');
      assert.ok(await isDenied(eve.sm.send(new GetSecretValueCommand({ SecretId: 'np/s' }))));
      assert.equal((await rootSm.send(new GetSecretValueCommand({ SecretId: 'np/s' }))).SecretString, 'np-secret');
      const key = (
        await root.kms.send(
          new CreateKeyCommand({
            Policy: JSON.stringify(
              policy(
                { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
                JSON.parse(denyAllBut('kms:Encrypt')).Statement[0],
              ),
            ),
          }),
        )
      ).KeyMetadata!.KeyId!;
      await bob.kms.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('x') }));
      assert.ok(await isDenied(eve.kms.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('x') }))));
    },
  );

  it(
    'AssumeRole refuses a role that trusts the account exactly as a missing one, so roles cannot be ' + 'listed',
    async () => {
      const nobody = as(await userWithKey(root.iam, 'role-prober', {}));
      await root.iam.send(
        new CreateRoleCommand({
          RoleName: 'trusts-account',
          AssumeRolePolicyDocument: JSON.stringify(
            policy({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' }),
          ),
        }),
      );
      const message = async (role: string) =>
        (
          await nobody.sts
            .send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/${role}`, RoleSessionName: 'probe' }))
            .then(
              () => assert.fail('assumed'),
              (e: Error) => e,
            )
        ).message.replace(role, 'ROLE');
      assert.equal(await message('trusts-account'), await message('no-such-role'));
    },
  );

  it(
    'a role session named in a resource policy is bound to its role: a role recreated under the name gets ' + 'nothing',
    async () => {
      const trust = JSON.stringify(
        policy({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' }),
      );
      await root.iam.send(new CreateRoleCommand({ RoleName: 'rs', AssumeRolePolicyDocument: trust }));
      await rootSm.send(new CreateSecretCommand({ Name: 'rs/s', SecretString: 'session-secret' }));
      await rootSm.send(
        new PutResourcePolicyCommand({
          SecretId: 'rs/s',
          ResourcePolicy: JSON.stringify(
            policy({
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:sts::${ACCOUNT}:assumed-role/rs/sess1` },
              Action: 'secretsmanager:GetSecretValue',
              Resource: '*',
            }),
          ),
        }),
      );
      const assumer = as(await userWithKey(root.iam, 'rs-assumer', { a: policy(allow('sts:AssumeRole')) }));
      const session = async () => {
        const c = (
          await assumer.sts.send(
            new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/rs`, RoleSessionName: 'sess1' }),
          )
        ).Credentials!;
        return as({ accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! });
      };
      assert.equal(
        (await (await session()).sm.send(new GetSecretValueCommand({ SecretId: 'rs/s' }))).SecretString,
        'session-secret',
      );
      await root.iam.send(new DeleteRoleCommand({ RoleName: 'rs' }));
      await root.iam.send(new CreateRoleCommand({ RoleName: 'rs', AssumeRolePolicyDocument: trust }));
      assert.ok(await isDenied((await session()).sm.send(new GetSecretValueCommand({ SecretId: 'rs/s' }))));
      await assert.rejects(
        rootSm.send(
          new PutResourcePolicyCommand({
            SecretId: 'rs/s',
            ResourcePolicy: JSON.stringify(
              policy({
                Effect: 'Allow',
                Principal: { AWS: `arn:aws:sts::${ACCOUNT}:assumed-role/not-yet/sess` },
                Action: 'secretsmanager:GetSecretValue',
                Resource: '*',
              }),
            ),
          }),
        ),
        (e: Error) => e.name === 'MalformedPolicyDocumentException',
      );
    },
  );

  it('a parameter has one rotation schedule whichever spelling names it', async () => {
    const coffer = rootCoffer();
    await coffer.call('RegisterFunction', { Name: 'pw-param', Builtin: 'random-password' }).catch(() => undefined);
    await root.ssm.send(new PutParameterCommand({ Name: '/rot/spelled', Value: 'v', Type: 'SecureString' }));
    const arn = `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/rot/spelled`;
    await coffer.call('RotateParameter', {
      Name: arn,
      RotationFunction: 'pw-param',
      RotateImmediately: false,
      RotationRules: { AutomaticallyAfterDays: 30 },
    });
    const cancelled = await coffer.call('CancelParameterRotation', { Name: '/rot/spelled' });
    assert.equal(cancelled.Name, '/rot/spelled');
    await assert.rejects(
      coffer.call('RotateParameter', {
        Name: '/aws/reference/secretsmanager/app/versions',
        RotationFunction: 'pw-param',
      }),
      (e: Error & { code: string }) => e.code === 'ValidationException',
    );
  });
});
