/**
 * The policies of the seed designs, verbatim, enforced end to end through the SDK against the
 * real server: seed 000's one-token Lambda policy, seed 002's read-only and read-write
 * policies, and seed 003's tenant-isolation policy (section 5.1) over a matrix of tenants and
 * principals, for users with principal tags and for role sessions with session tags.
 */
import assert from 'node:assert/strict';
import { POSTGRES_SKIP } from '../helpers/test-stores.js';
import { after, before, describe, it } from 'node:test';
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  DeleteUserPolicyCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  DeleteParameterCommand,
  DescribeParametersCommand,
  GetParameterCommand,
  GetParametersCommand,
  ParameterNotFound,
  PutParameterCommand,
} from '@aws-sdk/client-ssm';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { clientsFor, isDenied, userWithKey, type ServiceClients } from '../helpers/identity-clients.js';
import { startServer, type RunningServer } from '../helpers/server-process.js';

const ACCOUNT = '123456789012';

// Seed 000: the Lambda reads one token and may decrypt it.
const SEED_000_LAMBDA = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: ['ssm:GetParameter', 'ssm:GetParameters'],
      Resource: 'arn:aws:ssm:*:*:parameter/lee/ha/access_token',
    },
    { Effect: 'Allow', Action: ['kms:Decrypt'], Resource: 'arn:aws:kms:*:*:key/*' },
  ],
};

// Seed 002: read-only team members and a read-write admin.
const SEED_002_READ_ONLY = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:DescribeParameters'],
      Resource: 'arn:aws:ssm:*:*:parameter/benchling-webhook/*',
    },
    {
      Effect: 'Allow',
      Action: ['kms:Decrypt'],
      Resource: 'arn:aws:kms:*:*:key/*',
      Condition: { StringEquals: { 'kms:ViaService': 'ssm.us-east-1.amazonaws.com' } },
    },
  ],
};
const SEED_002_READ_WRITE = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: [
        'ssm:GetParameter',
        'ssm:GetParameters',
        'ssm:PutParameter',
        'ssm:DeleteParameter',
        'ssm:DescribeParameters',
      ],
      Resource: 'arn:aws:ssm:*:*:parameter/benchling-webhook/*',
    },
    {
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
      Resource: 'arn:aws:kms:*:*:key/*',
      Condition: { StringEquals: { 'kms:ViaService': 'ssm.us-east-1.amazonaws.com' } },
    },
  ],
};

// Seed 003, section 5.1, verbatim.
const TENANT_RESOURCE =
  'arn:aws:ssm:${AWS::Region}:${AWS::AccountId}:parameter/rcm/${aws:PrincipalTag/env}/${aws:PrincipalTag/tenant_id}/*';
const SEED_003_TENANT = `{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Action": ["ssm:GetParameter"],
    "Resource": "${TENANT_RESOURCE}",
    "Condition": {
      "StringEquals": {
        "aws:ResourceTag/TenantId": "\${aws:PrincipalTag/tenant_id}",
        "aws:ResourceTag/Environment": "\${aws:PrincipalTag/env}"
      }
    }
  }]
}`;
// What seed 003's rotation principals add: writing under their own tenant's path, and the KMS use SSM makes.
const TENANT_WRITER = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: ['ssm:PutParameter'],
      Resource: 'arn:aws:ssm:*:*:parameter/rcm/${aws:PrincipalTag/env}/${aws:PrincipalTag/tenant_id}/*',
    },
  ],
};
const KMS_VIA_SSM = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:Encrypt'],
      Resource: '*',
      Condition: { StringEquals: { 'kms:ViaService': 'ssm.us-east-1.amazonaws.com' } },
    },
  ],
};

const TENANTS = ['t1', 't2', 't3'];
const tenantParameter = (tenant: string) => `/rcm/prod/${tenant}/endpoints/endpoint-123/provider-456`;

