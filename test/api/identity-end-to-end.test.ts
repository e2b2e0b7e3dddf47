/**
 * IAM, STS and KMS through the AWS SDK against the real server, on each backend: entity and
 * policy lifecycles with AWS's errors, groups and managed policies, explicit deny, access-key
 * status, root-key replacement, AssumeRole's trust checks, SimulatePrincipalPolicy, and KMS
 * key lifecycle and envelope encryption.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteConflictException,
  DeletePolicyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  DetachUserPolicyCommand,
  EntityAlreadyExistsException,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  ListPoliciesCommand,
  ListUserPoliciesCommand,
  ListUsersCommand,
  PutRolePolicyCommand,
  ListUserTagsCommand,
  MalformedPolicyDocumentException,
  NoSuchEntityException,
  PutUserPolicyCommand,
  RemoveUserFromGroupCommand,
  SimulatePrincipalPolicyCommand,
  TagUserCommand,
  UntagUserCommand,
  UpdateAccessKeyCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GetKeyRotationStatusCommand,
  ListAliasesCommand,
  ListKeysCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import {
  clientsFor,
  isDenied,
  userWithKey,
  type Credentials,
  type ServiceClients,
} from '../helpers/identity-clients.js';
import { ROOT, startServer, type RunningServer } from '../helpers/server-process.js';
import { BACKENDS } from '../helpers/test-stores.js';

const ACCOUNT = '123456789012';
const READ_APP = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'ssm:GetParameter', Resource: 'arn:aws:ssm:*:*:parameter/app/*' }],
};

async function errorOf(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  return promise.then(
    () => assert.fail('expected a failure'),
    (e: Error) => e,
  );
}

for (const backend of BACKENDS) {
  describe(`IAM, STS and KMS end to end: ${backend}`, () => {
    let server: RunningServer;
    let root: ServiceClients;
    const opened: ServiceClients[] = [];
    const as = (credentials: Credentials) => {
      const clients = clientsFor(server, credentials);
      opened.push(clients);
      return clients;
    };

    before(async () => {
      server = await startServer({ backend });
      root = as(ROOT);
      await root.ssm.send(new PutParameterCommand({ Name: '/app/db', Value: 'db-secret-value', Type: 'String' }));
    });
    after(async () => {
      opened.forEach((c) => {
        c.destroy();
      });
      assert.equal(await server.stop(), 0);
    });

    it("creates, reads, lists, tags and deletes users with AWS's errors", async () => {
      const created = await root.iam.send(
        new CreateUserCommand({ UserName: 'ann', Path: '/team/', Tags: [{ Key: 'team', Value: 'red' }] }),
      );
      assert.equal(created.User!.Arn, `arn:aws:iam::${ACCOUNT}:user/team/ann`);
      assert.match(created.User!.UserId!, /^AIDA[A-Z2-7]{17}$/);
      await assert.rejects(
        root.iam.send(new CreateUserCommand({ UserName: 'ann' })),
        (e: Error) =>
          e instanceof EntityAlreadyExistsException &&
          (e as EntityAlreadyExistsException).$metadata.httpStatusCode === 409,
      );
      await assert.rejects(
        root.iam.send(new GetUserCommand({ UserName: 'nobody' })),
        (e: Error) => e instanceof NoSuchEntityException && /The user with name nobody cannot be found/.test(e.message),
      );
      assert.equal((await root.iam.send(new GetUserCommand({ UserName: 'ann' }))).User!.Path, '/team/');
      await root.iam.send(
        new TagUserCommand({
          UserName: 'ann',
          Tags: [
            { Key: 'Team', Value: 'blue' },
            { Key: 'cost', Value: '7' },
          ],
        }),
      );
      await root.iam.send(new UntagUserCommand({ UserName: 'ann', TagKeys: ['cost'] }));
      assert.deepEqual((await root.iam.send(new ListUserTagsCommand({ UserName: 'ann' }))).Tags, [
        { Key: 'Team', Value: 'blue' },
      ]);
      assert.ok(
        (await root.iam.send(new ListUsersCommand({ PathPrefix: '/team/' }))).Users!.some((u) => u.UserName === 'ann'),
      );
      await root.iam.send(
        new PutUserPolicyCommand({ UserName: 'ann', PolicyName: 'read', PolicyDocument: JSON.stringify(READ_APP) }),
      );
      const policy = await root.iam.send(new GetUserPolicyCommand({ UserName: 'ann', PolicyName: 'read' }));
      assert.deepEqual(JSON.parse(decodeURIComponent(policy.PolicyDocument!)), READ_APP);
      assert.deepEqual((await root.iam.send(new ListUserPoliciesCommand({ UserName: 'ann' }))).PolicyNames, ['read']);
      await assert.rejects(root.iam.send(new DeleteUserCommand({ UserName: 'ann' })), DeleteConflictException);
      await root.iam.send(new DeleteUserPolicyCommand({ UserName: 'ann', PolicyName: 'read' }));
      await root.iam.send(new DeleteUserCommand({ UserName: 'ann' }));
      await assert.rejects(root.iam.send(new GetUserCommand({ UserName: 'ann' })), NoSuchEntityException);
    });

    it('refuses malformed policies at write time and stores nothing', async () => {
      await root.iam.send(new CreateUserCommand({ UserName: 'malformed' }));
      for (const doc of [
        '{',
        JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ssm:GetParameter' }] }),
        JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Permit', Action: '*', Resource: '*' }] }),
      ]) {
        await assert.rejects(
          root.iam.send(new PutUserPolicyCommand({ UserName: 'malformed', PolicyName: 'p', PolicyDocument: doc })),
          MalformedPolicyDocumentException,
        );
        await assert.rejects(
          root.iam.send(new CreatePolicyCommand({ PolicyName: 'bad', PolicyDocument: doc })),
          MalformedPolicyDocumentException,
        );
      }
      assert.deepEqual((await root.iam.send(new ListUserPoliciesCommand({ UserName: 'malformed' }))).PolicyNames, []);
      await assert.rejects(
        root.iam.send(new GetPolicyCommand({ PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/bad` })),
        NoSuchEntityException,
      );
    });

    it(
      'grants through groups and managed policies (AWS-managed and customer, with versions), and an explicit deny ' +
        'wins',
      async () => {
        const key = await userWithKey(root.iam, 'gail', {});
        const gail = as(key);
        assert.ok(await isDenied(gail.ssm.send(new GetParameterCommand({ Name: '/app/db' }))));
        await root.iam.send(new CreateGroupCommand({ GroupName: 'readers' }));
        await root.iam.send(
          new AttachGroupPolicyCommand({
            GroupName: 'readers',
            PolicyArn: 'arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess',
          }),
        );
        await root.iam.send(new AddUserToGroupCommand({ GroupName: 'readers', UserName: 'gail' }));
        assert.equal(
          (await gail.ssm.send(new GetParameterCommand({ Name: '/app/db' }))).Parameter!.Value,
          'db-secret-value',
        );
        await root.iam.send(new RemoveUserFromGroupCommand({ GroupName: 'readers', UserName: 'gail' }));
        assert.ok(
          await isDenied(gail.ssm.send(new GetParameterCommand({ Name: '/app/db' }))),
          'leaving the group takes effect at once',
        );

        const arn = (
          await root.iam.send(
            new CreatePolicyCommand({ PolicyName: 'app-read', PolicyDocument: JSON.stringify(READ_APP) }),
          )
        ).Policy!.Arn!;
        await root.iam.send(new AttachUserPolicyCommand({ UserName: 'gail', PolicyArn: arn }));
        assert.ok((await gail.ssm.send(new GetParameterCommand({ Name: '/app/db' }))).Parameter);
        assert.equal((await root.iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!.AttachmentCount, 1);
        const deny = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'ssm:*', Resource: '*' }] };
        const v2 = await root.iam.send(
          new CreatePolicyVersionCommand({
            PolicyArn: arn,
            PolicyDocument: JSON.stringify({ ...READ_APP, Statement: [...READ_APP.Statement, ...deny.Statement] }),
            SetAsDefault: true,
          }),
        );
        assert.equal(v2.PolicyVersion!.VersionId, 'v2');
        const denied = await errorOf(gail.ssm.send(new GetParameterCommand({ Name: '/app/db' })));
        assert.match(denied.message, /with an explicit deny in an identity-based policy/);
        assert.ok(
          (await root.iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' }))).PolicyVersion!
            .Document,
        );
        assert.deepEqual(
          (await root.iam.send(new ListAttachedUserPoliciesCommand({ UserName: 'gail' }))).AttachedPolicies!.map(
            (p) => p.PolicyName,
          ),
          ['app-read'],
        );
        await assert.rejects(root.iam.send(new DeletePolicyCommand({ PolicyArn: arn })), DeleteConflictException);
        await root.iam.send(new DetachUserPolicyCommand({ UserName: 'gail', PolicyArn: arn }));
        const listed = await root.iam.send(new ListPoliciesCommand({ Scope: 'AWS' }));
        assert.ok(listed.Policies!.some((p) => p.PolicyName === 'SecretsManagerReadWrite'));
      },
    );

    it('refuses inactive and deleted keys, and a user may manage its own keys when allowed', async () => {
      const key = await userWithKey(root.iam, 'kim', {
        self: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'iam:*AccessKey*', Resource: 'arn:aws:iam::*:user/${aws:username}' }],
        },
      });
      const kim = as(key);
      assert.equal((await kim.sts.send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:iam::${ACCOUNT}:user/kim`);
      assert.equal(
        (await kim.iam.send(new ListAccessKeysCommand({}))).AccessKeyMetadata![0]!.AccessKeyId,
        key.accessKeyId,
      );
      assert.ok(await isDenied(kim.iam.send(new ListAccessKeysCommand({ UserName: 'gail' }))));
      await root.iam.send(
        new UpdateAccessKeyCommand({ UserName: 'kim', AccessKeyId: key.accessKeyId, Status: 'Inactive' }),
      );
      assert.equal((await errorOf(kim.sts.send(new GetCallerIdentityCommand({})))).name, 'InvalidClientTokenId');
      await root.iam.send(
        new UpdateAccessKeyCommand({ UserName: 'kim', AccessKeyId: key.accessKeyId, Status: 'Active' }),
      );
      assert.ok(await kim.sts.send(new GetCallerIdentityCommand({})));
      await root.iam.send(new DeleteAccessKeyCommand({ UserName: 'kim', AccessKeyId: key.accessKeyId }));
      assert.equal(
        (await errorOf(kim.ssm.send(new GetParameterCommand({ Name: '/app/db' })))).name,
        'UnrecognizedClientException',
      );
    });

    it('lets root replace its own key: the new one works, the old one stops', async () => {
      const created = (await root.iam.send(new CreateAccessKeyCommand({}))).AccessKey!;
      assert.equal(created.UserName, undefined);
      const next = as({ accessKeyId: created.AccessKeyId!, secretAccessKey: created.SecretAccessKey! });
      assert.equal((await next.sts.send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:iam::${ACCOUNT}:root`);
      await next.iam.send(new DeleteAccessKeyCommand({ AccessKeyId: ROOT.accessKeyId }));
      assert.equal(
        (await errorOf(root.ssm.send(new GetParameterCommand({ Name: '/app/db' })))).name,
        'UnrecognizedClientException',
      );
      root = next; // the tests that follow sign with the new root key
    });

    it('AssumeRole checks the trust policy, bounds the duration, and its credentials act as the role', async () => {
      const trust = {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/rita` }, Action: 'sts:AssumeRole' },
        ],
      };
      // As in AWS, a trust policy may name only principals that exist.
      await assert.rejects(
        root.iam.send(
          new CreateRoleCommand({ RoleName: 'app-reader', AssumeRolePolicyDocument: JSON.stringify(trust) }),
        ),
        (e: Error) => e instanceof MalformedPolicyDocumentException && /Invalid principal/.test(e.message),
      );
      const rita = as(await userWithKey(root.iam, 'rita', {}));
      await root.iam.send(
        new CreateRoleCommand({
          RoleName: 'app-reader',
          AssumeRolePolicyDocument: JSON.stringify(trust),
          MaxSessionDuration: 7200,
        }),
      );
      await root.iam.send(
        new AttachUserPolicyCommand({ UserName: 'gail', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }),
      );
      await root.iam.send(
        new PutRolePolicyCommand({
          RoleName: 'app-reader',
          PolicyName: 'read',
          PolicyDocument: JSON.stringify(READ_APP),
        }),
      );
      const other = as(
        await userWithKey(root.iam, 'otto', {
          all: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] },
        }),
      );
      const roleArn = `arn:aws:iam::${ACCOUNT}:role/app-reader`;
      assert.ok(
        await isDenied(other.sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'x1' }))),
        'not trusted',
      );
      assert.ok(
        await isDenied(
          rita.sts.send(
            new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/missing`, RoleSessionName: 'x1' }),
          ),
        ),
      );
      assert.ok(
        await isDenied(
          rita.sts.send(
            new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'x1', Tags: [{ Key: 'a', Value: 'b' }] }),
          ),
        ),
        'tags need sts:TagSession',
      );
      assert.ok(
        await isDenied(root.sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'x1' }))),
        'root may not assume roles',
      );
      assert.equal(
        (
          await errorOf(
            rita.sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'x1', DurationSeconds: 7201 })),
          )
        ).name,
        'ValidationError',
      );
      const session = await rita.sts.send(
        new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'job-42', DurationSeconds: 7200 }),
      );
      const expires = session.Credentials!.Expiration!.getTime();
      assert.ok(Math.abs(expires - (Date.now() + 7200_000)) < 60_000);
      const c = session.Credentials!;
      const role = as({
        accessKeyId: c.AccessKeyId!,
        secretAccessKey: c.SecretAccessKey!,
        sessionToken: c.SessionToken!,
      });
      const identity = await role.sts.send(new GetCallerIdentityCommand({}));
      assert.equal(identity.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/app-reader/job-42`);
      assert.match(identity.UserId!, /^AROA[A-Z2-7]{17}:job-42$/);
      assert.equal(
        (await role.ssm.send(new GetParameterCommand({ Name: '/app/db' }))).Parameter!.Value,
        'db-secret-value',
      );
      assert.ok(
        await isDenied(role.ssm.send(new PutParameterCommand({ Name: '/app/db', Value: 'x', Overwrite: true }))),
      );
      const forged = as({
        accessKeyId: c.AccessKeyId!,
        secretAccessKey: c.SecretAccessKey!,
        sessionToken: `${c.SessionToken!.slice(0, -4)}AAAA`,
      });
      assert.equal((await errorOf(forged.sts.send(new GetCallerIdentityCommand({})))).name, 'InvalidClientTokenId');
      await root.iam.send(
        new UpdateAssumeRolePolicyCommand({
          RoleName: 'app-reader',
          PolicyDocument: JSON.stringify({ ...trust, Statement: [{ ...trust.Statement[0], Effect: 'Deny' }] }),
        }),
      );
      assert.ok(await isDenied(rita.sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'x2' }))));
      assert.ok((await root.iam.send(new GetRoleCommand({ RoleName: 'app-reader' }))).Role!.AssumeRolePolicyDocument);
    });

    it('SimulatePrincipalPolicy says whether an action is allowed and which statement decided', async () => {
      const simulated = await root.iam.send(
        new SimulatePrincipalPolicyCommand({
          PolicySourceArn: `arn:aws:iam::${ACCOUNT}:role/app-reader`,
          ActionNames: ['ssm:GetParameter', 'ssm:PutParameter'],
          ResourceArns: ['arn:aws:ssm:us-east-1:123456789012:parameter/app/db'],
        }),
      );
      const [get, put] = simulated.EvaluationResults!;
      assert.equal(get!.EvalDecision, 'allowed');
      assert.equal(get!.MatchedStatements![0]!.SourcePolicyId, 'read');
      assert.deepEqual(get!.MatchedStatements![0]!.StartPosition, { Line: 1, Column: 38 });
      assert.equal(put!.EvalDecision, 'implicitDeny');
      await assert.rejects(
        root.iam.send(
          new SimulatePrincipalPolicyCommand({
            PolicySourceArn: `arn:aws:iam::${ACCOUNT}:user/none`,
            ActionNames: ['ssm:GetParameter'],
          }),
        ),
        NoSuchEntityException,
      );
    });

    it('KMS: keys, aliases, rotation flag, envelope encryption and scheduled deletion', async () => {
      const key = (await root.kms.send(new CreateKeyCommand({ Description: 'app key' }))).KeyMetadata!;
      assert.equal(key.KeyState, 'Enabled');
      await root.kms.send(new CreateAliasCommand({ AliasName: 'alias/app', TargetKeyId: key.KeyId! }));
      assert.ok(
        (await root.kms.send(new ListAliasesCommand({}))).Aliases!.some(
          (a) => a.AliasName === 'alias/aws/secretsmanager',
        ),
      );
      assert.ok((await root.kms.send(new ListKeysCommand({}))).Keys!.some((k) => k.KeyId === key.KeyId));
      await root.kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId! }));
      assert.equal(
        (await root.kms.send(new GetKeyRotationStatusCommand({ KeyId: 'alias/app' }))).KeyRotationEnabled,
        true,
      );
      const sealed = await root.kms.send(
        new EncryptCommand({
          KeyId: 'alias/app',
          Plaintext: Buffer.from('app secret'),
          EncryptionContext: { app: 'a' },
        }),
      );
      assert.equal(sealed.KeyId, key.Arn);
      const opened = await root.kms.send(
        new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob!, EncryptionContext: { app: 'a' } }),
      );
      assert.equal(Buffer.from(opened.Plaintext!).toString(), 'app secret');
      assert.equal(
        (
          await errorOf(
            root.kms.send(
              new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob!, EncryptionContext: { app: 'b' } }),
            ),
          )
        ).name,
        'InvalidCiphertextException',
      );
      const dataKey = await root.kms.send(new GenerateDataKeyCommand({ KeyId: key.Arn!, KeySpec: 'AES_256' }));
      assert.equal(dataKey.Plaintext!.length, 32);
      assert.deepEqual(
        Buffer.from((await root.kms.send(new DecryptCommand({ CiphertextBlob: dataKey.CiphertextBlob! }))).Plaintext!),
        Buffer.from(dataKey.Plaintext!),
      );
      // PutParameter's KeyId takes an id, ARN, alias name or alias ARN.
      for (const [i, ref] of [
        key.KeyId!,
        key.Arn!,
        'alias/app',
        `arn:aws:kms:us-east-1:${ACCOUNT}:alias/app`,
      ].entries()) {
        await root.ssm.send(
          new PutParameterCommand({ Name: `/app/kms/${i}`, Value: `v${i}`, Type: 'SecureString', KeyId: ref }),
        );
        assert.equal(
          (await root.ssm.send(new GetParameterCommand({ Name: `/app/kms/${i}`, WithDecryption: true }))).Parameter!
            .Value,
          `v${i}`,
        );
      }
      const scheduled = await root.kms.send(
        new ScheduleKeyDeletionCommand({ KeyId: key.KeyId!, PendingWindowInDays: 7 }),
      );
      assert.equal(scheduled.KeyState, 'PendingDeletion');
      assert.equal(
        (await errorOf(root.kms.send(new EncryptCommand({ KeyId: key.KeyId!, Plaintext: Buffer.from('x') })))).name,
        'KMSInvalidStateException',
      );
      assert.equal(
        (await errorOf(root.ssm.send(new GetParameterCommand({ Name: '/app/kms/0', WithDecryption: true })))).name,
        'KMSInvalidStateException',
      );
      await root.kms.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId! }));
      assert.equal(
        (await root.kms.send(new DescribeKeyCommand({ KeyId: key.KeyId! }))).KeyMetadata!.KeyState,
        'Disabled',
      );
      await root.kms.send(new DeleteAliasCommand({ AliasName: 'alias/app' }));
      assert.equal(
        (await errorOf(root.kms.send(new DescribeKeyCommand({ KeyId: 'alias/app' })))).name,
        'NotFoundException',
      );
      assert.equal(
        (await errorOf(root.kms.send(new DeleteAliasCommand({ AliasName: 'alias/aws/ssm' })))).name,
        'NotFoundException',
      );
    });
  });
}
