/**
 * Names as AWS treats them, on every backend: one-level names in either spelling (stored and
 * answered canonically, legacy `/name` rows still found and never doubled), paths, reserved
 * names on every write, selectors named as given, list values in validation messages, and the
 * Secrets Manager bridge's not-found message.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ValueBarrier } from '../../../src/crypto/value-barrier.js';
import type { Coffer } from '../../../src/bootstrap/open-coffer.js';
import { keyForWrite } from '../../../src/engine/kms/managed-keys.js';
import { INVALID_PATH_MESSAGE } from '../../../src/engine/ssm/parameter-name.js';
import { valueContext } from '../../../src/engine/ssm/parameter-views.js';
import { expectError } from '../../helpers/expect-error.js';
import { BACKENDS, ctx, freshCoffer } from '../../helpers/test-stores.js';

/** Writes `name` as a store made before names were canonical did: under the spelling given. */
async function writeLegacyRow(coffer: Coffer, name: string, value: string): Promise<void> {
  const barrier = new ValueBarrier(coffer.keyring);
  // Any write makes the AWS-managed key the row is sealed under.
  await coffer.parameters.putParameter(ctx, {
    Name: '/legacy-key-maker/x',
    Value: 'v',
    Type: 'String',
    Overwrite: true,
  });
  const key = await keyForWrite(coffer.keyring, ctx, 'alias/aws/ssm', 'alias/aws/ssm');
  await coffer.storage.transaction(async (tx) => {
    await tx.insertVersion(ctx, {
      name,
      version: 1,
      type: 'String',
      keyId: null,
      tier: 'Standard',
      dataType: 'text',
      description: null,
      allowedPattern: null,
      policies: null,
      value: barrier.seal(value, key.keyId, valueContext(ctx, name, 1)),
      lastModifiedDate: Date.now(),
      lastModifiedUser: ctx.principalArn,
    });
    await tx.setLatestVersion(ctx, name, 1);
  });
}