describe('seed policies, enforced end to end', () => {
  let server: RunningServer;
  let root: ServiceClients;
  const opened: ServiceClients[] = [];
  const as = (credentials: Parameters<typeof clientsFor>[1], region?: string) => {
    const clients = clientsFor(server, credentials, region);
    opened.push(clients);
    return clients;
  };

  before(async () => {
    server = await startServer();
    root = as(undefined);
    await root.ssm.send(
      new PutParameterCommand({
        Name: '/lee/ha/access_token',
        Value: 'eyJhbGciOi-token',
        Type: 'SecureString',
        Tags: [{ Key: 'Project', Value: 'LEE' }],
      }),
    );
    await root.ssm.send(new PutParameterCommand({ Name: '/lee/ha/other', Value: 'other', Type: 'SecureString' }));
    await root.ssm.send(
      new PutParameterCommand({ Name: '/benchling-webhook/default', Value: '{"tenant":"x"}', Type: 'SecureString' }),
    );
    for (const tenant of TENANTS) {
      await root.ssm.send(
        new PutParameterCommand({
          Name: tenantParameter(tenant),
          Value: `secret-of-${tenant}`,
          Type: 'SecureString',
          Tags: [
            { Key: 'TenantId', Value: tenant },
            { Key: 'Environment', Value: 'prod' },
          ],
        }),
      );
    }
    // Under t1's path, but tagged for t2: the resource-tag condition must refuse t1.
    await root.ssm.send(
      new PutParameterCommand({
        Name: '/rcm/prod/t1/mislabelled',
        Value: 'x',
        Type: 'SecureString',
        Tags: [
          { Key: 'TenantId', Value: 't2' },
          { Key: 'Environment', Value: 'prod' },
        ],
      }),
    );
  });
  after(async () => {
    opened.forEach((c) => {
      c.destroy();
    });
    assert.equal(await server.stop(), 0);
  });

  it(
    'seed 000: the Lambda reads and decrypts its one token, nothing else; without kms:Decrypt only a ' +
      'customer-managed key refuses',
    async () => {
      const lambda = as(await userWithKey(root.iam, 'lee-lambda', { ha: SEED_000_LAMBDA }));
      const got = await lambda.ssm.send(
        new GetParameterCommand({ Name: '/lee/ha/access_token', WithDecryption: true }),
      );
      assert.equal(got.Parameter!.Value, 'eyJhbGciOi-token');
      assert.equal(
        (await lambda.ssm.send(new GetParametersCommand({ Names: ['/lee/ha/access_token'], WithDecryption: true })))
          .Parameters![0]!.Value,
        'eyJhbGciOi-token',
      );
      assert.ok(
        await isDenied(lambda.ssm.send(new GetParameterCommand({ Name: '/lee/ha/other', WithDecryption: true }))),
      );
      assert.ok(
        await isDenied(
          lambda.ssm.send(
            new PutParameterCommand({
              Name: '/lee/ha/access_token',
              Value: 'x',
              Type: 'SecureString',
              Overwrite: true,
            }),
          ),
        ),
      );

      // As in AWS: the AWS-managed key aws/ssm lets every principal of the account decrypt through
      // SSM, so ssm:GetParameter alone reads it; a customer-managed key's default policy delegates
      // to IAM, so there kms:Decrypt in an identity policy is needed.
      const noKms = as(
        await userWithKey(root.iam, 'lee-lambda-nokms', {
          ha: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: ['ssm:GetParameter'],
                Resource: [
                  'arn:aws:ssm:*:*:parameter/lee/ha/access_token',
                  'arn:aws:ssm:*:*:parameter/lee/ha/cmk_token',
                ],
              },
            ],
          },
        }),
      );
      assert.equal(
        (await noKms.ssm.send(new GetParameterCommand({ Name: '/lee/ha/access_token', WithDecryption: true })))
          .Parameter!.Value,
        'eyJhbGciOi-token',
      );
      const cmk = (await root.kms.send(new CreateKeyCommand({ Description: 'seed 000 cmk' }))).KeyMetadata!.KeyId!;
      await root.ssm.send(
        new PutParameterCommand({ Name: '/lee/ha/cmk_token', Value: 'cmk-token', Type: 'SecureString', KeyId: cmk }),
      );
      const denied = await noKms.ssm
        .send(new GetParameterCommand({ Name: '/lee/ha/cmk_token', WithDecryption: true }))
        .catch((e: Error) => e);
      assert.equal((denied as Error).name, 'AccessDeniedException');
      assert.match(
        (denied as Error).message,
        new RegExp(
          `user/lee-lambda-nokms is not authorized to perform: kms:Decrypt on resource: ` +
            `arn:aws:kms:us-east-1:123456789012:key/${cmk}`,
        ),
      );
      assert.doesNotMatch((denied as Error).message, /cmk-token/);
      const sealed = await noKms.ssm.send(new GetParameterCommand({ Name: '/lee/ha/cmk_token' }));
      assert.notEqual(
        sealed.Parameter!.Value,
        'cmk-token',
        'without decryption the read is allowed and shows ciphertext',
      );
      assert.equal(
        (await lambda.ssm.send(new GetParameterCommand({ Name: '/lee/ha/access_token', WithDecryption: true })))
          .Parameter!.Value,
        'eyJhbGciOi-token',
      );
    },
  );

  it('authorizes before existence: a denied caller cannot tell a missing name from a forbidden one', async () => {
    const lambda = as(await userWithKey(root.iam, 'prober', { ha: SEED_000_LAMBDA }));
    assert.ok(await isDenied(lambda.ssm.send(new GetParameterCommand({ Name: '/lee/ha/does-not-exist' }))));
    assert.ok(await isDenied(lambda.ssm.send(new GetParameterCommand({ Name: '/lee/ha/other' }))));
    await assert.rejects(root.ssm.send(new GetParameterCommand({ Name: '/lee/ha/does-not-exist' })), ParameterNotFound);
  });

  it(
    'seed 002: read-only members read and decrypt but cannot write; the admin writes; DescribeParameters needs ' + '*',
    async () => {
      const reader = as(await userWithKey(root.iam, 'bw-reader', { ro: SEED_002_READ_ONLY }));
      const admin = as(await userWithKey(root.iam, 'bw-admin', { rw: SEED_002_READ_WRITE }));
      assert.equal(
        (await reader.ssm.send(new GetParameterCommand({ Name: '/benchling-webhook/default', WithDecryption: true })))
          .Parameter!.Value,
        '{"tenant":"x"}',
      );
      assert.ok(
        await isDenied(
          reader.ssm.send(
            new PutParameterCommand({ Name: '/benchling-webhook/new', Value: 'v', Type: 'SecureString' }),
          ),
        ),
      );
      assert.ok(await isDenied(reader.ssm.send(new DeleteParameterCommand({ Name: '/benchling-webhook/default' }))));
      await admin.ssm.send(
        new PutParameterCommand({ Name: '/benchling-webhook/new', Value: 'v', Type: 'SecureString' }),
      );
      assert.equal(
        (await admin.ssm.send(new GetParameterCommand({ Name: '/benchling-webhook/new', WithDecryption: true })))
          .Parameter!.Value,
        'v',
      );
      await admin.ssm.send(new DeleteParameterCommand({ Name: '/benchling-webhook/new' }));
      assert.ok(
        await isDenied(
          admin.ssm.send(new PutParameterCommand({ Name: '/other/new', Value: 'v', Type: 'SecureString' })),
        ),
      );
      // As in AWS, DescribeParameters is authorized on "*", which a parameter-path Resource does not match.
      assert.ok(await isDenied(reader.ssm.send(new DescribeParametersCommand({}))));
    },
  );

  it(
    'seed 002: the kms:ViaService condition pins decryption with a customer-managed key to SSM in ' + 'us-east-1',
    async () => {
      const readerKey = await userWithKey(root.iam, 'bw-reader-eu', { ro: SEED_002_READ_ONLY });
      const rootEu = as(undefined, 'eu-west-1');
      const euKey = (await rootEu.kms.send(new CreateKeyCommand({ Description: 'eu cmk' }))).KeyMetadata!.KeyId!;
      await rootEu.ssm.send(
        new PutParameterCommand({
          Name: '/benchling-webhook/eu',
          Value: 'eu-secret',
          Type: 'SecureString',
          KeyId: euKey,
        }),
      );
      const readerEu = as(readerKey, 'eu-west-1');
      assert.ok(
        await isDenied(
          readerEu.ssm.send(new GetParameterCommand({ Name: '/benchling-webhook/eu', WithDecryption: true })),
        ),
      );
      assert.ok((await readerEu.ssm.send(new GetParameterCommand({ Name: '/benchling-webhook/eu' }))).Parameter);
    },
  );

  /** Every principal's view of every tenant's parameter: allowed exactly on the diagonal. */
  async function assertTenantMatrix(
    principals: { tenant: string; writer: boolean; clients: ServiceClients }[],
  ): Promise<void> {
    const observed: string[] = [];
    const expected: string[] = [];
    for (const p of principals) {
      for (const target of TENANTS) {
        const own = p.tenant === target;
        const read = !(await isDenied(
          p.clients.ssm.send(new GetParameterCommand({ Name: tenantParameter(target), WithDecryption: true })),
        ));
        const write = !(await isDenied(
          p.clients.ssm.send(
            new PutParameterCommand({
              Name: tenantParameter(target),
              Value: `rotated-by-${p.tenant}`,
              Type: 'SecureString',
              Overwrite: true,
            }),
          ),
        ));
        observed.push(`${p.tenant}/${p.writer ? 'writer' : 'reader'} -> ${target}: read=${read} write=${write}`);
        expected.push(
          `${p.tenant}/${p.writer ? 'writer' : 'reader'} -> ${target}: read=${own} write=${own && p.writer}`,
        );
      }
      assert.ok(
        await isDenied(
          p.clients.ssm.send(new GetParameterCommand({ Name: '/rcm/prod/t1/mislabelled', WithDecryption: true })),
        ),
      );
    }
    assert.deepEqual(observed, expected);
  }

  it('seed 003: the verbatim tenant policy isolates three tenants for reader and writer users', async () => {
    const principals = [];
    for (const tenant of TENANTS) {
      for (const writer of [false, true]) {
        const policies: Record<string, object | string> = {
          tenant: JSON.parse(SEED_003_TENANT),
          kms: KMS_VIA_SSM,
          ...(writer ? { write: TENANT_WRITER } : {}),
        };
        const key = await userWithKey(
          root.iam,
          `${tenant}-${writer ? 'writer' : 'reader'}`,
          policies as Record<string, object>,
          { tenant_id: tenant, env: 'prod' },
        );
        principals.push({ tenant, writer, clients: as(key) });
      }
    }
    await assertTenantMatrix(principals);
  });

  it('seed 003: role sessions with session tags get the same isolation', async () => {
    const policyArn = (
      await root.iam.send(
        new CreatePolicyCommand({ PolicyName: 'rcm-tenant-isolation', PolicyDocument: SEED_003_TENANT }),
      )
    ).Policy!.Arn!;
    const trust = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: ['sts:AssumeRole', 'sts:TagSession'],
        },
      ],
    };
    for (const role of ['tenant-reader', 'tenant-writer']) {
      await root.iam.send(new CreateRoleCommand({ RoleName: role, AssumeRolePolicyDocument: JSON.stringify(trust) }));
      await root.iam.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: policyArn }));
      await root.iam.send(
        new PutRolePolicyCommand({ RoleName: role, PolicyName: 'kms', PolicyDocument: JSON.stringify(KMS_VIA_SSM) }),
      );
    }
    await root.iam.send(
      new PutRolePolicyCommand({
        RoleName: 'tenant-writer',
        PolicyName: 'write',
        PolicyDocument: JSON.stringify(TENANT_WRITER),
      }),
    );
    // The gateway may assume the tenant roles (the trust policy names only the account, so its own policy must allow
    // it).
    const gateway = as(
      await userWithKey(root.iam, 'gateway', {
        assume: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: ['sts:AssumeRole', 'sts:TagSession'],
              Resource: `arn:aws:iam::${ACCOUNT}:role/tenant-*`,
            },
          ],
        },
      }),
    );
    const principals = [];
    for (const tenant of TENANTS) {
      for (const writer of [false, true]) {
        const session = await gateway.sts.send(
          new AssumeRoleCommand({
            RoleArn: `arn:aws:iam::${ACCOUNT}:role/${writer ? 'tenant-writer' : 'tenant-reader'}`,
            RoleSessionName: `${tenant}-session`,
            Tags: [
              { Key: 'tenant_id', Value: tenant },
              { Key: 'env', Value: 'prod' },
            ],
          }),
        );
        const c = session.Credentials!;
        principals.push({
          tenant,
          writer,
          clients: as({
            accessKeyId: c.AccessKeyId!,
            secretAccessKey: c.SecretAccessKey!,
            sessionToken: c.SessionToken!,
          }),
        });
      }
    }
    await assertTenantMatrix(principals);
  });
});

