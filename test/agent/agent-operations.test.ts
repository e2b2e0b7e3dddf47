/** The agent's operations over a fake source: shapes, paging, errors, writes refused or forwarded. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runAgentOperation } from '../../src/agent/agent-operations.js';
import type { AgentSource } from '../../src/agent/agent-source.js';
import { CofferClientError } from '../../src/client/client-error.js';
import type { ParameterRecord } from '../../src/client/value-provider.js';

const record = (Name: string): ParameterRecord => ({
  Name,
  Type: 'String',
  Value: `value of ${Name}`,
  Version: 1,
  ARN: `arn:${Name}`,
});

function fakeSource(): AgentSource & { forwarded: string[][] } {
  const forwarded: string[][] = [];
  return {
    forwarded,
    async parameter(selector) {
      if (selector.startsWith('/missing'))
        throw new CofferClientError('ParameterNotFound', 'not found', { status: 400 });
      return { value: record(selector), stale: selector === '/stale' };
    },
    async parametersByPath() {
      return { value: ['/p/a', '/p/b', '/p/c'].map(record), stale: false };
    },
    async secret(id) {
      if (id === 'gone')
        throw new CofferClientError('ResourceNotFoundException', "Secrets Manager can't find it", { status: 400 });
      return { value: { ARN: `arn:${id}`, Name: id, SecretBinary: new Uint8Array([1, 2, 3]) }, stale: false };
    },
    async passThrough(_service, operation) {
      return { value: { operation }, stale: false };
    },
    async forward(_service, operation, _input, names) {
      forwarded.push([operation, ...names]);
      return { Version: 2 };
    },
    health: () => ({}),
  };
}

describe('agent operations', () => {
  it('answers GetParameters with the names it could not find, and says when any was stale', async () => {
    const served = await runAgentOperation(
      fakeSource(),
      'ssm',
      'GetParameters',
      { Names: ['/a', '/missing', '/stale'] },
      false,
    );
    assert.deepEqual(served.value, {
      Parameters: [record('/a'), record('/stale')],
      InvalidParameters: ['/missing'],
    });
    assert.equal(served.stale, true);
  });

  it('pages GetParametersByPath with its own tokens, and refuses a foreign token', async () => {
    const source = fakeSource();
    const first = await runAgentOperation(source, 'ssm', 'GetParametersByPath', { Path: '/p', MaxResults: 2 }, false);
    assert.deepEqual(first.value, { Parameters: [record('/p/a'), record('/p/b')], NextToken: 'o2' });
    const second = await runAgentOperation(
      source,
      'ssm',
      'GetParametersByPath',
      { Path: '/p', MaxResults: 2, NextToken: 'o2' },
      false,
    );
    assert.deepEqual(second.value, { Parameters: [record('/p/c')] });
    await assert.rejects(
      runAgentOperation(source, 'ssm', 'GetParametersByPath', { Path: '/p', NextToken: 'forged' }, false),
      { code: 'InvalidNextToken' },
    );
    const filtered = await runAgentOperation(
      source,
      'ssm',
      'GetParametersByPath',
      { Path: '/p', ParameterFilters: [] },
      false,
    );
    assert.deepEqual(filtered.value, { operation: 'GetParametersByPath' }, 'a filtered listing is passed through');
  });

  it('answers BatchGetSecretValue with per-secret errors and base64 binaries', async () => {
    const served = await runAgentOperation(
      fakeSource(),
      'secretsmanager',
      'BatchGetSecretValue',
      { SecretIdList: ['a', 'gone'] },
      false,
    );
    assert.deepEqual(served.value, {
      SecretValues: [{ ARN: 'arn:a', Name: 'a', SecretBinary: 'AQID' }],
      Errors: [{ SecretId: 'gone', ErrorCode: 'ResourceNotFoundException', Message: "Secrets Manager can't find it" }],
    });
  });

  it('refuses writes unless told to forward them, then forwards with the names to forget', async () => {
    const source = fakeSource();
    await assert.rejects(runAgentOperation(source, 'ssm', 'PutParameter', { Name: '/w', Value: 'v' }, false), {
      code: 'AccessDeniedException',
      message: /reads only: PutParameter was not sent upstream/,
    });
    assert.deepEqual(source.forwarded, []);
    const served = await runAgentOperation(source, 'ssm', 'PutParameter', { Name: '/w', Value: 'v' }, true);
    assert.deepEqual(served.value, { Version: 2 });
    assert.deepEqual(source.forwarded, [['PutParameter', '/w']]);
    const described = await runAgentOperation(source, 'secretsmanager', 'DescribeSecret', { SecretId: 's' }, false);
    assert.deepEqual(described.value, { operation: 'DescribeSecret' });
  });
});
