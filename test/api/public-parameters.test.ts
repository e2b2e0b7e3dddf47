/**
 * Public parameters over the wire, as an IAM user: reads are authorized through the one path on
 * the public parameter's own ARN (`arn:aws:ssm:REGION::parameter/aws/service/...`, no account),
 * as AWS authorizes them, and GetParametersByPath hides an item a Deny on its read names.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetParameterCommand, GetParametersByPathCommand, GetParametersCommand } from '@aws-sdk/client-ssm';
import { clientsFor, userWithKey, type ServiceClients } from '../helpers/identity-clients.js';
import { startServer, type RunningServer } from '../helpers/server-process.js';

const AL2023 = '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64';
const REGIONS = '/aws/service/global-infrastructure/regions';
const policy = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });

describe('public parameters: IAM', () => {
  let server: RunningServer;
  let root: ServiceClients;
  const users: ServiceClients[] = [];
  const as = async (name: string, document: object) => {
    const clients = clientsFor(server, await userWithKey(root.iam, name, { p: document }));
    users.push(clients);
    return clients.ssm;
  };

  before(async () => {
    server = await startServer();
    root = clientsFor(server);
  });
  after(async () => {
    for (const clients of [root, ...users]) clients.destroy();
    await server.stop();
  });

  it('a policy on the account’s own parameters grants no public read; the refusal names the public ARN', async () => {
    const ssm = await as(
      'own-only',
      policy({ Effect: 'Allow', Action: 'ssm:GetParameter', Resource: 'arn:aws:ssm:us-east-1:*:parameter/app/*' }),
    );
    await assert.rejects(ssm.send(new GetParameterCommand({ Name: AL2023 })), (error: Error) => {
      assert.equal(error.name, 'AccessDeniedException');
      assert.ok(error.message.includes(`ssm:GetParameter on resource: arn:aws:ssm:us-east-1::parameter${AL2023}`));
      return true;
    });
  });

  it('a policy on arn:aws:ssm:REGION::parameter/aws/service/* grants GetParameter and GetParameters', async () => {
    const ssm = await as(
      'public-reader',
      policy({
        Effect: 'Allow',
        Action: ['ssm:GetParameter', 'ssm:GetParameters'],
        Resource: 'arn:aws:ssm:us-east-1::parameter/aws/service/*',
      }),
    );
    const got = await ssm.send(new GetParameterCommand({ Name: AL2023 }));
    assert.match(got.Parameter!.Value!, /^ami-/);
    const both = await ssm.send(new GetParametersCommand({ Names: [AL2023, `${REGIONS}/us-east-1/longName`] }));
    assert.equal(both.Parameters!.length, 2);
  });

  it('GetParametersByPath is authorized on the path, and hides what a Deny on a read names', async () => {
    const ssm = await as(
      'path-reader',
      policy(
        { Effect: 'Allow', Action: 'ssm:GetParametersByPath', Resource: `arn:aws:ssm:us-east-1::parameter${REGIONS}` },
        { Effect: 'Deny', Action: 'ssm:GetParameter', Resource: `arn:aws:ssm:us-east-1::parameter${REGIONS}/af-*` },
      ),
    );
    const page = await ssm.send(new GetParametersByPathCommand({ Path: REGIONS }));
    const shown = page.Parameters!.map((p) => p.Value);
    assert.ok(shown.length > 0 && !shown.some((v) => v!.startsWith('af-')), String(shown));
    await assert.rejects(ssm.send(new GetParametersByPathCommand({ Path: `${REGIONS}/us-east-1` })), {
      name: 'AccessDeniedException',
    });
  });
});
