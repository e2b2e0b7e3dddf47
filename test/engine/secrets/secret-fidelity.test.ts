/**
 * Secrets Manager behaviours where AWS is exact (issue 14): ListSecrets' filters (words, case,
 * negation), reused ClientRequestTokens, RotateSecret's checks before any state, DescribeSecret's
 * omitted members, forced deletes of absent secrets, the first version's AWSCURRENT, the order of
 * staging labels, BatchGetSecretValue's argument errors and GetRandomPassword's length bound.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Coffer } from '../../../src/bootstrap/open-coffer.js';
import { wordsOf } from '../../../src/engine/secrets/secret-filters.js';
import { expectError } from '../../helpers/expect-error.js';
import { BACKENDS, ctx, freshCoffer } from '../../helpers/test-stores.js';

const TOKEN_A = 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa';

describe('secret filter words', () => {
  it('splits at punctuation, spaces, lower-to-upper changes and letter-to-digit changes', () => {
    assert.deepEqual(wordsOf('credsDatabase#892'), ['creds', 'Database', '892']);
    assert.deepEqual(wordsOf('prod/db_main+x=y.z@w-v'), ['prod', 'db', 'main', 'x', 'y', 'z', 'w', 'v']);
    assert.deepEqual(wordsOf('DBPassword'), ['DB', 'Password']);
    // From moto's AWS-verified tests: COMPANYthings is COMPAN + Ythings; a digit starts a word, a letter does not.
    assert.deepEqual(wordsOf('uat/COMPANYthings/SecretFTag'), ['uat', 'COMPAN', 'Ythings', 'Secret', 'F', 'Tag']);
    assert.deepEqual(wordsOf('SecretOne3f2a9c'), ['Secret', 'One', '3f', '2a', '9c']);
    assert.deepEqual(wordsOf('  '), []);
  });
});

for (const backend of BACKENDS) {
  describe(`Secrets Manager fidelity: ${backend}`, () => {
    let coffer: Coffer;
    let done: () => Promise<void>;

    before(async () => {
      ({ coffer, done } = await freshCoffer(backend));
      const { store } = coffer.secrets;
      await store.createSecret(ctx, {
        Name: 'prod/DatabaseSecret',
        SecretString: 'v',
        Description: 'My basic description',
        Tags: [{ Key: 'Production', Value: 'TeamBlue' }],
      });
      await store.createSecret(ctx, { Name: 'databaseSecret', SecretString: 'v', Description: 'unrelated' });
      await store.createSecret(ctx, { Name: 'MyData', SecretString: 'v', Description: 'Description of my secret' });
    });
    after(() => done());

    const names = async (Filters: { Key: string; Values: string[] }[]) =>
      ((await coffer.secrets.listing.listSecrets(ctx, { Filters: Filters as never })).SecretList ?? [])
        .map((s) => s.Name)
        .sort();

    it('matches name, tag-key and tag-value from the start, case-sensitively', async () => {
      assert.deepEqual(await names([{ Key: 'name', Values: ['data'] }]), ['databaseSecret']);
      assert.deepEqual(await names([{ Key: 'name', Values: ['Data'] }]), []);
      assert.deepEqual(await names([{ Key: 'name', Values: ['prod/Data'] }]), ['prod/DatabaseSecret']);
      assert.deepEqual(await names([{ Key: 'tag-key', Values: ['Prod'] }]), ['prod/DatabaseSecret']);
      assert.deepEqual(await names([{ Key: 'tag-key', Values: ['prod'] }]), []);
      assert.deepEqual(await names([{ Key: 'tag-value', Values: ['Blue'] }]), []);
    });

    it('matches description and all by words, not case-sensitively, every word of the value', async () => {
      assert.deepEqual(await names([{ Key: 'description', Values: ['my DESCRIPTION'] }]), [
        'MyData',
        'prod/DatabaseSecret',
      ]);
      assert.deepEqual(await names([{ Key: 'description', Values: ['desc bas'] }]), ['prod/DatabaseSecret']);
      assert.deepEqual(await names([{ Key: 'description', Values: ['scription'] }]), []);
      assert.deepEqual(await names([{ Key: 'all', Values: ['secret'] }]), [
        'MyData',
        'databaseSecret',
        'prod/DatabaseSecret',
      ]);
      assert.deepEqual(await names([{ Key: 'all', Values: ['blue'] }]), ['prod/DatabaseSecret']);
    });

    it('negates a value with !, ORs the values of a filter and ANDs filters', async () => {
      assert.deepEqual(await names([{ Key: 'name', Values: ['!prod'] }]), ['MyData', 'databaseSecret']);
      assert.deepEqual(await names([{ Key: 'name', Values: ['My', 'data'] }]), ['MyData', 'databaseSecret']);
      assert.deepEqual(
        await names([
          { Key: 'all', Values: ['secret'] },
          { Key: 'description', Values: ['!unrelated'] },
        ]),
        ['MyData', 'prod/DatabaseSecret'],
      );
      assert.deepEqual(await names([{ Key: 'owning-service', Values: ['!x'] }]), [
        'MyData',
        'databaseSecret',
        'prod/DatabaseSecret',
      ]);
    });

    it('answers AWS errors for a filter without a key or values, never printing undefined', async () => {
      const { listing } = coffer.secrets;
      await expectError(
        listing.listSecrets(ctx, { Filters: [{ Values: ['x'] }] as never }),
        'InvalidParameterException',
        'Invalid filter key',
      );
      await expectError(
        listing.listSecrets(ctx, { Filters: [{ Key: 'description' }] as never }),
        'InvalidParameterException',
        'Invalid filter values for key: description',
      );
      await expectError(
        listing.batchGetSecretValue(ctx, { Filters: [{ Values: ['x'] }] as never }),
        'InvalidParameterException',
        'Invalid filter key',
      );
    });

    it('BatchGetSecretValue: MaxResults needs Filters, and ids and filters together are refused', async () => {
      const { listing } = coffer.secrets;
      await expectError(
        listing.batchGetSecretValue(ctx, { SecretIdList: ['MyData'], MaxResults: 5 }),
        'InvalidParameterException',
        "'Filters' not specified. 'Filters' must also be specified when 'MaxResults' is provided.",
      );
      await expectError(
        listing.batchGetSecretValue(ctx, { SecretIdList: ['MyData'], Filters: [{ Key: 'name', Values: ['M'] }] }),
        'InvalidParameterException',
        "Either 'SecretIdList' or 'Filters' must be provided, but not both.",
      );
      const found = await listing.batchGetSecretValue(ctx, { Filters: [{ Key: 'name', Values: ['My'] }] });
      assert.deepEqual(
        found.SecretValues?.map((v) => v.Name),
        ['MyData'],
      );
    });

    it('refuses a reused ClientRequestToken with another value on create, put and update, in AWS words', async () => {
      const { store } = coffer.secrets;
      const created = await store.createSecret(ctx, {
        Name: 'f/token',
        SecretString: 'one',
        ClientRequestToken: TOKEN_A,
      });
      const message =
        `You can't use ClientRequestToken ${TOKEN_A} because that value is already in use for a version of ` +
        `secret ${created.ARN}.`;
      await expectError(
        store.createSecret(ctx, { Name: 'f/token', SecretString: 'two', ClientRequestToken: TOKEN_A }),
        'ResourceExistsException',
        message,
      );
      await expectError(
        store.putSecretValue(ctx, { SecretId: 'f/token', SecretString: 'two', ClientRequestToken: TOKEN_A }),
        'ResourceExistsException',
        message,
      );
      await expectError(
        store.updateSecret(ctx, { SecretId: 'f/token', SecretString: 'two', ClientRequestToken: TOKEN_A }),
        'ResourceExistsException',
        message,
      );
      assert.equal((await store.getSecretValue(ctx, { SecretId: 'f/token' })).SecretString, 'one');
    });

    it('RotateSecret checks its token and AutomaticallyAfterDays before looking for the secret', async () => {
      const rotation = coffer.rotation.service;
      await expectError(
        rotation.rotateSecret(ctx, { SecretId: 'f/absent', ClientRequestToken: 'x'.repeat(65) }),
        'ValidationException',
        `1 validation error detected: Value '${'x'.repeat(65)}' at 'clientRequestToken' failed to satisfy ` +
          'constraint: Member must have length less than or equal to 64',
      );
      await expectError(
        rotation.rotateSecret(ctx, { SecretId: 'f/absent', RotationRules: { AutomaticallyAfterDays: 1001 } }),
        'ValidationException',
        "1 validation error detected: Value '1001' at 'rotationRules.automaticallyAfterDays' failed to satisfy " +
          'constraint: Member must have value less than or equal to 1000',
      );
      await expectError(rotation.rotateSecret(ctx, { SecretId: 'f/absent' }), 'ResourceNotFoundException');
    });

    it('DescribeSecret: no RotationEnabled, VersionIdsToStages or Tags until set; Tags [] once emptied', async () => {
      const { store } = coffer.secrets;
      await store.createSecret(ctx, { Name: 'f/bare' });
      const bare = await store.describeSecret(ctx, { SecretId: 'f/bare' });
      assert.equal('RotationEnabled' in bare, false);
      assert.equal('VersionIdsToStages' in bare, false);
      assert.equal('Tags' in bare, false);
      await store.tagResource(ctx, { SecretId: 'f/bare', Tags: [{ Key: 'k', Value: 'v' }] });
      await store.untagResource(ctx, { SecretId: 'f/bare', TagKeys: ['k'] });
      assert.deepEqual((await store.describeSecret(ctx, { SecretId: 'f/bare' })).Tags, []);
      const listed = await coffer.secrets.listing.listSecrets(ctx, { Filters: [{ Key: 'name', Values: ['f/bare'] }] });
      assert.equal('SecretVersionsToStages' in listed.SecretList![0]!, false);
    });

    it('the first PutSecretValue gets AWSCURRENT even with other labels, kept in the order given', async () => {
      const { store } = coffer.secrets;
      await store.createSecret(ctx, { Name: 'f/first' });
      const put = await store.putSecretValue(ctx, {
        SecretId: 'f/first',
        SecretString: 'v1',
        VersionStages: ['zeta', 'alpha'],
      });
      assert.deepEqual(put.VersionStages, ['zeta', 'alpha', 'AWSCURRENT']);
      const got = await store.getSecretValue(ctx, { SecretId: 'f/first' });
      assert.deepEqual(got.VersionStages, ['zeta', 'alpha', 'AWSCURRENT']);
    });

    it('lists staging labels in the order they were attached everywhere', async () => {
      const { store } = coffer.secrets;
      const created = await store.createSecret(ctx, { Name: 'f/order', SecretString: 'v1' });
      await store.updateSecretVersionStage(ctx, {
        SecretId: 'f/order',
        VersionStage: 'A',
        MoveToVersionId: created.VersionId,
      });
      const expected = ['AWSCURRENT', 'A'];
      assert.deepEqual((await store.getSecretValue(ctx, { SecretId: 'f/order' })).VersionStages, expected);
      assert.deepEqual((await store.describeSecret(ctx, { SecretId: 'f/order' })).VersionIdsToStages, {
        [created.VersionId!]: expected,
      });
      const versions = await store.listSecretVersionIds(ctx, { SecretId: 'f/order' });
      assert.deepEqual(versions.Versions![0]!.VersionStages, expected);
      const put = await store.putSecretValue(ctx, {
        SecretId: 'f/order',
        SecretString: 'v2',
        VersionStages: ['B', 'AWSCURRENT'],
      });
      assert.deepEqual(put.VersionStages, ['B', 'AWSCURRENT']);
      assert.deepEqual((await store.describeSecret(ctx, { SecretId: 'f/order' })).VersionIdsToStages, {
        [created.VersionId!]: ['A', 'AWSPREVIOUS'],
        [put.VersionId!]: ['B', 'AWSCURRENT'],
      });
      // A label removed from every version leaves the recorded order too.
      await store.updateSecretVersionStage(ctx, {
        SecretId: 'f/order',
        VersionStage: 'A',
        RemoveFromVersionId: created.VersionId,
      });
      const row = await coffer.storage.getSecret(ctx, 'f/order');
      assert.deepEqual(JSON.parse(row!.attributes).labelOrder, ['B', 'AWSPREVIOUS', 'AWSCURRENT']);
    });

    it('a forced delete of an absent secret answers its ARN, name and date, and writes nothing', async () => {
      const { store } = coffer.secrets;
      const before = await coffer.storage.listSecrets(ctx);
      const answer = await store.deleteSecret(ctx, { SecretId: 'f/never', ForceDeleteWithoutRecovery: true });
      assert.equal(answer.Name, 'f/never');
      assert.match(answer.ARN!, /^arn:aws:secretsmanager:us-east-1:123456789012:secret:f\/never-[A-Za-z0-9]{6}$/);
      assert.ok(answer.DeletionDate instanceof Date);
      assert.equal((await coffer.storage.listSecrets(ctx)).length, before.length);
      await expectError(store.deleteSecret(ctx, { SecretId: 'f/never' }), 'ResourceNotFoundException');
      // An ARN of another Region is no secret of this store's to answer for.
      const foreign = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:f/never-AbCdEf';
      await expectError(
        store.deleteSecret(ctx, { SecretId: foreign, ForceDeleteWithoutRecovery: true }),
        'ResourceNotFoundException',
      );
    });

    it('a KmsKeyId that names no key is refused by Secrets Manager, quoting KMS, and nothing is written', async () => {
      const { store } = coffer.secrets;
      const invalid = /^The operation failed because of an invalid KMS key: /;
      await expectError(
        store.createSecret(ctx, { Name: 'f/kms', SecretString: 'v', KmsKeyId: 'alias/no-such-key' }),
        'InvalidParameterException',
        invalid,
      );
      await expectError(
        store.createSecret(ctx, { Name: 'f/kms', KmsKeyId: '1234abcd-12ab-34cd-56ef-1234567890ab' }),
        'InvalidParameterException',
        invalid,
      );
      assert.equal(await coffer.storage.getSecret(ctx, 'f/kms'), undefined);
      await store.createSecret(ctx, { Name: 'f/kms', SecretString: 'v' });
      await expectError(
        store.updateSecret(ctx, { SecretId: 'f/kms', KmsKeyId: 'alias/no-such-key' }),
        'InvalidParameterException',
        invalid,
      );
      assert.equal((await store.describeSecret(ctx, { SecretId: 'f/kms' })).KmsKeyId, undefined);
    });

    it("the engine's own bounds checks speak the model's words, never 'between' nor 'undefined'", async () => {
      const { store, listing } = coffer.secrets;
      const failure = (value: string, path: string, constraint: string) =>
        `1 validation error detected: Value ${value}at '${path}' failed to satisfy constraint: ` +
        `Member must ${constraint}`;
      await expectError(
        store.describeSecret(ctx, { SecretId: '' }),
        'ValidationException',
        failure("'' ", 'secretId', 'have length greater than or equal to 1'),
      );
      await expectError(
        store.putSecretValue(ctx, { SecretId: 'MyData', SecretString: 'v', VersionStages: [] }),
        'ValidationException',
        failure("'[]' ", 'versionStages', 'have length greater than or equal to 1'),
      );
      await expectError(
        store.updateSecretVersionStage(ctx, { SecretId: 'MyData', VersionStage: undefined as never }),
        'ValidationException',
        failure('null ', 'versionStage', 'not be null'),
      );
      await expectError(
        listing.listSecrets(ctx, { MaxResults: 101 }),
        'ValidationException',
        failure("'101' ", 'maxResults', 'have value less than or equal to 100'),
      );
    });

    it('GetRandomPassword above 4096 characters answers the ValidationException of the model', async () => {
      await expectError(
        coffer.secrets.policies.getRandomPassword(ctx, { PasswordLength: 4097 }),
        'ValidationException',
        "1 validation error detected: Value '4097' at 'passwordLength' failed to satisfy constraint: Member must " +
          'have value less than or equal to 4096',
      );
      await expectError(
        coffer.secrets.policies.getRandomPassword(ctx, { PasswordLength: 3 }),
        'InvalidParameterException',
        'Password length is too short based on the required types.',
      );
    });

    it('GetRandomPassword never requires a space: IncludeSpace adds it to the choice only', async () => {
      for (let i = 0; i < 50; i++) {
        const { RandomPassword } = (await coffer.secrets.policies.getRandomPassword(ctx, {
          PasswordLength: 4,
          IncludeSpace: true,
        })) as { RandomPassword?: string };
        assert.equal(RandomPassword!.length, 4);
        for (const kind of [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9 ]/]) assert.match(RandomPassword!, kind);
      }
      const spaced = (await coffer.secrets.policies.getRandomPassword(ctx, {
        PasswordLength: 64,
        IncludeSpace: true,
        ExcludeCharacters: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
        ExcludePunctuation: true,
      })) as { RandomPassword?: string };
      assert.equal(spaced.RandomPassword, ' '.repeat(64));
    });
  });
}
