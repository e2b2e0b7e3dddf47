/**
 * AccessControl: global condition keys come from the caller and the request, denials carry
 * the service's error and name principal, action and resource, and a reused decision never
 * outlives the inputs it was made from.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AccessControl, type RequestFacts } from '../../../src/engine/iam/access-control.js';
import type { Caller } from '../../../src/engine/iam/caller.js';
import { parsePolicyDocument } from '../../../src/engine/iam/policy-document.js';
import { CompiledPolicy } from '../../../src/engine/iam/policy-evaluator.js';
import { expectError } from '../../helpers/expect-error.js';

function callerWith(statements: object[], tags: Record<string, string> = {}): Caller {
  return {
    kind: 'user',
    arn: 'arn:aws:iam::123456789012:user/ann',
    principalArn: 'arn:aws:iam::123456789012:user/ann',
    account: '123456789012',
    userId: 'AIDAEXAMPLE',
    principalId: 'AIDAEXAMPLE',
    userName: 'ann',
    tags: new Map(Object.entries(tags)),
    policies: [
      new CompiledPolicy('p', parsePolicyDocument(JSON.stringify({ Version: '2012-10-17', Statement: statements }))),
    ],
  };
}

const facts = (extra: Partial<RequestFacts> = {}): RequestFacts => ({
  service: 'ssm',
  region: 'us-east-1',
  sourceIp: '127.0.0.1',
  secureTransport: false,
  ...extra,
});
const PARAM = 'arn:aws:ssm:us-east-1:123456789012:parameter/app/x';

describe('access control', () => {
  const access = new AccessControl();

  it("re-decides when the request's inputs change, however often a decision was reused", async () => {
    const caller = callerWith([
      {
        Effect: 'Allow',
        Action: 'ssm:GetParameter',
        Resource: 'arn:aws:ssm:*:*:parameter/app/*',
        Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } },
      },
    ]);
    for (let i = 0; i < 3; i++) {
      assert.equal(
        (await access.decide(caller, facts(), { action: 'ssm:GetParameter', resource: PARAM })).effect,
        'Allow',
      );
      assert.equal(
        (await access.decide(caller, facts({ sourceIp: '10.0.0.1' }), { action: 'ssm:GetParameter', resource: PARAM }))
          .effect,
        'ImplicitDeny',
      );
      assert.equal(
        (await access.decide(caller, facts(), { action: 'ssm:GetParameter', resource: `${PARAM}/../y` })).effect,
        'Allow',
      );
      assert.equal(
        (
          await access.decide(caller, facts(), {
            action: 'ssm:GetParameter',
            resource: 'arn:aws:ssm:us-east-1:123456789012:parameter/other',
          })
        ).effect,
        'ImplicitDeny',
      );
    }
  });

  it('evaluates time conditions on every request', async () => {
    const caller = callerWith([
      {
        Effect: 'Allow',
        Action: '*',
        Resource: '*',
        Condition: { DateLessThan: { 'aws:CurrentTime': '2026-06-01T00:00:00Z' } },
      },
    ]);
    assert.equal(
      (
        await access.decide(caller, facts({ time: Date.UTC(2026, 0, 1) }), {
          action: 'ssm:GetParameter',
          resource: PARAM,
        })
      ).effect,
      'Allow',
    );
    assert.equal(
      (
        await access.decide(caller, facts({ time: Date.UTC(2026, 6, 1) }), {
          action: 'ssm:GetParameter',
          resource: PARAM,
        })
      ).effect,
      'ImplicitDeny',
    );
  });

  it("sees principal tags, aws:username and the permission's own keys", async () => {
    const caller = callerWith(
      [
        {
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: '*',
          Condition: {
            StringEquals: {
              'aws:PrincipalTag/team': 'red',
              'kms:ViaService': 'ssm.us-east-1.amazonaws.com',
              'aws:username': 'ann',
              'aws:PrincipalType': 'User',
            },
          },
        },
      ],
      { team: 'red' },
    );
    const via = (service: string) => ({
      action: 'kms:Decrypt',
      resource: 'arn:aws:kms:us-east-1:1:key/k',
      context: { 'kms:ViaService': service },
    });
    assert.equal((await access.decide(caller, facts(), via('ssm.us-east-1.amazonaws.com'))).effect, 'Allow');
    assert.equal((await access.decide(caller, facts(), via('ssm.eu-west-1.amazonaws.com'))).effect, 'ImplicitDeny');
  });

  it('fetches resource tags only for policies that read them', async () => {
    let fetched = 0;
    const resourceTags = async () => {
      fetched++;
      return { TenantId: 't1' };
    };
    const plain = callerWith([{ Effect: 'Allow', Action: '*', Resource: '*' }]);
    await access.check(plain, facts(), [{ action: 'ssm:GetParameter', resource: PARAM, resourceTags }]);
    assert.equal(fetched, 0);
    const tagged = callerWith(
      [
        {
          Effect: 'Allow',
          Action: '*',
          Resource: '*',
          Condition: { StringEquals: { 'aws:ResourceTag/TenantId': '${aws:PrincipalTag/tenant_id}' } },
        },
      ],
      { tenant_id: 't1' },
    );
    await access.check(tagged, facts(), [{ action: 'ssm:GetParameter', resource: PARAM, resourceTags }]);
    assert.equal(fetched, 1);
    const other = callerWith(
      [
        {
          Effect: 'Allow',
          Action: '*',
          Resource: '*',
          Condition: { StringEquals: { 'aws:ResourceTag/TenantId': '${aws:PrincipalTag/tenant_id}' } },
        },
      ],
      { tenant_id: 't2' },
    );
    await expectError(
      access.check(other, facts(), [{ action: 'ssm:GetParameter', resource: PARAM, resourceTags }]),
      'AccessDeniedException',
    );
  });

  it("denies with the called service's error, naming principal, action and resource", async () => {
    const caller = callerWith([
      { Effect: 'Deny', Action: 'iam:*', Resource: '*' },
      { Effect: 'Allow', Action: '*', Resource: '*' },
    ]);
    const ssm = await expectError(
      access.check(callerWith([{ Effect: 'Allow', Action: 'ssm:PutParameter', Resource: '*' }]), facts(), [
        { action: 'ssm:GetParameter', resource: PARAM },
      ]),
      'AccessDeniedException',
      `User: arn:aws:iam::123456789012:user/ann is not authorized to perform: ssm:GetParameter on resource: ${PARAM} ` +
        `because no identity-based policy allows the ssm:GetParameter action`,
    );
    assert.equal((ssm as unknown as { httpStatus: number }).httpStatus, 400);
    const iam = await expectError(
      access.check(caller, facts({ service: 'iam' }), [
        { action: 'iam:ListUsers', resource: 'arn:aws:iam::123456789012:user/' },
      ]),
      'AccessDenied',
      /with an explicit deny in an identity-based policy$/,
    );
    assert.equal((iam as unknown as { httpStatus: number }).httpStatus, 403);
  });
});
