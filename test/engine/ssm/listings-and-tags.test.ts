/**
 * GetParameters, GetParametersByPath, DescribeParameters (filters and paging) and tagging,
 * against AWS's documented rules, on every backend.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { expectError } from '../../helpers/expect-error.js';
import { BACKENDS, ctx, useParameterStore } from '../../helpers/test-stores.js';

for (const backend of BACKENDS) {
  describe(`listings and tags: ${backend}`, () => {
    const fixture = useParameterStore(backend);
    before(async () => {
      const put = (Name: string, Value: string, Type: 'String' | 'SecureString' | 'StringList', extra = {}) =>
        fixture.store.putParameter(ctx, { Name, Value, Type, ...extra });
      await put('/app/prod/db/password', 'pw', 'SecureString', { Tags: [{ Key: 'team', Value: 'data' }] });
      await put('/app/prod/db/user', 'admin', 'String', { Tags: [{ Key: 'team', Value: 'database' }] });
      await put('/app/prod/url', 'https://prod', 'String');
      await put('/app/dev/url', 'https://dev', 'String', { Tier: 'Advanced' });
      await put('/app/prod/hosts', 'a,b', 'StringList');
      await put('/other/x', 'x', 'String');
      await put('plain', 'p', 'String');
    });

    it('GetParameters returns found parameters in name order and the rest as InvalidParameters', async () => {
      const result = await fixture.store.getParameters(ctx, {
        Names: ['/app/prod/url', '/missing', '/app/dev/url', '/app/dev/url:7', '/app/prod/db/password'],
        WithDecryption: true,
      });
      assert.deepEqual(
        result.Parameters!.map((p) => [p.Name, p.Value]),
        [
          ['/app/dev/url', 'https://dev'],
          ['/app/prod/db/password', 'pw'],
          ['/app/prod/url', 'https://prod'],
        ],
      );
      assert.deepEqual(result.InvalidParameters, ['/missing', '/app/dev/url:7']);
    });

    it('GetParameters takes 1 to 10 names', async () => {
      await expectError(
        fixture.store.getParameters(ctx, { Names: Array.from({ length: 11 }, (_, i) => `/n${i}`) }),
        'ValidationException',
        /less than or equal to 10/,
      );
      await expectError(fixture.store.getParameters(ctx, { Names: [] }), 'ValidationException');
    });

    it('GetParametersByPath returns one level, or every level with Recursive', async () => {
      const one = await fixture.store.getParametersByPath(ctx, { Path: '/app/prod' });
      assert.deepEqual(
        one.Parameters!.map((p) => p.Name),
        ['/app/prod/hosts', '/app/prod/url'],
      );
      const all = await fixture.store.getParametersByPath(ctx, {
        Path: '/app/prod/',
        Recursive: true,
        WithDecryption: true,
      });
      assert.deepEqual(
        all.Parameters!.map((p) => [p.Name, p.Value]),
        [
          ['/app/prod/db/password', 'pw'],
          ['/app/prod/db/user', 'admin'],
          ['/app/prod/hosts', 'a,b'],
          ['/app/prod/url', 'https://prod'],
        ],
      );
      // `/` holds every root name whichever its spelling: `plain` is `/plain` (AWS treats both as one).
      const root = await fixture.store.getParametersByPath(ctx, { Path: '/', Recursive: true });
      assert.equal(root.Parameters!.length, 7);
      const rootLevel = await fixture.store.getParametersByPath(ctx, { Path: '/' });
      assert.deepEqual(
        rootLevel.Parameters!.map((p) => p.Name),
        ['plain'],
      );
    });

    it('GetParametersByPath pages with MaxResults 1-10 and a NextToken bound to the request', async () => {
      const first = await fixture.store.getParametersByPath(ctx, { Path: '/app', Recursive: true, MaxResults: 2 });
      assert.equal(first.Parameters!.length, 2);
      const rest = await fixture.store.getParametersByPath(ctx, {
        Path: '/app',
        Recursive: true,
        MaxResults: 10,
        NextToken: first.NextToken,
      });
      assert.deepEqual(
        [...first.Parameters!, ...rest.Parameters!].map((p) => p.Name),
        ['/app/dev/url', '/app/prod/db/password', '/app/prod/db/user', '/app/prod/hosts', '/app/prod/url'],
      );
      assert.equal(rest.NextToken, undefined);
      await expectError(
        fixture.store.getParametersByPath(ctx, { Path: '/other', NextToken: first.NextToken }),
        'InvalidNextToken',
      );
      await expectError(
        fixture.store.getParametersByPath(ctx, { Path: '/app', MaxResults: 11 }),
        'ValidationException',
        "1 validation error detected: Value '11' at 'maxResults' failed to satisfy constraint: Member must have " +
          'value less than or equal to 10',
      );
    });

    it('GetParametersByPath filters by Type, KeyId and Label only', async () => {
      const secure = await fixture.store.getParametersByPath(ctx, {
        Path: '/app',
        Recursive: true,
        ParameterFilters: [{ Key: 'Type', Values: ['SecureString'] }],
      });
      assert.deepEqual(
        secure.Parameters!.map((p) => p.Name),
        ['/app/prod/db/password'],
      );
      await fixture.store.putParameter(ctx, { Name: '/app/prod/url', Value: 'https://prod2', Overwrite: true });
      await fixture.store.labelParameterVersion(ctx, {
        Name: '/app/prod/url',
        ParameterVersion: 1,
        Labels: ['release'],
      });
      const labelled = await fixture.store.getParametersByPath(ctx, {
        Path: '/app',
        Recursive: true,
        ParameterFilters: [{ Key: 'Label', Option: 'Equals', Values: ['release'] }],
      });
      assert.deepEqual(
        labelled.Parameters!.map((p) => [p.Name, p.Version, p.Value]),
        [['/app/prod/url', 1, 'https://prod']],
      );
      await expectError(
        fixture.store.getParametersByPath(ctx, { Path: '/app', ParameterFilters: [{ Key: 'Name', Values: ['x'] }] }),
        'InvalidFilterKey',
        'The following filter key is not valid: Name. Valid filter keys include: [Type, KeyId, Label].',
      );
      await expectError(
        fixture.store.getParametersByPath(ctx, {
          Path: '/app',
          ParameterFilters: [{ Key: 'Label', Option: 'BeginsWith', Values: ['x'] }],
        }),
        'InvalidFilterOption',
      );
    });

    it('GetParametersByPath refuses a path without a leading slash', async () => {
      await expectError(fixture.store.getParametersByPath(ctx, { Path: 'app' }), 'ValidationException');
    });

    it('DescribeParameters lists metadata without values, paging by at most 50', async () => {
      const all = await fixture.store.describeParameters(ctx, {});
      assert.equal(all.Parameters!.length, 7);
      const password = all.Parameters!.find((p) => p.Name === '/app/prod/db/password')!;
      assert.equal(password.KeyId, 'alias/aws/ssm');
      assert.equal((password as Record<string, unknown>).Value, undefined);
      const first = await fixture.store.describeParameters(ctx, { MaxResults: 3 });
      const second = await fixture.store.describeParameters(ctx, { MaxResults: 50, NextToken: first.NextToken });
      assert.equal(first.Parameters!.length + second.Parameters!.length, 7);
      await expectError(
        fixture.store.describeParameters(ctx, { MaxResults: 51 }),
        'ValidationException',
        /less than or equal to 50/,
      );
    });

    it(
      'DescribeParameters filters by Name (Equals, BeginsWith, Contains), Type, Tier, Path, DataType and ' + 'tags',
      async () => {
        const names = async (filters: object[]) =>
          (await fixture.store.describeParameters(ctx, { ParameterFilters: filters as never })).Parameters!.map(
            (p) => p.Name,
          );
        assert.deepEqual(await names([{ Key: 'Name', Values: ['/app/prod/url'] }]), ['/app/prod/url']);
        assert.deepEqual(await names([{ Key: 'Name', Option: 'BeginsWith', Values: ['/app/prod/db'] }]), [
          '/app/prod/db/password',
          '/app/prod/db/user',
        ]);
        assert.deepEqual(await names([{ Key: 'Name', Option: 'Contains', Values: ['host'] }]), ['/app/prod/hosts']);
        assert.deepEqual(await names([{ Key: 'Type', Values: ['StringList'] }]), ['/app/prod/hosts']);
        assert.deepEqual(await names([{ Key: 'Tier', Values: ['Advanced'] }]), ['/app/dev/url']);
        assert.deepEqual(await names([{ Key: 'Path', Values: ['/app/prod'] }]), ['/app/prod/hosts', '/app/prod/url']);
        assert.deepEqual(await names([{ Key: 'Path', Option: 'Recursive', Values: ['/app/prod/db'] }]), [
          '/app/prod/db/password',
          '/app/prod/db/user',
        ]);
        assert.deepEqual(
          await names([
            { Key: 'DataType', Values: ['text'] },
            { Key: 'Path', Values: ['/other'] },
          ]),
          ['/other/x'],
        );
        assert.deepEqual(await names([{ Key: 'tag:team', Values: ['data'] }]), ['/app/prod/db/password']);
        assert.deepEqual(await names([{ Key: 'tag:team', Option: 'BeginsWith', Values: ['data'] }]), [
          '/app/prod/db/password',
          '/app/prod/db/user',
        ]);
        assert.deepEqual(await names([{ Key: 'tag:team' }]), ['/app/prod/db/password', '/app/prod/db/user']);
        assert.deepEqual(await names([{ Key: 'KeyId', Values: ['alias/aws/ssm'] }]), ['/app/prod/db/password']);
      },
    );

    it('DescribeParameters accepts the older Filters, but not together with ParameterFilters', async () => {
      const result = await fixture.store.describeParameters(ctx, { Filters: [{ Key: 'Name', Values: ['/app/dev'] }] });
      assert.deepEqual(
        result.Parameters!.map((p) => p.Name),
        ['/app/dev/url'],
      );
      await expectError(
        fixture.store.describeParameters(ctx, {
          Filters: [{ Key: 'Type', Values: ['String'] }],
          ParameterFilters: [{ Key: 'Type', Values: ['String'] }],
        }),
        'ValidationException',
        'You can use either Filters or ParameterFilters in a single request.',
      );
    });

    it("DescribeParameters refuses bad filters with AWS's errors", async () => {
      await expectError(
        fixture.store.describeParameters(ctx, { ParameterFilters: [{ Key: 'Label', Values: ['x'] }] }),
        'InvalidFilterKey',
        /Label/,
      );
      await expectError(
        fixture.store.describeParameters(ctx, { ParameterFilters: [{ Key: 'Bogus', Values: ['x'] }] }),
        'ValidationException',
        /Member must satisfy regular expression pattern: tag:\.\+\|Name\|Type\|KeyId\|Path\|Label\|Tier\|DataType/,
      );
      await expectError(
        fixture.store.describeParameters(ctx, { ParameterFilters: [{ Key: 'Type', Values: ['Number'] }] }),
        'InvalidFilterValue',
        'The following filter value is not valid: Number. Valid values include: [String, StringList, SecureString].',
      );
      await expectError(
        fixture.store.describeParameters(ctx, {
          ParameterFilters: [{ Key: 'Type', Option: 'Contains', Values: ['S'] }],
        }),
        'InvalidFilterOption',
        'The following filter option is not valid: Contains. Valid options include: [Equals, BeginsWith].',
      );
      await expectError(
        fixture.store.describeParameters(ctx, {
          ParameterFilters: [{ Key: 'Path', Option: 'Equals', Values: ['/x'] }],
        }),
        'InvalidFilterOption',
      );
      await expectError(
        fixture.store.describeParameters(ctx, { ParameterFilters: [{ Key: 'Name' }] }),
        'InvalidFilterValue',
      );
      await expectError(
        fixture.store.describeParameters(ctx, {
          ParameterFilters: [
            { Key: 'Type', Values: ['String'] },
            { Key: 'Type', Values: ['String'] },
          ],
        }),
        'InvalidFilterKey',
        /duplicated/,
      );
      await expectError(
        fixture.store.describeParameters(ctx, { ParameterFilters: [{ Key: 'Path', Values: ['/aws/x'] }] }),
        'ValidationException',
        /can't be prefixed with "aws" or "ssm"/,
      );
    });

    it('adds, lists and removes tags; at most 50 per resource', async () => {
      const resource = { ResourceType: 'Parameter' as const, ResourceId: '/app/prod/url' };
      await fixture.store.addTagsToResource(ctx, {
        ...resource,
        Tags: [
          { Key: 'env', Value: 'prod' },
          { Key: 'owner', Value: 'ops' },
        ],
      });
      assert.deepEqual((await fixture.store.listTagsForResource(ctx, resource)).TagList, [
        { Key: 'env', Value: 'prod' },
        { Key: 'owner', Value: 'ops' },
      ]);
      await fixture.store.removeTagsFromResource(ctx, { ...resource, TagKeys: ['owner'] });
      assert.deepEqual((await fixture.store.listTagsForResource(ctx, resource)).TagList, [
        { Key: 'env', Value: 'prod' },
      ]);
      const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
      await expectError(fixture.store.addTagsToResource(ctx, { ...resource, Tags: many }), 'TooManyTagsError');
      assert.equal((await fixture.store.listTagsForResource(ctx, resource)).TagList!.length, 1);
    });

    it('refuses bad tags, unknown resources and resource types', async () => {
      const resource = { ResourceType: 'Parameter' as const, ResourceId: '/app/prod/url' };
      await expectError(
        fixture.store.addTagsToResource(ctx, { ...resource, Tags: [{ Key: 'aws:x', Value: 'v' }] }),
        'ValidationException',
        /reserved/,
      );
      await expectError(
        fixture.store.addTagsToResource(ctx, { ...resource, Tags: [{ Key: 'k'.repeat(129), Value: 'v' }] }),
        'ValidationException',
      );
      await expectError(
        fixture.store.addTagsToResource(ctx, { ...resource, Tags: [{ Key: 'k', Value: 'bad#value' }] }),
        'ValidationException',
      );
      await expectError(
        fixture.store.listTagsForResource(ctx, { ResourceType: 'Parameter', ResourceId: '/nope' }),
        'InvalidResourceId',
      );
      await expectError(
        fixture.store.listTagsForResource(ctx, { ResourceType: 'Bucket' as never, ResourceId: '/app/prod/url' }),
        'InvalidResourceType',
      );
    });

    it("removes a parameter's tags when it is deleted", async () => {
      await fixture.store.deleteParameter(ctx, { Name: '/app/prod/db/user' });
      await fixture.store.putParameter(ctx, { Name: '/app/prod/db/user', Value: 'again', Type: 'String' });
      assert.deepEqual(
        (await fixture.store.listTagsForResource(ctx, { ResourceType: 'Parameter', ResourceId: '/app/prod/db/user' }))
          .TagList,
        [],
      );
    });
  });
}
