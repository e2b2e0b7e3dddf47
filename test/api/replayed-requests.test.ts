/**
 * The server verifies an identical signed request once (SigV4Verifier's memo), and still, on
 * every replay: looks the key up (a deactivated key is refused), authorizes (a new Deny
 * applies), checks the date, and verifies anything that differs by a byte.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DeleteUserPolicyCommand, PutUserPolicyCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { clientsFor, userWithKey, type Credentials, type ServiceClients } from '../helpers/identity-clients.js';
import { rawRequest } from '../helpers/raw-request.js';
import { startServer, type RunningServer } from '../helpers/server-process.js';
import { signRequest } from '../helpers/signed-request.js';

/** GetParameter signed once, as a replaying client sends it again and again. */
const signedOnce = (endpoint: string, credentials: Credentials, body: string) =>
  signRequest(endpoint, credentials, { service: 'ssm', target: 'AmazonSSM.GetParameter', body });

describe('replayed signed requests', () => {
  let server: RunningServer;
  let root: ServiceClients;
  let user: Credentials;
  const read = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ssm:GetParameter', Resource: '*' }] };

  before(async () => {
    server = await startServer();
    root = clientsFor(server);
    await root.ssm.send(new PutParameterCommand({ Name: '/replay/p', Value: 'v', Type: 'String' }));
    user = await userWithKey(root.iam, 'replayer', { read });
  });
  after(async () => {
    root.destroy();
    await server.stop();
  });

  it('answers every replay, and refuses one whose body or signed headers changed by a byte', async () => {
    const request = await signedOnce(server.endpoint, user, '{"Name":"/replay/p"}');
    for (let i = 0; i < 3; i++) {
      const answer = await rawRequest(server.endpoint, request);
      assert.equal(answer.status, 200, answer.body);
      assert.equal(JSON.parse(answer.body).Parameter.Value, 'v');
    }
    const otherBody = await rawRequest(server.endpoint, { ...request, body: '{"Name":"/replay/q"}' });
    assert.equal(otherBody.status, 400);
    assert.match(otherBody.body, /InvalidSignatureException/);
    const otherTarget = await rawRequest(server.endpoint, {
      ...request,
      headers: { ...request.headers, 'x-amz-target': 'AmazonSSM.GetParameters' },
    });
    assert.equal(otherTarget.status, 400);
    assert.match(otherTarget.body, /InvalidSignatureException/);
  });

  it('authorizes every replay: a Deny added after the first is applied to the next', async () => {
    const request = await signedOnce(server.endpoint, user, '{"Name":"/replay/p","WithDecryption":false}');
    assert.equal((await rawRequest(server.endpoint, request)).status, 200);
    const deny = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'ssm:GetParameter', Resource: '*' }] };
    await root.iam.send(
      new PutUserPolicyCommand({ UserName: 'replayer', PolicyName: 'deny', PolicyDocument: JSON.stringify(deny) }),
    );
    const denied = await rawRequest(server.endpoint, request);
    assert.equal(denied.status, 400);
    assert.match(denied.body, /AccessDeniedException/);
    await root.iam.send(new DeleteUserPolicyCommand({ UserName: 'replayer', PolicyName: 'deny' }));
  });

  it('looks the key up on every replay: once deactivated, the same request is refused', async () => {
    const request = await signedOnce(server.endpoint, user, '{"Name":"/replay/p" }');
    assert.equal((await rawRequest(server.endpoint, request)).status, 200);
    await root.iam.send(
      new UpdateAccessKeyCommand({ UserName: 'replayer', AccessKeyId: user.accessKeyId, Status: 'Inactive' }),
    );
    const refused = await rawRequest(server.endpoint, request);
    assert.equal(refused.status, 400);
    assert.match(refused.body, /UnrecognizedClientException/);
  });
});
