/**
 * Every Parameter Store action through @aws-sdk/client-ssm against the real server process,
 * on each backend: paginators, typed exceptions, labels, history, tags, selectors, ARN names.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AddTagsToResourceCommand,
  DeleteParameterCommand,
  DeleteParametersCommand,
  GetParameterCommand,
  GetParameterHistoryCommand,
  GetParametersCommand,
  LabelParameterVersionCommand,
  ListTagsForResourceCommand,
  ParameterAlreadyExists,
  ParameterNotFound,
  ParameterVersionNotFound,
  PutParameterCommand,
  RemoveTagsFromResourceCommand,
  type SSMClient,
  UnlabelParameterVersionCommand,
  ValidationException,
  paginateDescribeParameters,
  paginateGetParametersByPath,
  HierarchyLevelLimitExceededException,
} from '@aws-sdk/client-ssm';
import { BACKENDS } from '../helpers/test-stores.js';
import { startServer, type RunningServer } from '../helpers/server-process.js';

for (const backend of BACKENDS) {
  describe(`@aws-sdk/client-ssm end to end: ${backend}`, () => {
    let server: RunningServer;
    let ssm: SSMClient;
    before(async () => {
      server = await startServer({ backend });
      ssm = server.client();
    });
    after(async () => {
      assert.equal(await server.stop(), 0, 'the server exits cleanly on SIGTERM');
    });

    it('puts and gets, with and without decryption', async () => {
      const put = await ssm.send(
        new PutParameterCommand({
          Name: '/e2e/db/password',
          Value: 'hunter2',
          Type: 'SecureString',
          Description: 'db',
        }),
      );
      assert.equal(put.Version, 1);
      assert.equal(put.Tier, 'Standard');
      const got = await ssm.send(new GetParameterCommand({ Name: '/e2e/db/password', WithDecryption: true }));
      assert.equal(got.Parameter!.Value, 'hunter2');
      assert.ok(got.Parameter!.LastModifiedDate instanceof Date);
      assert.ok(Math.abs(got.Parameter!.LastModifiedDate!.getTime() - Date.now()) < 60_000);
      assert.equal(got.Parameter!.ARN, 'arn:aws:ssm:us-east-1:123456789012:parameter/e2e/db/password');
      assert.ok(got.$metadata.requestId);
      const sealed = await ssm.send(new GetParameterCommand({ Name: '/e2e/db/password' }));
      assert.notEqual(sealed.Parameter!.Value, 'hunter2');
    });

    it("maps errors to the SDK's typed exceptions", async () => {
      await assert.rejects(
        ssm.send(new GetParameterCommand({ Name: '/e2e/none' })),
        (e: unknown) => e instanceof ParameterNotFound && e.$metadata.httpStatusCode === 400,
      );
      await assert.rejects(
        ssm.send(new PutParameterCommand({ Name: '/e2e/db/password', Value: 'x', Type: 'SecureString' })),
        ParameterAlreadyExists,
      );
      await assert.rejects(ssm.send(new GetParameterCommand({ Name: '/e2e/db/password:9' })), ParameterVersionNotFound);
      await assert.rejects(
        ssm.send(new PutParameterCommand({ Name: '/e2e/bad name', Value: 'x', Type: 'String' })),
        ValidationException,
      );
      const deep = `/${Array.from({ length: 16 }, (_, i) => `l${i}`).join('/')}`;
      await assert.rejects(
        ssm.send(new PutParameterCommand({ Name: deep, Value: 'x', Type: 'String' })),
        HierarchyLevelLimitExceededException,
      );
    });

    it('overwrites, selects versions and labels, and keeps history', async () => {
      await ssm.send(new PutParameterCommand({ Name: '/e2e/db/password', Value: 'hunter3', Overwrite: true }));
      await ssm
        .send(
          new LabelParameterVersionCommand({ Name: '/e2e/db/password', ParameterVersion: 1, Labels: ['old', '9bad'] }),
        )
        .then((r) => assert.deepEqual(r.InvalidLabels, ['9bad']));
      assert.equal(
        (await ssm.send(new GetParameterCommand({ Name: '/e2e/db/password:old', WithDecryption: true }))).Parameter!
          .Value,
        'hunter2',
      );
      assert.equal(
        (
          await ssm.send(
            new GetParameterCommand({
              Name: 'arn:aws:ssm:us-east-1:123456789012:parameter/e2e/db/password:1',
              WithDecryption: true,
            }),
          )
        ).Parameter!.Value,
        'hunter2',
      );
      const history = await ssm.send(
        new GetParameterHistoryCommand({ Name: '/e2e/db/password', WithDecryption: true }),
      );
      assert.deepEqual(
        history.Parameters!.map((p) => [p.Version, p.Value, p.Labels]),
        [
          [1, 'hunter2', ['old']],
          [2, 'hunter3', []],
        ],
      );
      const unlabel = await ssm.send(
        new UnlabelParameterVersionCommand({ Name: '/e2e/db/password', ParameterVersion: 1, Labels: ['old'] }),
      );
      assert.deepEqual(unlabel.RemovedLabels, ['old']);
    });

    it('lists with the SDK paginators', async () => {
      for (let i = 0; i < 23; i++)
        await ssm.send(
          new PutParameterCommand({ Name: `/e2e/many/p${String(i).padStart(2, '0')}`, Value: `v${i}`, Type: 'String' }),
        );
      const names: string[] = [];
      for await (const page of paginateGetParametersByPath(
        { client: ssm, pageSize: 10 },
        { Path: '/e2e/many', WithDecryption: true },
      )) {
        assert.ok(page.Parameters!.length <= 10);
        names.push(...page.Parameters!.map((p) => p.Name!));
      }
      assert.equal(names.length, 23);
      const described: string[] = [];
      for await (const page of paginateDescribeParameters(
        { client: ssm, pageSize: 5 },
        { ParameterFilters: [{ Key: 'Path', Option: 'Recursive', Values: ['/e2e'] }] },
      )) {
        described.push(...page.Parameters!.map((p) => p.Name!));
      }
      assert.equal(described.length, 24);
      const some = await ssm.send(
        new GetParametersCommand({ Names: ['/e2e/many/p01', '/e2e/missing', '/e2e/many/p00'] }),
      );
      assert.deepEqual(
        some.Parameters!.map((p) => p.Name),
        ['/e2e/many/p00', '/e2e/many/p01'],
      );
      assert.deepEqual(some.InvalidParameters, ['/e2e/missing']);
    });

    it('tags, untags and lists tags', async () => {
      await ssm.send(
        new AddTagsToResourceCommand({
          ResourceType: 'Parameter',
          ResourceId: '/e2e/db/password',
          Tags: [{ Key: 'team', Value: 'data' }],
        }),
      );
      assert.deepEqual(
        (await ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: '/e2e/db/password' })))
          .TagList,
        [{ Key: 'team', Value: 'data' }],
      );
      await ssm.send(
        new RemoveTagsFromResourceCommand({
          ResourceType: 'Parameter',
          ResourceId: '/e2e/db/password',
          TagKeys: ['team'],
        }),
      );
      assert.deepEqual(
        (await ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: '/e2e/db/password' })))
          .TagList,
        [],
      );
    });

    it('namespaces by the region in the credential scope', async () => {
      const west = server.client(undefined, 'us-west-2');
      await assert.rejects(west.send(new GetParameterCommand({ Name: '/e2e/db/password' })), ParameterNotFound);
      await west.send(
        new PutParameterCommand({ Name: '/e2e/db/password', Value: 'value-for-the-west', Type: 'SecureString' }),
      );
      assert.equal(
        (await west.send(new GetParameterCommand({ Name: '/e2e/db/password', WithDecryption: true }))).Parameter!.ARN,
        'arn:aws:ssm:us-west-2:123456789012:parameter/e2e/db/password',
      );
    });

    it('deletes one and many', async () => {
      await ssm.send(new DeleteParameterCommand({ Name: '/e2e/many/p00' }));
      await assert.rejects(ssm.send(new DeleteParameterCommand({ Name: '/e2e/many/p00' })), ParameterNotFound);
      const result = await ssm.send(new DeleteParametersCommand({ Names: ['/e2e/many/p01', '/e2e/many/zz'] }));
      assert.deepEqual(result.DeletedParameters, ['/e2e/many/p01']);
      assert.deepEqual(result.InvalidParameters, ['/e2e/many/zz']);
    });

    it('never prints a value in its output', () => {
      for (const value of ['hunter2', 'hunter3', 'value-for-the-west'])
        assert.ok(!server.output().includes(value), `${value} leaked into the server output`);
      assert.ok(!server.output().includes('coffer-test-root-secret'), 'the root secret leaked');
      assert.match(server.output(), /"action":"AmazonSSM.GetParameter"/);
    });
  });
}
