/**
 * The evaluator against AWS's documented evaluation logic, table-driven: deny precedence,
 * NotAction / NotResource, policy variables, every condition operator and set qualifier, and
 * keys missing from the request with and without IfExists.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePolicyDocument } from '../../../src/engine/iam/policy-document.js';
import { CompiledPolicy, evaluatePolicies } from '../../../src/engine/iam/policy-evaluator.js';
import { expectError } from '../../helpers/expect-error.js';

type Keys = Record<string, string | string[]>;

function policy(statements: object[], name = 'p'): CompiledPolicy {
  return new CompiledPolicy(
    name,
    parsePolicyDocument(JSON.stringify({ Version: '2012-10-17', Statement: statements })),
  );
}

function lookupOf(keys: Keys) {
  const lower = new Map(Object.entries(keys).map(([k, v]) => [k.toLowerCase(), v]));
  return (key: string) => lower.get(key);
}

function decide(policies: CompiledPolicy[], action: string, resource: string, keys: Keys = {}): string {
  return evaluatePolicies(policies, action, resource, lookupOf(keys)).effect;
}

const PARAM = 'arn:aws:ssm:us-east-1:111122223333:parameter/app/db';
const allowAll = { Effect: 'Allow', Action: '*', Resource: '*' };

describe('policy evaluation', () => {
  it('implicit deny without any allow; explicit deny beats allow across policies', () => {
    assert.equal(decide([], 'ssm:GetParameter', PARAM), 'ImplicitDeny');
    assert.equal(decide([policy([allowAll])], 'ssm:GetParameter', PARAM), 'Allow');
    const deny = policy([{ Effect: 'Deny', Action: 'ssm:Get*', Resource: 'arn:aws:ssm:*:*:parameter/app/*' }], 'deny');
    assert.equal(decide([policy([allowAll]), deny], 'ssm:GetParameter', PARAM), 'ExplicitDeny');
    assert.equal(decide([policy([allowAll]), deny], 'ssm:PutParameter', PARAM), 'Allow');
    const decision = evaluatePolicies([policy([allowAll]), deny], 'ssm:GetParameter', PARAM, lookupOf({}));
    assert.equal(decision.policy, 'deny');
  });

  it('matches actions case-insensitively and resources case-sensitively, with * and ?', () => {
    const p = policy([
      { Sid: 'One', Effect: 'Allow', Action: 'SSM:getparam?ter', Resource: 'arn:aws:ssm:*:*:parameter/app/*' },
    ]);
    assert.equal(decide([p], 'ssm:GetParameter', PARAM), 'Allow');
    assert.equal(decide([p], 'ssm:GetParameters', PARAM), 'ImplicitDeny');
    assert.equal(decide([p], 'ssm:GetParameter', PARAM.replace('/app/', '/App/')), 'ImplicitDeny');
    assert.equal(evaluatePolicies([p], 'ssm:GetParameter', PARAM, lookupOf({})).sid, 'One');
  });

  it('NotAction and NotResource invert the match', () => {
    const notAction = policy([{ Effect: 'Allow', NotAction: 'ssm:Delete*', Resource: '*' }]);
    assert.equal(decide([notAction], 'ssm:GetParameter', PARAM), 'Allow');
    assert.equal(decide([notAction], 'ssm:DeleteParameter', PARAM), 'ImplicitDeny');
    const notResource = policy([
      allowAll,
      { Effect: 'Deny', Action: 'ssm:*', NotResource: 'arn:aws:ssm:*:*:parameter/app/*' },
    ]);
    assert.equal(decide([notResource], 'ssm:GetParameter', PARAM), 'Allow');
    assert.equal(
      decide([notResource], 'ssm:GetParameter', 'arn:aws:ssm:us-east-1:111122223333:parameter/other'),
      'ExplicitDeny',
    );
  });

  it('substitutes policy variables literally, with defaults, escapes and CloudFormation pseudo-parameters', () => {
    const p = policy([
      { Effect: 'Allow', Action: 'ssm:GetParameter', Resource: 'arn:aws:ssm:*:*:parameter/home/${aws:username}/*' },
    ]);
    assert.equal(
      decide([p], 'ssm:GetParameter', 'arn:aws:ssm:us-east-1:1:parameter/home/ann/x', { 'aws:username': 'ann' }),
      'Allow',
    );
    assert.equal(
      decide([p], 'ssm:GetParameter', 'arn:aws:ssm:us-east-1:1:parameter/home/bob/x', { 'aws:username': 'ann' }),
      'ImplicitDeny',
    );
    assert.equal(
      decide([p], 'ssm:GetParameter', 'arn:aws:ssm:us-east-1:1:parameter/home/ann/x'),
      'ImplicitDeny',
      'missing variable matches nothing',
    );
    assert.equal(
      decide([p], 'ssm:GetParameter', 'arn:aws:ssm:us-east-1:1:parameter/home/annie/x', { 'aws:username': 'ann*' }),
      'ImplicitDeny',
      'values are literal',
    );
    const withDefault = policy([
      {
        Effect: 'Allow',
        Action: 'ssm:GetParameter',
        Resource: "arn:aws:ssm:*:*:parameter/${aws:PrincipalTag/team, 'shared'}/*",
      },
    ]);
    assert.equal(decide([withDefault], 'ssm:GetParameter', 'arn:aws:ssm:r:1:parameter/shared/a'), 'Allow');
    assert.equal(
      decide([withDefault], 'ssm:GetParameter', 'arn:aws:ssm:r:1:parameter/red/a', { 'aws:PrincipalTag/team': 'red' }),
      'Allow',
    );
    const escaped = policy([
      { Effect: 'Allow', Action: 'ssm:GetParameter', Resource: 'arn:aws:ssm:*:*:parameter/lit${*}' },
    ]);
    assert.equal(decide([escaped], 'ssm:GetParameter', 'arn:aws:ssm:r:1:parameter/lit*'), 'Allow');
    assert.equal(decide([escaped], 'ssm:GetParameter', 'arn:aws:ssm:r:1:parameter/litx'), 'ImplicitDeny');
    const cfn = policy([
      {
        Effect: 'Allow',
        Action: 'ssm:GetParameter',
        Resource: 'arn:aws:ssm:${AWS::Region}:${AWS::AccountId}:parameter/x',
      },
    ]);
    assert.equal(
      decide([cfn], 'ssm:GetParameter', 'arn:aws:ssm:eu-west-1:111122223333:parameter/x', {
        'aws::region': 'eu-west-1',
        'aws::accountid': '111122223333',
      }),
      'Allow',
    );
    assert.equal(
      decide([cfn], 'ssm:GetParameter', 'arn:aws:ssm:us-east-1:111122223333:parameter/x', {
        'aws::region': 'eu-west-1',
        'aws::accountid': '111122223333',
      }),
      'ImplicitDeny',
    );
  });

  const operatorCases: [string, string | string[], string | string[] | undefined, boolean][] = [
    ['StringEquals', 'prod', 'prod', true],
    ['StringEquals', 'prod', 'Prod', false],
    ['StringEquals', ['a', 'b'], 'b', true],
    ['StringNotEquals', 'prod', 'dev', true],
    ['StringNotEquals', ['a', 'b'], 'b', false],
    ['StringEqualsIgnoreCase', 'prod', 'PROD', true],
    ['StringNotEqualsIgnoreCase', 'prod', 'PROD', false],
    ['StringLike', 'pr*d', 'proud', true],
    ['StringLike', 'pr?d', 'proud', false],
    ['StringNotLike', 'dev-*', 'prod', true],
    ['NumericEquals', '10', '10.0', true],
    ['NumericNotEquals', '10', '11', true],
    ['NumericLessThan', '10', '9', true],
    ['NumericLessThanEquals', '10', '10', true],
    ['NumericGreaterThan', '10', '10', false],
    ['NumericGreaterThanEquals', '10', '10', true],
    ['NumericEquals', '10', 'ten', false],
    ['DateEquals', '2026-01-01T00:00:00Z', '1767225600', true],
    ['DateNotEquals', '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z', true],
    ['DateLessThan', '2026-01-01T00:00:00Z', '2025-12-31T23:59:59Z', true],
    ['DateLessThanEquals', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', true],
    ['DateGreaterThan', '2026-01-01T00:00:00Z', '2025-12-31T23:59:59Z', false],
    ['DateGreaterThanEquals', '2026-01-01T00:00:00Z', '2026-01-01T00:00:01Z', true],
    ['Bool', 'true', 'TRUE', true],
    ['Bool', 'false', 'true', false],
    ['BinaryEquals', 'QmluYXJ5', 'QmluYXJ5', true],
    ['IpAddress', '10.0.0.0/8', '10.1.2.3', true],
    ['IpAddress', '10.0.0.0/8', '11.1.2.3', false],
    ['IpAddress', '127.0.0.1', '::ffff:127.0.0.1', true],
    ['IpAddress', '2001:db8::/32', '2001:db8::1', true],
    ['IpAddress', '10.0.0.0/8', '::ffff:10.1.1.1', true],
    ['IpAddress', '2001:db8::/32', '10.0.0.1', false],
    ['IpAddress', '0.0.0.0/0', '1.2.3.4', true],
    ['IpAddress', '192.168.1.0/25', '192.168.1.200', false],
    ['IpAddress', '192.168.1.0/25', '192.168.1.100', true],
    ['IpAddress', 'not-a-cidr', '1.2.3.4', false],
    ['IpAddress', '10.0.0.0/8', 'nonsense', false],
    ['NotIpAddress', '10.0.0.0/8', '192.168.0.1', true],
    ['ArnEquals', 'arn:aws:iam::*:user/ann', 'arn:aws:iam::111122223333:user/ann', true],
    ['ArnLike', 'arn:aws:ssm:*:*:parameter/app/*', PARAM, true],
    ['ArnLike', 'arn:aws:ssm:*:*:parameter/app/*', 'not-an-arn', false],
    ['ArnNotEquals', 'arn:aws:iam::*:user/ann', 'arn:aws:iam::1:user/bob', true],
    ['ArnNotLike', 'arn:aws:iam::*:user/*', 'arn:aws:iam::1:user/bob', false],
    // Missing keys: positive operators fail, negated ones hold, IfExists holds.
    ['StringEquals', 'x', undefined, false],
    ['StringNotEquals', 'x', undefined, true],
    ['StringEqualsIfExists', 'x', undefined, true],
    ['StringEqualsIfExists', 'x', 'y', false],
    ['NumericLessThanIfExists', '5', '3', true],
    ['ArnNotLike', 'arn:*', undefined, true],
    ['Null', 'true', undefined, true],
    ['Null', 'true', 'v', false],
    ['Null', 'false', 'v', true],
    ['Null', 'false', undefined, false],
    // Set qualifiers on multi-valued keys.
    ['ForAnyValue:StringEquals', ['a', 'b'], ['c', 'b'], true],
    ['ForAnyValue:StringEquals', ['a', 'b'], ['c'], false],
    ['ForAnyValue:StringEquals', ['a'], undefined, false],
    ['ForAnyValue:StringEquals', ['a'], [], false],
    ['ForAllValues:StringEquals', ['a', 'b'], ['a', 'b'], true],
    ['ForAllValues:StringEquals', ['a', 'b'], ['a', 'c'], false],
    ['ForAllValues:StringEquals', ['a'], undefined, true],
    ['ForAllValues:StringEquals', ['a'], [], true],
    ['ForAllValues:StringLike', ['team-*'], ['team-a', 'team-b'], true],
    ['ForAnyValue:StringNotEquals', ['a'], ['a', 'z'], true],
    ['ForAllValues:StringNotEquals', ['secret'], ['a', 'secret'], false],
  ];
  for (const [operator, policyValue, requestValue, expected] of operatorCases) {
    it(`${operator} ${JSON.stringify(policyValue)} vs ${JSON.stringify(requestValue)} -> ${expected}`, () => {
      const p = policy([
        { Effect: 'Allow', Action: '*', Resource: '*', Condition: { [operator]: { 'test:Key': policyValue } } },
      ]);
      const keys: Keys = requestValue === undefined ? {} : { 'test:key': requestValue };
      assert.equal(decide([p], 'ssm:GetParameter', PARAM, keys), expected ? 'Allow' : 'ImplicitDeny');
    });
  }

  it('ANDs keys and operators, ORs values, and substitutes variables in condition values', () => {
    const p = policy([
      {
        Effect: 'Allow',
        Action: '*',
        Resource: '*',
        Condition: {
          StringEquals: {
            'aws:ResourceTag/TenantId': '${aws:PrincipalTag/tenant_id}',
            'aws:ResourceTag/Environment': '${aws:PrincipalTag/env}',
          },
          Bool: { 'aws:SecureTransport': 'false' },
        },
      },
    ]);
    const principal = {
      'aws:PrincipalTag/tenant_id': 't1',
      'aws:PrincipalTag/env': 'prod',
      'aws:SecureTransport': 'false',
    };
    assert.equal(
      decide([p], 'ssm:GetParameter', PARAM, {
        ...principal,
        'aws:ResourceTag/TenantId': 't1',
        'aws:ResourceTag/Environment': 'prod',
      }),
      'Allow',
    );
    assert.equal(
      decide([p], 'ssm:GetParameter', PARAM, {
        ...principal,
        'aws:ResourceTag/TenantId': 't2',
        'aws:ResourceTag/Environment': 'prod',
      }),
      'ImplicitDeny',
    );
    assert.equal(
      decide([p], 'ssm:GetParameter', PARAM, { ...principal, 'aws:ResourceTag/TenantId': 't1' }),
      'ImplicitDeny',
    );
    assert.equal(
      decide([p], 'ssm:GetParameter', PARAM, { 'aws:ResourceTag/TenantId': '', 'aws:ResourceTag/Environment': '' }),
      'ImplicitDeny',
      'an absent principal tag never equals an empty resource tag',
    );
  });

  it('evaluates trust-policy principals: named ARN, account, wildcard', () => {
    const doc = (principal: unknown) =>
      new CompiledPolicy(
        'trust',
        parsePolicyDocument(
          JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' }],
          }),
          'trust',
        ),
      );
    const subject = { arn: 'arn:aws:iam::111122223333:user/ann', account: '111122223333' };
    const none = () => undefined;
    assert.equal(doc({ AWS: subject.arn }).evaluate('sts:AssumeRole', '*', none, subject).direct, true);
    assert.equal(doc({ AWS: '111122223333' }).evaluate('sts:AssumeRole', '*', none, subject).direct, false);
    assert.equal(
      doc({ AWS: 'arn:aws:iam::111122223333:root' }).evaluate('sts:AssumeRole', '*', none, subject).effect,
      'Allow',
    );
    assert.equal(
      doc({ AWS: 'arn:aws:iam::999999999999:root' }).evaluate('sts:AssumeRole', '*', none, subject).effect,
      'ImplicitDeny',
    );
    assert.equal(doc('*').evaluate('sts:AssumeRole', '*', none, subject).effect, 'Allow');
    assert.equal(
      doc({ Service: 'lambda.amazonaws.com' }).evaluate('sts:AssumeRole', '*', none, subject).effect,
      'ImplicitDeny',
    );
  });

  const malformed: [string, unknown][] = [
    ['not JSON', '{'],
    ['no Statement', { Version: '2012-10-17' }],
    ['bad version', { Version: '2020-01-01', Statement: [allowAll] }],
    ['bad effect', { Version: '2012-10-17', Statement: [{ ...allowAll, Effect: 'Maybe' }] }],
    ['no action', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Resource: '*' }] }],
    ['both Action and NotAction', { Version: '2012-10-17', Statement: [{ ...allowAll, NotAction: 'x:y' }] }],
    ['no resource', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*' }] }],
    ['principal in identity policy', { Version: '2012-10-17', Statement: [{ ...allowAll, Principal: '*' }] }],
    [
      'unknown operator',
      { Version: '2012-10-17', Statement: [{ ...allowAll, Condition: { StringSorta: { k: 'v' } } }] },
    ],
    ['unknown field', { Version: '2012-10-17', Statement: [{ ...allowAll, Effects: 'Allow' }] }],
    ['action without vendor', { Version: '2012-10-17', Statement: [{ ...allowAll, Action: 'GetParameter' }] }],
    ['resource not an ARN', { Version: '2012-10-17', Statement: [{ ...allowAll, Resource: 'parameter/x' }] }],
    ['bad sid', { Version: '2012-10-17', Statement: [{ ...allowAll, Sid: 'has space' }] }],
  ];
  for (const [label, document] of malformed) {
    it(`refuses a malformed policy: ${label}`, async () => {
      const text = typeof document === 'string' ? document : JSON.stringify(document);
      await expectError((async () => parsePolicyDocument(text))(), 'MalformedPolicyDocument');
    });
  }
});
