/**
 * The service models: the checked-in tables are what the generator makes from the installed
 * botocore models, every service's handlers match its model's operations, and input decoding
 * refuses what AWS's model refuses, in AWS's words, for both protocols.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { decodeJsonInput } from '../../../src/api/models/json-input.js';
import { iamModel } from '../../../src/api/models/iam.js';
import { decodeQueryInput, parseQueryForm } from '../../../src/api/models/query-input.js';
import { secretsManagerModel } from '../../../src/api/models/secretsmanager.js';
import type { ServiceModel } from '../../../src/api/models/service-model.js';
import { ssmModel } from '../../../src/api/models/ssm.js';
import { stsModel } from '../../../src/api/models/sts.js';
import { ServiceError } from '../../../src/engine/service-error.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

function refusal(work: () => unknown): ServiceError {
  try {
    work();
  } catch (error) {
    if (error instanceof ServiceError) return error;
    throw error;
  }
  return assert.fail('expected a refusal');
}

const json = (operation: string, body: unknown, model = ssmModel) =>
  decodeJsonInput(model, operation, Buffer.from(JSON.stringify(body)));
const query = (operation: string, body: string, model = iamModel) =>
  decodeQueryInput(model, operation, parseQueryForm(Buffer.from(body)).root);

describe('service models', () => {
  it('are what the generator makes from the installed botocore models', () => {
    const out = mkdtempSync(join(tmpdir(), 'coffer-models-'));
    try {
      const run = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'generate-wire-models.ts')], {
        encoding: 'utf8',
        env: { ...process.env, COFFER_MODELS_OUT: out },
        cwd: ROOT,
        timeout: 60_000,
      });
      assert.equal(run.status, 0, run.stderr);
      for (const file of readdirSync(out)) {
        assert.equal(
          readFileSync(join(out, file), 'utf8'),
          readFileSync(join(ROOT, 'src', 'api', 'models', file), 'utf8'),
          `${file} is stale: npm run generate:models`,
        );
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('decode JSON members to their modelled types, dropping members the model does not know', () => {
    assert.deepEqual(json('GetParameter', { Name: '/a', WithDecryption: true, Unknown: [1] }), {
      Name: '/a',
      WithDecryption: true,
    });
    assert.deepEqual(json('GetParameter', { Name: '/a', WithDecryption: null }), { Name: '/a' });
    assert.equal(
      refusal(() => json('GetParameter', { Name: ['/a'] })).message,
      'Start of list found where not expected',
    );
    assert.equal(
      refusal(() => json('GetParameter', { Name: { a: 1 } })).message,
      'Start of structure or map found where not expected.',
    );
    assert.equal(
      refusal(() => json('GetParameter', { Name: 5 })).message,
      'NUMBER_VALUE can not be converted to a String',
    );
    assert.equal(
      refusal(() => json('GetParameters', { Names: '/a' })).message,
      'STRING_VALUE can not be converted to a List',
    );
    assert.equal(
      refusal(() => json('GetParametersByPath', { Path: '/', MaxResults: 2 ** 40 })).code,
      'SerializationException',
    );
    assert.equal(
      refusal(() => json('PutParameter', { Name: '/a', Value: 'v', Tags: [null] })).code,
      'SerializationException',
    );
  });

  it("report every constraint failure in AWS's wording, never echoing a sensitive member", () => {
    const missing = refusal(() => json('GetParameter', {}));
    assert.deepEqual(
      [missing.code, missing.message],
      [
        'ValidationException',
        "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null",
      ],
    );
    const many = refusal(() =>
      json('GetParameters', { Names: Array.from({ length: 11 }, () => '/a'), WithDecryption: true }),
    );
    assert.match(
      many.message,
      new RegExp(
        String.raw`^1 validation error detected: Value '\[\/a, .*\]' at 'names' failed to satisfy constraint: Member ` +
          `must have length less than or equal to 10$`,
      ),
    );
    const tags = refusal(() =>
      json('AddTagsToResource', {
        ResourceType: 'Parameter',
        ResourceId: '/a',
        Tags: [{ Key: 'bad\u0000key', Value: 'v' }],
      }),
    );
    assert.match(
      tags.message,
      /at 'tags\.1\.member\.key' failed to satisfy constraint: Member must satisfy regular expression pattern/,
    );
    const secret = refusal(() =>
      json(
        'CreateSecret',
        { Name: 'n', SecretString: 'TOPSECRET'.repeat(8000), SecretBinary: 'AAAA' },
        secretsManagerModel,
      ),
    );
    assert.doesNotMatch(secret.message, /TOPSECRET/);
    assert.match(secret.message, /Value at 'secretString'/);
  });

  it("report a failing scalar list member once, at the list, with the list and the member's constraints", () => {
    const long = 'a'.repeat(101);
    assert.equal(
      refusal(() => json('LabelParameterVersion', { Name: '/a', Labels: ['ok', long] })).message,
      `1 validation error detected: Value '[ok, ${long}]' at 'labels' failed to satisfy constraint: Member must ` +
        'satisfy constraint: [Member must have length less than or equal to 100, Member must have length greater ' +
        'than or equal to 1]',
    );
    assert.match(
      refusal(() =>
        json('RemoveTagsFromResource', { ResourceType: 'Parameter', ResourceId: '/a', TagKeys: ['k'.repeat(129)] }),
      ).message,
      new RegExp(
        "^1 validation error detected: Value '\\[k+\\]' at 'tagKeys' failed to satisfy constraint: Member must " +
          'satisfy constraint: \\[Member must have length less than or equal to 128, Member must have length ' +
          'greater than or equal to 1, Member must satisfy regular expression pattern: .+\\]$',
      ),
    );
    // A list of sensitive members is reported without its values.
    const model: ServiceModel = {
      ...ssmModel,
      operations: { Op: 'In' },
      shapes: {
        In: { type: 'structure', members: { Secrets: 'List' } },
        List: { type: 'list', member: 'Secret' },
        Secret: { type: 'string', max: 3, sensitive: true },
      },
    };
    const hidden = refusal(() => json('Op', { Secrets: ['TOPSECRET'] }, model)).message;
    assert.doesNotMatch(hidden, /TOPSECRET/);
    assert.match(hidden, /^1 validation error detected: Value at 'secrets' failed to satisfy constraint: Member must/);
  });

  it('parse JSON strictly: UTF-8, nesting, one object', () => {
    assert.equal(
      refusal(() => decodeJsonInput(ssmModel, 'GetParameter', Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]))).message,
      'The request body is not valid UTF-8.',
    );
    assert.equal(
      refusal(() => decodeJsonInput(ssmModel, 'GetParameter', Buffer.from(`${'['.repeat(100)}${']'.repeat(100)}`)))
        .message,
      'The request body is nested too deeply.',
    );
    assert.equal(
      refusal(() => decodeJsonInput(ssmModel, 'GetParameter', Buffer.from('[]'))).code,
      'SerializationException',
    );
    assert.deepEqual(decodeJsonInput(ssmModel, 'DescribeParameters', Buffer.alloc(0)), {});
  });

  it('decode Query members by their shapes, refusing a member sent in another shape', () => {
    assert.deepEqual(
      query('AttachUserPolicy', 'UserName=u&PolicyArn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FAdministratorAccess'),
      { UserName: 'u', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
    );
    const asList = refusal(() =>
      query(
        'AttachUserPolicy',
        'UserName=u&PolicyArn.member.1=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FAdministratorAccess',
      ),
    );
    assert.deepEqual(
      [asList.code, asList.message],
      [
        'ValidationError',
        "1 validation error detected: Value at 'policyArn' failed to satisfy constraint: Member must be a single value",
      ],
    );
    assert.equal(
      refusal(() =>
        query(
          'AssumeRole',
          'RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fr&RoleSessionName=ss&ExternalId.member.1=a',
          stsModel,
        ),
      ).code,
      'ValidationError',
    );
    assert.equal(
      refusal(() => query('CreateUser', 'UserName=u&Tags.member.1=text&Tags.member.1.Key=k')).code,
      'ValidationError',
    );
    assert.deepEqual(
      query(
        'CreateUser',
        'UserName=u&Tags.member.2.Key=b&Tags.member.2.Value=2&Tags.member.1.Key=a&Tags.member.1.Value=1',
      ),
      {
        UserName: 'u',
        Tags: [
          { Key: 'a', Value: '1' },
          { Key: 'b', Value: '2' },
        ],
      },
    );
    assert.deepEqual(query('CreateUser', 'UserName=u&Tags='), { UserName: 'u', Tags: [] });
    assert.deepEqual(query('ListUsers', 'MaxItems=5&Ignored.Member=x'), { MaxItems: 5 });
    assert.equal(
      refusal(() => query('ListUsers', 'MaxItems=five')).message,
      "1 validation error detected: Value 'five' at 'maxItems' failed to satisfy constraint: Member must be a number",
    );
    assert.deepEqual(
      query(
        'CreatePolicyVersion',
        'PolicyArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Apolicy%2Fpp&PolicyDocument=%7B%7D&SetAsDefault=true',
      ),
      { PolicyArn: 'arn:aws:iam::123456789012:policy/pp', PolicyDocument: '{}', SetAsDefault: true },
    );
  });

  it('parse Query forms strictly: encoding, repeats, depth', () => {
    for (const body of [
      'Action=ListUsers&a=%ZZ',
      'Action=ListUsers&a=%FF',
      'Action=ListUsers&Action=CreateUser',
      `Action=ListUsers&${'a.'.repeat(20_000)}b=1`,
    ]) {
      assert.equal(refusal(() => parseQueryForm(Buffer.from(body))).code, 'MalformedQueryString', body.slice(0, 40));
    }
    assert.equal(parseQueryForm(Buffer.from('Action=ListUsers&Version=2010-05-08')).action, 'ListUsers');
  });
});