for (const backend of BACKENDS) {
  describe(`Parameter names: ${backend}`, () => {
    let coffer: Coffer;
    let done: () => Promise<void>;
    before(async () => {
      ({ coffer, done } = await freshCoffer(backend));
    });
    after(() => done());
    const store = () => coffer.parameters;

    it('stores a one-level name without its slash and answers it so, whichever spelling reads it', async () => {
      await store().putParameter(ctx, { Name: '/canon', Value: 'v', Type: 'String' });
      assert.equal((await coffer.storage.getLatestVersion(ctx, 'canon'))?.version, 1);
      assert.equal(await coffer.storage.getLatestVersion(ctx, '/canon'), undefined);
      for (const Name of ['canon', '/canon', 'arn:aws:ssm:us-east-1:123456789012:parameter/canon']) {
        const p = (await store().getParameter(ctx, { Name })).Parameter!;
        assert.deepEqual([p.Name, p.ARN], ['canon', 'arn:aws:ssm:us-east-1:123456789012:parameter/canon']);
      }
      const history = await store().getParameterHistory(ctx, { Name: '/canon' });
      assert.deepEqual(
        history.Parameters!.map((p) => p.Name),
        ['canon'],
      );
    });

    it('keeps one row per parameter: the other spelling overwrites or is ParameterAlreadyExists', async () => {
      await store().putParameter(ctx, { Name: 'once', Value: 'v', Type: 'String' });
      await expectError(
        store().putParameter(ctx, { Name: '/once', Value: 'w', Type: 'String' }),
        'ParameterAlreadyExists',
      );
      assert.equal((await store().putParameter(ctx, { Name: '/once', Value: 'w', Overwrite: true })).Version, 2);
      assert.equal(await coffer.storage.getLatestVersion(ctx, '/once'), undefined);
      const listed = await store().describeParameters(ctx, {
        ParameterFilters: [{ Key: 'Name', Option: 'BeginsWith', Values: ['once'] }],
      });
      assert.deepEqual(
        listed.Parameters!.map((p) => [p.Name, p.Version]),
        [['once', 2]],
      );
    });

    it('finds a legacy /name row by either spelling, shows it canonically, and writes to it in place', async () => {
      await writeLegacyRow(coffer, '/old', 'legacy');
      const got = (await store().getParameter(ctx, { Name: 'old' })).Parameter!;
      assert.deepEqual([got.Name, got.Value], ['old', 'legacy']);
      await expectError(
        store().putParameter(ctx, { Name: 'old', Value: 'x', Type: 'String' }),
        'ParameterAlreadyExists',
      );
      await store().putParameter(ctx, { Name: 'old', Value: 'new', Overwrite: true });
      assert.equal(await coffer.storage.getLatestVersion(ctx, 'old'), undefined);
      assert.equal((await coffer.storage.getLatestVersion(ctx, '/old'))?.version, 2);
      await store().addTagsToResource(ctx, {
        ResourceType: 'Parameter',
        ResourceId: 'old',
        Tags: [{ Key: 'k', Value: 'v' }],
      });
      assert.deepEqual(
        (await store().listTagsForResource(ctx, { ResourceType: 'Parameter', ResourceId: '/old' })).TagList,
        [{ Key: 'k', Value: 'v' }],
      );
      await store().labelParameterVersion(ctx, { Name: 'old', Labels: ['cur'] });
      assert.equal((await store().getParameter(ctx, { Name: '/old:cur' })).Parameter!.Value, 'new');
      await store().deleteParameter(ctx, { Name: 'old' });
      await expectError(store().getParameter(ctx, { Name: '/old' }), 'ParameterNotFound', 'Parameter /old not found.');
    });

    it('lets the canonical row win where a legacy store holds both spellings, and lists it once', async () => {
      await writeLegacyRow(coffer, '/twice', 'legacy');
      await writeLegacyRow(coffer, 'twice', 'canonical');
      assert.equal((await store().getParameter(ctx, { Name: '/twice' })).Parameter!.Value, 'canonical');
      const root = await store().getParametersByPath(ctx, { Path: '/' });
      assert.deepEqual(
        root.Parameters!.filter((p) => p.Name === 'twice').map((p) => p.Value),
        ['canonical'],
      );
      const described = await store().describeParameters(ctx, {
        ParameterFilters: [{ Key: 'Name', Values: ['twice'] }],
      });
      assert.equal(described.Parameters!.length, 1);
      await store().deleteParameter(ctx, { Name: 'twice' });
      assert.equal((await store().getParameter(ctx, { Name: 'twice' })).Parameter!.Value, 'legacy');
    });

    it('notes a one-level parameter in the change log by its canonical name', async () => {
      await store().putParameter(ctx, { Name: '/feed-me', Value: 'v', Type: 'String' });
      const changes = await coffer.storage.listChanges(0, 10_000);
      const mine = changes.filter((c) => c.name.endsWith('feed-me'));
      assert.deepEqual(
        mine.map((c) => c.name),
        ['feed-me'],
      );
    });

    it('finds root names with Path / and the Name and Path filters in either spelling', async () => {
      await store().putParameter(ctx, { Name: 'root-plain', Value: 'v', Type: 'String' });
      const byPath = await store().getParametersByPath(ctx, { Path: '/' });
      assert.ok(byPath.Parameters!.some((p) => p.Name === 'root-plain'));
      for (const filter of [
        { Key: 'Name', Values: ['/root-plain'] },
        { Key: 'Name', Option: 'Contains', Values: ['/root-pl'] },
        { Key: 'Path', Values: ['/'] },
      ]) {
        const found = await store().describeParameters(ctx, { ParameterFilters: [filter] });
        assert.ok(
          found.Parameters!.some((p) => p.Name === 'root-plain'),
          JSON.stringify(filter),
        );
      }
    });

    it('refuses an invalid path with the path message, in GetParametersByPath and the Path filter', async () => {
      for (const Path of ['noslash', '//', '/a//b', '/bad#char']) {
        await expectError(store().getParametersByPath(ctx, { Path }), 'ValidationException', INVALID_PATH_MESSAGE);
        await expectError(
          store().describeParameters(ctx, { ParameterFilters: [{ Key: 'Path', Values: [Path] }] }),
          'ValidationException',
          INVALID_PATH_MESSAGE,
        );
      }
      assert.match(INVALID_PATH_MESSAGE, /prefixed with \\"aws\\" or \\"ssm\\" \(case-insensitive\)/);
      // Reading under /aws/ is allowed: AWS's public parameters live there.
      assert.deepEqual((await store().getParametersByPath(ctx, { Path: '/aws/service/none' })).Parameters, []);
    });

    it('refuses every write to a name whose first segment begins with aws, naming it without its slash', async () => {
      const denied = (name: string) => `No access to reserved parameter name: ${name.replace(/^\//, '')}.`;
      for (const Name of ['/aws/x', '/aws_test/path/to/var', '/AWS/PATH', 'aws-cdk-playground', 'AwsX', '/awsroot']) {
        await expectError(
          store().putParameter(ctx, { Name, Value: 'v', Type: 'String' }),
          'AccessDeniedException',
          denied(Name),
        );
        await expectError(store().deleteParameter(ctx, { Name }), 'AccessDeniedException', denied(Name));
        await expectError(store().labelParameterVersion(ctx, { Name, Labels: ['l'] }), 'AccessDeniedException');
        await expectError(
          store().unlabelParameterVersion(ctx, { Name, ParameterVersion: 1, Labels: ['l'] }),
          'AccessDeniedException',
        );
        const resource = { ResourceType: 'Parameter' as const, ResourceId: Name };
        await expectError(
          store().addTagsToResource(ctx, { ...resource, Tags: [{ Key: 'k', Value: 'v' }] }),
          'AccessDeniedException',
        );
        await expectError(
          store().removeTagsFromResource(ctx, { ...resource, TagKeys: ['k'] }),
          'AccessDeniedException',
        );
      }
      const error = await expectError(
        store().putParameter(ctx, { Name: '/aws/y', Value: 'v', Type: 'String' }),
        'AccessDeniedException',
      );
      assert.equal((error as unknown as { httpStatus: number }).httpStatus, 400);
      // ssm stays a ValidationException; aws inside a path is an ordinary name.
      await expectError(store().putParameter(ctx, { Name: 'ssmx', Value: 'v', Type: 'String' }), 'ValidationException');
      await store().putParameter(ctx, { Name: '/dev/aws', Value: 'v', Type: 'String' });
      // Reads are not refused: a missing /aws/service name is simply not found.
      await expectError(store().getParameter(ctx, { Name: '/aws/service/x' }), 'ParameterNotFound');
      await expectError(
        store().listTagsForResource(ctx, { ResourceType: 'Parameter', ResourceId: '/aws/service/x' }),
        'InvalidResourceId',
      );
    });

    it('DeleteParameters with a reserved name deletes nothing', async () => {
      await store().putParameter(ctx, { Name: '/keep/me', Value: 'v', Type: 'String' });
      await expectError(store().deleteParameters(ctx, { Names: ['/keep/me', 'awsx'] }), 'AccessDeniedException');
      assert.equal((await store().getParameter(ctx, { Name: '/keep/me' })).Parameter!.Value, 'v');
    });

    it('names a missing selection as the caller wrote it', async () => {
      await store().putParameter(ctx, { Name: 'sel', Value: 'v', Type: 'String' });
      await expectError(
        store().getParameter(ctx, { Name: 'sel:2:3' }),
        'ParameterNotFound',
        'Parameter sel:2:3 not found.',
      );
      await expectError(store().getParameter(ctx, { Name: 'sel:' }), 'ParameterNotFound', 'Parameter sel: not found.');
      await expectError(
        store().getParameter(ctx, { Name: 'nope:2' }),
        'ParameterNotFound',
        'Parameter nope:2 not found.',
      );
      await expectError(
        store().getParameter(ctx, { Name: '/nope:lbl' }),
        'ParameterNotFound',
        'Parameter /nope:lbl not found.',
      );
      await expectError(
        store().getParameter(ctx, { Name: 'sel:0' }),
        'ParameterVersionNotFound',
        'Systems Manager could not find version 0 of sel. Verify the version and try again.',
      );
      await expectError(
        store().getParameter(ctx, { Name: 'sel:99999999999999999999' }),
        'ParameterVersionNotFound',
        'Systems Manager could not find version 99999999999999999999 of sel. Verify the version and try again.',
      );
      const many = await store().getParameters(ctx, { Names: ['sel', 'sel:2:3', '/sel:9', 'sel:x/y'] });
      assert.deepEqual(
        many.Parameters!.map((p) => p.Name),
        ['sel'],
      );
      assert.deepEqual(many.InvalidParameters, ['sel:2:3', '/sel:9', 'sel:x/y']);
    });

    it('repeats the offending list in name and label list messages', async () => {
      const names = Array.from({ length: 11 }, (_, i) => `n${i}`);
      await expectError(
        store().getParameters(ctx, { Names: names }),
        'ValidationException',
        `1 validation error detected: Value '[${names.join(', ')}]' at 'names' failed to satisfy constraint: ` +
          'Member must have length less than or equal to 10',
      );
      await store().putParameter(ctx, { Name: 'labelled', Value: 'v', Type: 'String' });
      const long = 'a'.repeat(101);
      await expectError(
        store().labelParameterVersion(ctx, { Name: 'labelled', Labels: ['ok', long] }),
        'ValidationException',
        `1 validation error detected: Value '[ok, ${long}]' at 'labels' failed to satisfy constraint: ` +
          'Member must satisfy constraint: [Member must have length less than or equal to 100, ' +
          'Member must have length greater than or equal to 1]',
      );
    });

    it("answers a missing secret through the bridge in AWS's words, naming the reference as given", async () => {
      await expectError(
        store().getParameter(ctx, { Name: '/aws/reference/secretsmanager/none', WithDecryption: true }),
        'ParameterNotFound',
        'An error occurred (ParameterNotFound) when referencing Secrets Manager: ' +
          'Secret /aws/reference/secretsmanager/none not found.',
      );
    });
  });
}
