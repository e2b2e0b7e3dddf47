/**
 * The adversarial review's identity findings, end to end on both backends: role sessions that
 * outlived their role, IAM rows trusted from storage (an access key's owner set to root, a Deny
 * rewritten into an Allow, a tag changed, a policy moved to another user), and names unique
 * only by case.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateRoleCommand,
  CreateUserCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  EntityAlreadyExistsException,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
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
import { BACKENDS, rawSql, testLocation } from '../helpers/test-stores.js';

const ACCOUNT = '123456789012';
const policy = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });

async function failure(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  return promise.then(
    () => assert.fail('expected a refusal'),
    (e: Error) => e,
  );
}

for (const backend of BACKENDS) {
  describe(`security: identities are bound to unique ids and sealed rows: ${backend}`, () => {
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
      await root.ssm.send(new PutParameterCommand({ Name: '/id/secret', Value: 'only-for-root', Type: 'String' }));
    });
    after(async () => {
      opened.forEach((c) => {
        c.destroy();
      });
      await server.stop();
    });

    it(
      'finding 6: a session of a deleted role is refused, and stays refused when a role of that name ' + 'returns',
      async () => {
        const trust = policy({
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: 'sts:AssumeRole',
        });
        await root.iam.send(new CreateRoleCommand({ RoleName: 'temp', AssumeRolePolicyDocument: trust }));
        await root.iam.send(
          new PutRolePolicyCommand({
            RoleName: 'temp',
            PolicyName: 'p',
            PolicyDocument: policy({ Effect: 'Allow', Action: 'sts:GetCallerIdentity', Resource: '*' }),
          }),
        );
        const assumer = as(
          await userWithKey(root.iam, 'assumer', {
            a: JSON.parse(policy({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' })),
          }),
        );
        const credentials = (
          await assumer.sts.send(
            new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/temp`, RoleSessionName: 'old-session' }),
          )
        ).Credentials!;
        const session = as({
          accessKeyId: credentials.AccessKeyId!,
          secretAccessKey: credentials.SecretAccessKey!,
          sessionToken: credentials.SessionToken!,
        });
        assert.match(
          (await session.sts.send(new GetCallerIdentityCommand({}))).Arn!,
          /assumed-role\/temp\/old-session/,
        );
        await root.iam.send(new DeleteRolePolicyCommand({ RoleName: 'temp', PolicyName: 'p' }));
        await root.iam.send(new DeleteRoleCommand({ RoleName: 'temp' }));
        assert.equal((await failure(session.sts.send(new GetCallerIdentityCommand({})))).name, 'InvalidClientTokenId');
        // A new role of the same name, with more power, is another role: the old session gets none of it.
        await root.iam.send(new CreateRoleCommand({ RoleName: 'temp', AssumeRolePolicyDocument: trust }));
        await root.iam.send(
          new PutRolePolicyCommand({
            RoleName: 'temp',
            PolicyName: 'all',
            PolicyDocument: policy({ Effect: 'Allow', Action: '*', Resource: '*' }),
          }),
        );
        assert.equal(
          (await failure(session.ssm.send(new GetParameterCommand({ Name: '/id/secret' })))).name,
          'UnrecognizedClientException',
        );
        const fresh = (
          await assumer.sts.send(
            new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/temp`, RoleSessionName: 'new-session' }),
          )
        ).Credentials!;
        const newSession = as({
          accessKeyId: fresh.AccessKeyId!,
          secretAccessKey: fresh.SecretAccessKey!,
          sessionToken: fresh.SessionToken!,
        });
        assert.equal(
          (await newSession.ssm.send(new GetParameterCommand({ Name: '/id/secret' }))).Parameter!.Value,
          'only-for-root',
        );
      },
    );

    it('finding 11: IAM user, group and role names are unique regardless of case', async () => {
      await root.iam.send(new CreateUserCommand({ UserName: 'Case-User' }));
      await assert.rejects(
        root.iam.send(new CreateUserCommand({ UserName: 'case-user' })),
        (e: Error) => e instanceof EntityAlreadyExistsException,
      );
      await root.iam.send(
        new CreateRoleCommand({
          RoleName: 'Case-Role',
          AssumeRolePolicyDocument: policy({ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'sts:AssumeRole' }),
        }),
      );
      await assert.rejects(
        root.iam.send(
          new CreateRoleCommand({
            RoleName: 'CASE-ROLE',
            AssumeRolePolicyDocument: policy({
              Effect: 'Allow',
              Principal: { AWS: ACCOUNT },
              Action: 'sts:AssumeRole',
            }),
          }),
        ),
        (e: Error) => e instanceof EntityAlreadyExistsException,
      );
    });
  });

  describe(`security: rows changed outside Coffer are refused and reported: ${backend}`, () => {
    it(
      'finding 7: an access key whose owner is set to root, a Deny turned Allow, a tag changed: each refused, never ' +
        'honoured',
      async () => {
        const location = testLocation(backend);
        let server = await startServer({ location });
        let root = clientsFor(server, ROOT);
        const eve = await userWithKey(
          root.iam,
          'eve',
          {
            guard: JSON.parse(
              policy(
                { Effect: 'Allow', Action: 'ssm:GetParameter', Resource: '*' },
                { Effect: 'Deny', Action: 'ssm:GetParameter', Resource: `arn:aws:ssm:*:*:parameter/id/*` },
              ),
            ),
          },
          { team: 'blue' },
        );
        await root.ssm.send(new PutParameterCommand({ Name: '/id/secret', Value: 'only-for-root', Type: 'String' }));
        await root.ssm.send(new PutParameterCommand({ Name: '/open', Value: 'open', Type: 'String' }));
        root.destroy();
        await server.stop({ keepStore: true });

        // The key's owner becomes the account root, behind Coffer's back.
        await rawSql(
          location,
          `UPDATE iam_access_keys SET principal_arn = 'arn:aws:iam::${ACCOUNT}:root' WHERE access_key_id = ` +
            `'${eve.accessKeyId}'`,
        );
        server = await startServer({ location });
        let asEve = clientsFor(server, eve);
        const refused = await failure(asEve.ssm.send(new GetParameterCommand({ Name: '/id/secret' })));
        assert.equal(refused.$metadata?.httpStatusCode, 500);
        assert.doesNotMatch(refused.message, /only-for-root/);
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.match(server.output(), /"code":"TAMPERED_ROW"/);
        assert.doesNotMatch(server.output(), /only-for-root/);
        asEve.destroy();
        await server.stop({ keepStore: true });
        await rawSql(
          location,
          `UPDATE iam_access_keys SET principal_arn = 'arn:aws:iam::${ACCOUNT}:user/eve' WHERE access_key_id = ` +
            `'${eve.accessKeyId}'`,
        );

        // Restored exactly, the row matches its seal again: eve is eve, and her Deny holds.
        server = await startServer({ location });
        asEve = clientsFor(server, eve);
        assert.equal((await asEve.ssm.send(new GetParameterCommand({ Name: '/open' }))).Parameter!.Value, 'open');
        assert.ok(await isDenied(asEve.ssm.send(new GetParameterCommand({ Name: '/id/secret' }))));
        asEve.destroy();
        await server.stop({ keepStore: true });

        // Her Deny rewritten into an Allow, or her tag changed: refused, not honoured.
        await rawSql(
          location,
          `UPDATE iam_documents SET document = replace(document, '"Deny"', '"Allow"') WHERE owner_arn LIKE ` +
            `'%:user/eve'`,
        );
        server = await startServer({ location });
        asEve = clientsFor(server, eve);
        assert.equal(
          (await failure(asEve.ssm.send(new GetParameterCommand({ Name: '/id/secret' })))).$metadata?.httpStatusCode,
          500,
        );
        asEve.destroy();
        await server.stop({ keepStore: true });
        await rawSql(
          location,
          `UPDATE iam_documents SET document = replace(document, ` +
            `'"Allow","Action":"ssm:GetParameter","Resource":"arn', ` +
            `'"Deny","Action":"ssm:GetParameter","Resource":"arn') WHERE owner_arn LIKE '%:user/eve'`,
        );
        await rawSql(
          location,
          `UPDATE resource_tags SET tag_value = 'red' WHERE resource_type = 'iam-user' AND resource_id = 'eve'`,
        );
        server = await startServer({ location });
        asEve = clientsFor(server, eve);
        assert.equal(
          (await failure(asEve.ssm.send(new GetParameterCommand({ Name: '/open' })))).$metadata?.httpStatusCode,
          500,
        );
        asEve.destroy();
        root = clientsFor(server, ROOT);
        assert.equal(
          (await root.ssm.send(new GetParameterCommand({ Name: '/open' }))).Parameter!.Value,
          'open',
          'untouched rows still serve',
        );
        root.destroy();
        await server.stop();
      },
    );
  });
}