describe('policy changes across nodes', { skip: POSTGRES_SKIP }, () => {
  it(
    'a policy removed on one node is enforced by another node sharing the PostgreSQL store within ' + 'seconds',
    async () => {
      const first = await startServer({ backend: 'postgres' });
      const second = await startServer({
        env: { COFFER_DATABASE_URL: first.location.databaseUrl!, COFFER_DATA_DIR: first.location.dataDir },
      });
      const onFirst = clientsFor(first);
      const opened = [onFirst];
      try {
        await onFirst.ssm.send(
          new PutParameterCommand({ Name: '/lee/ha/access_token', Value: 'token', Type: 'SecureString' }),
        );
        const key = await userWithKey(onFirst.iam, 'node-user', { ha: SEED_000_LAMBDA });
        const onSecond = clientsFor(second, key);
        opened.push(onSecond);
        assert.equal(
          (await onSecond.ssm.send(new GetParameterCommand({ Name: '/lee/ha/access_token', WithDecryption: true })))
            .Parameter!.Value,
          'token',
        );
        await onFirst.iam.send(new DeleteUserPolicyCommand({ UserName: 'node-user', PolicyName: 'ha' }));
        const deadline = Date.now() + 10_000;
        let denied = false;
        while (!denied && Date.now() < deadline) {
          denied = await isDenied(onSecond.ssm.send(new GetParameterCommand({ Name: '/lee/ha/access_token' })));
          if (!denied) await new Promise((resolve) => setTimeout(resolve, 200));
        }
        assert.ok(denied, 'the second node noticed the change through the shared generation counter');
      } finally {
        opened.forEach((c) => {
          c.destroy();
        });
        await second.stop().catch(() => {});
        await first.stop();
      }
    },
  );
});
