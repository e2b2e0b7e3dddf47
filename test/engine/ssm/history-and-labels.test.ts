/**
 * Versions, history, labels and deletion, against AWS's documented rules, on every backend.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ParameterStore } from '../../../src/engine/ssm/parameter-store.js';
import { expectError } from '../../helpers/expect-error.js';
import { BACKENDS, ctx, freshCoffer, rawSql, useParameterStore } from '../../helpers/test-stores.js';
import { TamperedRowError } from '../../../src/storage/row-integrity.js';

async function putVersions(store: ParameterStore, name: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++)
    await store.putParameter(ctx, { Name: name, Value: `v${i + 1}`, Type: 'String', Overwrite: true });
}

for (const backend of BACKENDS) {
  describe(`history, labels and deletion: ${backend}`, () => {
    const fixture = useParameterStore(backend);

    it('lists history oldest first with labels, values only decrypted on request, paged by at most 50', async () => {
      await fixture.store.putParameter(ctx, { Name: '/h/secret', Value: 'one', Type: 'SecureString' });
      await fixture.store.putParameter(ctx, { Name: '/h/secret', Value: 'two', Overwrite: true });
      await fixture.store.labelParameterVersion(ctx, { Name: '/h/secret', ParameterVersion: 1, Labels: ['old'] });
      const history = (await fixture.store.getParameterHistory(ctx, { Name: '/h/secret', WithDecryption: true }))
        .Parameters!;
      assert.deepEqual(
        history.map((h) => [h.Version, h.Value, h.Labels]),
        [
          [1, 'one', ['old']],
          [2, 'two', []],
        ],
      );
      const sealed = (await fixture.store.getParameterHistory(ctx, { Name: '/h/secret' })).Parameters!;
      assert.ok(sealed.every((h) => h.Value !== 'one' && h.Value !== 'two'));
      await expectError(
        fixture.store.getParameterHistory(ctx, { Name: '/h/secret', MaxResults: 51 }),
        'ValidationException',
        "1 validation error detected: Value '51' at 'maxResults' failed to satisfy constraint: Member must have " +
          'value less than or equal to 50',
      );
      await expectError(fixture.store.getParameterHistory(ctx, { Name: '/h/none' }), 'ParameterNotFound');
    });

    it('pages history with an opaque NextToken', async () => {
      await putVersions(fixture.store, '/h/paged', 5);
      const first = await fixture.store.getParameterHistory(ctx, { Name: '/h/paged', MaxResults: 2 });
      assert.deepEqual(
        first.Parameters!.map((p) => p.Version),
        [1, 2],
      );
      const second = await fixture.store.getParameterHistory(ctx, {
        Name: '/h/paged',
        MaxResults: 2,
        NextToken: first.NextToken,
      });
      assert.deepEqual(
        second.Parameters!.map((p) => p.Version),
        [3, 4],
      );
      const third = await fixture.store.getParameterHistory(ctx, {
        Name: '/h/paged',
        MaxResults: 2,
        NextToken: second.NextToken,
      });
      assert.deepEqual(
        third.Parameters!.map((p) => p.Version),
        [5],
      );
      assert.equal(third.NextToken, undefined);
    });

    it('refuses a tampered or foreign NextToken with InvalidNextToken', async () => {
      const first = await fixture.store.getParameterHistory(ctx, { Name: '/h/paged', MaxResults: 2 });
      const token = first.NextToken!;
      const flipped = `${token.slice(0, -2)}${token.at(-2) === 'A' ? 'B' : 'A'}${token.at(-1)}`;
      await expectError(
        fixture.store.getParameterHistory(ctx, { Name: '/h/paged', NextToken: flipped }),
        'InvalidNextToken',
      );
      await expectError(
        fixture.store.getParameterHistory(ctx, { Name: '/h/secret', NextToken: token }),
        'InvalidNextToken',
      );
      await expectError(
        fixture.store.getParameterHistory({ ...ctx, account: '999999999999' }, { Name: '/h/paged', NextToken: token }),
        'InvalidNextToken',
      );
    });

    it('keeps 100 versions, dropping the oldest', async () => {
      await putVersions(fixture.store, '/h/many', 101);
      const versions: number[] = [];
      let token: string | undefined;
      do {
        const page = await fixture.store.getParameterHistory(ctx, { Name: '/h/many', NextToken: token });
        versions.push(...page.Parameters!.map((p) => p.Version!));
        token = page.NextToken;
      } while (token);
      assert.equal(versions.length, 100);
      assert.equal(versions[0], 2);
      assert.equal(versions[99], 101);
      await expectError(fixture.store.getParameter(ctx, { Name: '/h/many:1' }), 'ParameterVersionNotFound');
    });

    it('reports an oldest version changed or forged outside Coffer instead of pruning it', async () => {
      const { coffer, location, done } = await freshCoffer(backend);
      try {
        const store = coffer.parameters;
        await putVersions(store, '/h/tampered', 100);
        await rawSql(
          location,
          `UPDATE ssm_parameter_versions SET description = 'x' WHERE name = '/h/tampered' AND version = 1`,
        );
        await assert.rejects(
          store.putParameter(ctx, { Name: '/h/tampered', Value: 'more', Type: 'String', Overwrite: true }),
          TamperedRowError,
        );
        assert.equal((await store.getParameter(ctx, { Name: '/h/tampered' })).Parameter!.Version, 100);
        // A forged row below the oldest (a version no write makes) stops no pruning quietly either.
        await putVersions(store, '/h/forged', 100);
        await rawSql(
          location,
          `INSERT INTO ssm_parameter_versions (account, region, name, version, type, tier, data_type, value, ` +
            `last_modified_date, last_modified_user) SELECT account, region, name, 0, type, tier, data_type, value, ` +
            `last_modified_date, last_modified_user FROM ssm_parameter_versions ` +
            `WHERE name = '/h/forged' AND version = 1`,
        );
        await assert.rejects(
          store.putParameter(ctx, { Name: '/h/forged', Value: 'more', Type: 'String', Overwrite: true }),
          TamperedRowError,
        );
        assert.equal((await store.getParameter(ctx, { Name: '/h/forged' })).Parameter!.Version, 100);
      } finally {
        await done();
      }
    });

    it('refuses a 101st version when the oldest carries a label, and writes nothing', async () => {
      await fixture.store.labelParameterVersion(ctx, { Name: '/h/many', ParameterVersion: 2, Labels: ['pinned'] });
      await expectError(
        fixture.store.putParameter(ctx, { Name: '/h/many', Value: 'more', Overwrite: true }),
        'ParameterMaxVersionLimitExceeded',
        'You attempted to create a new version of /h/many by calling the PutParameter API with the overwrite flag. ' +
          'Version 2, the oldest version, ' +
          "can't be deleted because it has a label associated with it. Move the label to another version of the " +
          'parameter, and try again.',
      );
      assert.equal((await fixture.store.getParameter(ctx, { Name: '/h/many' })).Parameter!.Version, 101);
      assert.equal((await fixture.store.getParameter(ctx, { Name: '/h/many:2' })).Parameter!.Value, 'v2');
    });

    it('labels the latest version by default and moves a label from another version', async () => {
      await putVersions(fixture.store, '/h/lab', 3);
      assert.deepEqual(await fixture.store.labelParameterVersion(ctx, { Name: '/h/lab', Labels: ['prod'] }), {
        InvalidLabels: [],
        ParameterVersion: 3,
      });
      await fixture.store.labelParameterVersion(ctx, { Name: '/h/lab', ParameterVersion: 1, Labels: ['prod'] });
      const history = (await fixture.store.getParameterHistory(ctx, { Name: '/h/lab' })).Parameters!;
      assert.deepEqual(
        history.map((h) => h.Labels),
        [['prod'], [], []],
      );
    });

    it('returns malformed labels in InvalidLabels and attaches the rest', async () => {
      const result = await fixture.store.labelParameterVersion(ctx, {
        Name: '/h/lab',
        ParameterVersion: 2,
        Labels: ['ok-1', '1starts-with-digit', 'awsReserved', 'SSMx', 'has/slash', 'fine_2.x'],
      });
      assert.deepEqual(result.InvalidLabels, ['1starts-with-digit', 'awsReserved', 'SSMx', 'has/slash']);
      const labels = (await fixture.store.getParameterHistory(ctx, { Name: '/h/lab' })).Parameters![1]!.Labels;
      assert.deepEqual(labels, ['fine_2.x', 'ok-1']);
    });

    it('refuses a label over 100 characters', async () => {
      await expectError(
        fixture.store.labelParameterVersion(ctx, { Name: '/h/lab', Labels: ['x'.repeat(101)] }),
        'ValidationException',
        /less than or equal to 100/,
      );
    });

    it('allows at most 10 labels per version', async () => {
      await fixture.store.labelParameterVersion(ctx, {
        Name: '/h/lab',
        ParameterVersion: 3,
        Labels: Array.from({ length: 10 }, (_, i) => `l${i}`),
      });
      await expectError(
        fixture.store.labelParameterVersion(ctx, { Name: '/h/lab', ParameterVersion: 3, Labels: ['eleventh'] }),
        'ParameterVersionLabelLimitExceeded',
      );
      await expectError(
        fixture.store.labelParameterVersion(ctx, {
          Name: '/h/lab',
          ParameterVersion: 3,
          Labels: Array.from({ length: 11 }, (_, i) => `m${i}`),
        }),
        'ValidationException',
      );
    });

    it('refuses labels on an unknown version or parameter', async () => {
      await expectError(
        fixture.store.labelParameterVersion(ctx, { Name: '/h/lab', ParameterVersion: 42, Labels: ['x'] }),
        'ParameterVersionNotFound',
      );
      await expectError(
        fixture.store.labelParameterVersion(ctx, { Name: '/h/none', Labels: ['x'] }),
        'ParameterNotFound',
      );
    });

    it('unlabels, reporting labels not on that version as invalid', async () => {
      const result = await fixture.store.unlabelParameterVersion(ctx, {
        Name: '/h/lab',
        ParameterVersion: 1,
        Labels: ['prod', 'ok-1'],
      });
      assert.deepEqual(result, { RemovedLabels: ['prod'], InvalidLabels: ['ok-1'] });
      await expectError(
        fixture.store.unlabelParameterVersion(ctx, { Name: '/h/lab', Labels: ['x'] } as never),
        'ValidationException',
        /parameterVersion/,
      );
    });

    it('deletes a parameter with its history, and restarts versions at 1 when recreated', async () => {
      await fixture.store.deleteParameter(ctx, { Name: '/h/lab' });
      await expectError(fixture.store.getParameter(ctx, { Name: '/h/lab' }), 'ParameterNotFound');
      await expectError(
        fixture.store.deleteParameter(ctx, { Name: '/h/lab' }),
        'ParameterNotFound',
        'Parameter /h/lab not found.',
      );
      assert.equal(
        (await fixture.store.putParameter(ctx, { Name: '/h/lab', Value: 'again', Type: 'String' })).Version,
        1,
      );
      assert.deepEqual(
        (await fixture.store.getParameterHistory(ctx, { Name: '/h/lab' })).Parameters!.map((p) => p.Labels),
        [[]],
      );
    });

    it('deletes up to 10 names at once, reporting the missing ones', async () => {
      await fixture.store.putParameter(ctx, { Name: '/h/d1', Value: 'x', Type: 'String' });
      await fixture.store.putParameter(ctx, { Name: '/h/d2', Value: 'x', Type: 'String' });
      assert.deepEqual(await fixture.store.deleteParameters(ctx, { Names: ['/h/d1', '/h/d2', '/h/d3'] }), {
        DeletedParameters: ['/h/d1', '/h/d2'],
        InvalidParameters: ['/h/d3'],
      });
      await expectError(
        fixture.store.deleteParameters(ctx, { Names: Array.from({ length: 11 }, (_, i) => `/h/x${i}`) }),
        'ValidationException',
        /less than or equal to 10/,
      );
    });
  });
}
