/**
 * Every action of every service, walked from the service models: each permission an action
 * needs on a parameter, a secret or a key carries that resource's tags (an aws:ResourceTag Deny
 * stops it) and, for secrets and keys, its own policy (a Deny there stops it too). An action
 * whose permission names no one resource is listed below with the reason, so a new action cannot
 * slip through without a decision here (finding 2's class).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cofferServices } from '../../src/api/coffer-services.js';
import type { Coffer } from '../../src/bootstrap/open-coffer.js';
import { AccessControl } from '../../src/engine/iam/access-control.js';
import type { Caller } from '../../src/engine/iam/caller.js';
import { parsePolicyDocument } from '../../src/engine/iam/policy-document.js';
import { CompiledPolicy } from '../../src/engine/iam/policy-evaluator.js';
import type { Permission, RequestContext } from '../../src/engine/request-context.js';
import { freshCoffer } from '../helpers/test-stores.js';

const ACCOUNT = '123456789012';
const ctx: RequestContext = {
  account: ACCOUNT,
  region: 'us-east-1',
  principalArn: `arn:aws:iam::${ACCOUNT}:user/table`,
};
const RESTRICTED = { Key: 'classification', Value: 'restricted' };

/** Actions whose permission is on `*` or on no one taggable resource, and why that is right. */
const ACCOUNT_LEVEL: Record<string, string> = {
  'ssm:DescribeParameters': 'AWS authorizes it on *; it returns metadata only',
  'ssm:GetParametersByPath':
    'authorized on the path; each parameter returned then passes a Deny check of its own (security-authorization test)',
  'secretsmanager:ListSecrets': 'AWS authorizes it on *; metadata only',
  'secretsmanager:GetRandomPassword': 'touches no resource',
  'secretsmanager:BatchGetSecretValue':
    'authorized on *, then each secret as GetSecretValue (security-authorization test)',
  'secretsmanager:CreateSecret': 'the secret does not exist yet: its request tags are the condition keys',
  'kms:CreateKey': 'the key does not exist yet',
  'kms:ListKeys': 'AWS authorizes it on *',
  'kms:ListAliases': 'AWS authorizes it on *',
  'kms:GenerateRandom': 'AWS authorizes it on *; it touches no key',
  'coffer:RegisterFunction': "authorized on the function's ARN; functions carry no tags or policy",
  'coffer:ListFunctions': 'lists functions, authorized on *',
  'coffer:RemoveFunction': "authorized on the function's ARN; functions carry no tags or policy",
  'cloudtrail:LookupEvents': 'AWS authorizes it on *; the trail holds metadata only, never a value',
  'coffer:GetAccessReport': 'authorized on *, then each item on its own ARN (test/cli/audit-commands.test.ts)',
};

/** Services whose resources have a policy of their own (secrets' resource policies, key policies). */
const WITH_POLICY = new Set(['secretsmanager', 'kms']);

function caller(statements: object[], principalId: string): Caller {
  return {
    kind: 'user',
    arn: ctx.principalArn,
    principalArn: ctx.principalArn,
    account: ACCOUNT,
    userId: principalId,
    principalId,
    userName: 'table',
    tags: new Map(),
    policies: [
      new CompiledPolicy('p', parsePolicyDocument(JSON.stringify({ Version: '2012-10-17', Statement: statements }))),
    ],
  };
}

