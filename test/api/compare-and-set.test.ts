/**
 * Coffer's compare-and-set on PutParameter: the signed `x-coffer-expected-version` header makes
 * a write conditional on the version the writer read (0: none yet). Profiles use it for locking;
 * AWS clients that do not send it are unaffected.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetParameterCommand, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { ROOT, startServer, type RunningServer } from '../helpers/server-process.js';
import { signedRequest } from '../helpers/signed-request.js';

/** PutParameter with the header set before signing. */
function putExpecting(ssm: SSMClient, expected: string, input: ConstructorParameters<typeof PutParameterCommand>[0]) {
  const command = new PutParameterCommand(input);
  command.middlewareStack.add(
    (next) => async (args) => {
      (args.request as { headers: Record<string, string> }).headers['x-coffer-expected-version'] = expected;
      return next(args);
    },
    { step: 'build', name: 'cofferExpectedVersion' },
  );
  return ssm.send(command);
}

describe('compare-and-set on PutParameter', () => {
  let server: RunningServer;
  let ssm: SSMClient;
  before(async () => {
    server = await startServer();
    ssm = server.client();
  });
  after(() => server.stop());

  it('writes only over the version read, naming both when it changed; nothing else changes', async () => {
    const first = await putExpecting(ssm, '0', { Name: '/cas/p', Value: 'one', Type: 'SecureString' });
    assert.equal(first.Version, 1);
    await assert.rejects(putExpecting(ssm, '0', { Name: '/cas/p', Value: 'x', Type: 'SecureString' }), {
      name: 'ParameterVersionConflict',
      message: 'Parameter /cas/p changed since it was read: expected version 0, found version 1.',
    });
    assert.equal((await putExpecting(ssm, '1', { Name: '/cas/p', Value: 'two', Overwrite: true })).Version, 2);
    // Two writers that both read version 2: one wins, the other is told, and the winner's value stays.
    const outcomes = await Promise.allSettled([
      putExpecting(ssm, '2', { Name: '/cas/p', Value: 'three-a', Overwrite: true }),
      putExpecting(ssm, '2', { Name: '/cas/p', Value: 'three-b', Overwrite: true }),
    ]);
    assert.deepEqual(outcomes.map((o) => o.status).sort(), ['fulfilled', 'rejected']);
    const lost = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    assert.match(String(lost.reason.message), /expected version 2, found version 3/);
    const read = await ssm.send(new GetParameterCommand({ Name: '/cas/p', WithDecryption: true }));
    assert.equal(read.Parameter!.Version, 3);
    assert.ok(['three-a', 'three-b'].includes(read.Parameter!.Value!));
  });

  it('refuses the header unsigned, malformed, or on another action', async () => {
    const body = JSON.stringify({ Name: '/cas/q', Value: 'v', Type: 'String' });
    const unsigned = await signedRequest(server.endpoint, ROOT, {
      service: 'ssm',
      target: 'AmazonSSM.PutParameter',
      body,
      extraHeaders: { 'x-coffer-expected-version': '0' },
      unsigned: ['x-coffer-expected-version'],
    });
    assert.equal(JSON.parse(unsigned.body).__type, 'InvalidSignatureException');
    const malformed = await signedRequest(server.endpoint, ROOT, {
      service: 'ssm',
      target: 'AmazonSSM.PutParameter',
      body,
      extraHeaders: { 'x-coffer-expected-version': '1e3' },
    });
    assert.equal(JSON.parse(malformed.body).__type, 'ValidationException');
    const other = await signedRequest(server.endpoint, ROOT, {
      service: 'ssm',
      target: 'AmazonSSM.GetParameter',
      body: JSON.stringify({ Name: '/cas/p' }),
      extraHeaders: { 'x-coffer-expected-version': '1' },
    });
    assert.equal(JSON.parse(other.body).__type, 'ValidationException');
    assert.equal((await ssm.send(new PutParameterCommand({ Name: '/cas/q', Value: 'v', Type: 'String' }))).Version, 1);
  });
});