describe('authorization table: every action on a resource checks its tags and its policy', () => {
  let coffer: Coffer;
  let done: () => Promise<void>;
  let input: Record<string, unknown>;
  let principalId: string;

  before(async () => {
    ({ coffer, done } = await freshCoffer('sqlite'));
    const root: RequestContext = { ...ctx, principalArn: `arn:aws:iam::${ACCOUNT}:root` };
    // The caller exists: resource and key policies may name only principals that do.
    principalId = (await coffer.iam.principals.createUser(root, { UserName: 'table' })).User.UserId!;
    await coffer.parameters.putParameter(root, { Name: '/t/p', Value: 'v', Type: 'SecureString', Tags: [RESTRICTED] });
    await coffer.secrets.store.createSecret(root, { Name: 't/s', SecretString: 'v', Tags: [RESTRICTED] });
    await coffer.secrets.policies.putResourcePolicy(root, {
      SecretId: 't/s',
      ResourcePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Deny', Principal: { AWS: ctx.principalArn }, Action: '*', Resource: '*' }],
      }),
    });
    const key = (
      (await coffer.kms.createKey(root, {
        Tags: [{ TagKey: 'classification', TagValue: 'restricted' }],
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
            { Effect: 'Deny', Principal: { AWS: ctx.principalArn }, Action: '*', Resource: '*' },
          ],
        }),
      })) as { KeyMetadata: { KeyId: string } }
    ).KeyMetadata.KeyId;
    await coffer.kms.createAlias(root, { AliasName: 'alias/t', TargetKeyId: key });
    const blob = (
      (await coffer.kms.encrypt(root, { KeyId: key, Plaintext: Buffer.from('x').toString('base64') as never })) as {
        CiphertextBlob: string;
      }
    ).CiphertextBlob;
    input = {
      Name: '/t/p',
      Names: ['/t/p'],
      Path: '/t',
      ResourceType: 'Parameter',
      ResourceId: '/t/p',
      Labels: ['l'],
      ParameterVersion: 1,
      Tags: [],
      TagKeys: ['x'],
      SecretId: 't/s',
      SecretIdList: ['t/s'],
      VersionStage: 'AWSCURRENT',
      KeyId: key,
      TargetKeyId: key,
      AliasName: 'alias/t',
      CiphertextBlob: blob,
      Plaintext: 'eA==',
    };
  });
  after(() => done());

  it(
    'covers every action of every model, and refuses each resource-bound one under a tag Deny and a resource-policy ' +
      'Deny',
    async () => {
      const access = new AccessControl();
      const tagDeny = caller(
        [
          { Effect: 'Allow', Action: '*', Resource: '*' },
          {
            Effect: 'Deny',
            Action: '*',
            Resource: '*',
            Condition: { StringEquals: { 'aws:ResourceTag/classification': 'restricted' } },
          },
        ],
        principalId,
      );
      const allowAll = caller([{ Effect: 'Allow', Action: '*', Resource: '*' }], principalId);
      const facts = { service: 'ssm', region: 'us-east-1', secureTransport: false };
      const unchecked: string[] = [];
      let checked = 0;
      for (const service of cofferServices(coffer)) {
        // IAM entities and STS: no resource policies or resource tags here.
        if (service.name === 'iam' || service.name === 'sts') continue;
        for (const action of Object.keys(service.model.operations)) {
          const iamAction = `${service.name}:${action}`;
          const permissions: Permission[] = await service.permissionsFor(ctx, action, {
            ...input,
            Name: service.name === 'coffer' ? '/t/p' : input.Name,
          });
          const onResource = permissions.filter(
            (p) => p.resource !== '*' && (p.resourceTags !== undefined || p.resourcePolicy !== undefined),
          );
          if (onResource.length === 0) {
            if (!(iamAction in ACCOUNT_LEVEL)) unchecked.push(iamAction);
            continue;
          }
          for (const permission of onResource) {
            assert.equal(
              (await access.decide(tagDeny, facts, permission)).effect,
              'ExplicitDeny',
              `${iamAction} on ${permission.resource}: tag Deny`,
            );
            if (WITH_POLICY.has(service.name) && permission.resource.includes(':key/') === (service.name === 'kms')) {
              assert.equal(
                (await access.decide(allowAll, facts, permission)).effect,
                'ExplicitDeny',
                `${iamAction} on ${permission.resource}: policy Deny`,
              );
            }
            checked++;
          }
        }
      }
      assert.deepEqual(unchecked, [], 'every action names its resource, or is listed as account-level with a reason');
      assert.ok(checked > 40, `${checked} permissions checked`);
    },
  );
});
