/**
 * PutParameter and GetParameter against AWS's documented rules, one test per rule, on every
 * storage backend.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectError } from '../../helpers/expect-error.js';
import { BACKENDS, ctx, useParameterStore } from '../../helpers/test-stores.js';

const INVALID_NAME =
  'Parameter name: can\'t be prefixed with "ssm" (case-insensitive). If formed as a path, it can consist of ' +
  'sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 ' +
  'symbols .-_';

for (const backend of BACKENDS) {
  describe(`PutParameter and GetParameter: ${backend}`, () => {
    const fixture = useParameterStore(backend);

    it('creates version 1 and reads it back; a SecureString needs WithDecryption to show its value', async () => {
      assert.deepEqual(
        await fixture.store.putParameter(ctx, { Name: '/dev/db/password', Value: 's3cr3t', Type: 'SecureString' }),
        { Version: 1, Tier: 'Standard' },
      );
      const plain = (await fixture.store.getParameter(ctx, { Name: '/dev/db/password', WithDecryption: true }))
        .Parameter!;
      assert.equal(plain.Value, 's3cr3t');
      assert.equal(plain.ARN, 'arn:aws:ssm:us-east-1:123456789012:parameter/dev/db/password');
      assert.equal(plain.DataType, 'text');
      assert.ok(plain.LastModifiedDate instanceof Date);
      const sealed = (await fixture.store.getParameter(ctx, { Name: '/dev/db/password' })).Parameter!;
      assert.notEqual(sealed.Value, 's3cr3t');
      assert.ok(!Buffer.from(sealed.Value!, 'base64').toString('latin1').includes('s3cr3t'));
    });

    it('requires Type on create', async () => {
      await expectError(
        fixture.store.putParameter(ctx, { Name: '/dev/notype', Value: 'v' }),
        'ValidationException',
        'A parameter type is required when you create a parameter.',
      );
    });

    it('refuses an unknown Type with the enum constraint', async () => {
      await expectError(
        fixture.store.putParameter(ctx, { Name: '/dev/t', Value: 'v', Type: 'Number' as never }),
        'ValidationException',
        "1 validation error detected: Value 'Number' at 'type' failed to satisfy constraint: Member must satisfy " +
          'enum value set: [SecureString, StringList, String]',
      );
    });

    it('refuses to overwrite unless Overwrite is true, and keeps the value', async () => {
      await fixture.store.putParameter(ctx, { Name: '/dev/once', Value: 'first', Type: 'String' });
      await expectError(
        fixture.store.putParameter(ctx, { Name: '/dev/once', Value: 'second', Type: 'String' }),
        'ParameterAlreadyExists',
        'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
      );
      assert.equal((await fixture.store.getParameter(ctx, { Name: '/dev/once' })).Parameter!.Value, 'first');
    });

    it('overwrites with a new version, keeping Type, description and key when not given', async () => {
      await fixture.store.putParameter(ctx, {
        Name: '/dev/keep',
        Value: 'a',
        Type: 'SecureString',
        Description: 'kept',
      });
      assert.equal(
        (await fixture.store.putParameter(ctx, { Name: '/dev/keep', Value: 'b', Overwrite: true })).Version,
        2,
      );
      const meta = (
        await fixture.store.describeParameters(ctx, { ParameterFilters: [{ Key: 'Name', Values: ['/dev/keep'] }] })
      ).Parameters![0]!;
      assert.equal(meta.Type, 'SecureString');
      assert.equal(meta.Description, 'kept');
      assert.equal(meta.KeyId, 'alias/aws/ssm');
      assert.equal(meta.Version, 2);
    });

    it('refuses Tags together with Overwrite', async () => {
      await expectError(
        fixture.store.putParameter(ctx, {
          Name: '/dev/keep',
          Value: 'c',
          Overwrite: true,
          Tags: [{ Key: 'a', Value: 'b' }],
        }),
        'ValidationException',
        /tags and overwrite can't be used together/,
      );
    });

    it('refuses an empty value without echoing anything', async () => {
      await expectError(
        fixture.store.putParameter(ctx, { Name: '/dev/empty', Value: '', Type: 'String' }),
        'ValidationException',
        "1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length greater " +
          'than or equal to 1',
      );
    });

    it('refuses {{...}} references in values', async () => {
      await expectError(
        fixture.store.putParameter(ctx, { Name: '/dev/nest', Value: 'a{{ssm:other}}b', Type: 'String' }),
        'ValidationException',
        /can't nest another parameter/,
      );
    });

    it('refuses a description over 1024 characters', async () => {
      await expectError(
        fixture.store.putParameter(ctx, {
          Name: '/dev/desc',
          Value: 'v',
          Type: 'String',
          Description: 'd'.repeat(1025),
        }),
        'ValidationException',
        "1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length " +
          'less than or equal to 1024',
      );
      await fixture.store.putParameter(ctx, {
        Name: '/dev/desc',
        Value: 'v',
        Type: 'String',
        Description: 'd'.repeat(1024),
      });
    });

    it('keeps names case-sensitive', async () => {
      await fixture.store.putParameter(ctx, { Name: '/dev/Case', Value: 'upper', Type: 'String' });
      await fixture.store.putParameter(ctx, { Name: '/dev/case', Value: 'lower', Type: 'String' });
      assert.equal((await fixture.store.getParameter(ctx, { Name: '/dev/Case' })).Parameter!.Value, 'upper');
      assert.equal((await fixture.store.getParameter(ctx, { Name: '/dev/case' })).Parameter!.Value, 'lower');
    });

    it('refuses characters outside a-zA-Z0-9_.-/', async () => {
      for (const name of ['/dev/has space', '/dev/at@sign', '/dev/colon:x'.replace(':', '#')]) {
        await expectError(
          fixture.store.putParameter(ctx, { Name: name, Value: 'v', Type: 'String' }),
          'ValidationException',
          INVALID_NAME,
        );
      }
    });

    it('requires a leading slash on hierarchical names', async () => {
      await expectError(
        fixture.store.putParameter(ctx, { Name: 'dev/x', Value: 'v', Type: 'String' }),
        'ValidationException',
        'Parameter name must be a fully qualified name.',
      );
    });

    it('treats /Name and Name as one parameter', async () => {
      await fixture.store.putParameter(ctx, { Name: 'TopLevel', Value: 'v', Type: 'String' });
      await expectError(
        fixture.store.putParameter(ctx, { Name: '/TopLevel', Value: 'w', Type: 'String' }),
        'ParameterAlreadyExists',
      );
      assert.equal((await fixture.store.getParameter(ctx, { Name: '/TopLevel' })).Parameter!.Name, 'TopLevel');
    });

    it('refuses names whose first segment starts with aws or ssm, in any case', async () => {
      await expectError(
        fixture.store.putParameter(ctx, { Name: 'awsTest', Value: 'v', Type: 'String' }),
        'AccessDeniedException',
        'No access to reserved parameter name: awsTest.',
      );
      await expectError(
        fixture.store.putParameter(ctx, { Name: 'SSM-test', Value: 'v', Type: 'String' }),
        'ValidationException',
        /can't be prefixed with "aws" or "ssm"/,
      );
      await expectError(
        fixture.store.putParameter(ctx, { Name: '/ssm/x', Value: 'v', Type: 'String' }),
        'ValidationException',
        INVALID_NAME,
      );
      await expectError(
        fixture.store.putParameter(ctx, { Name: '/aws/x', Value: 'v', Type: 'String' }),
        'AccessDeniedException',
        'No access to reserved parameter name: aws/x.',
      );
      await fixture.store.putParameter(ctx, { Name: '/dev/aws', Value: 'v', Type: 'String' });
    });

    it('allows 15 levels and refuses 16 with HierarchyLevelLimitExceededException', async () => {
      const fifteen = `/${Array.from({ length: 15 }, (_, i) => `l${i}`).join('/')}`;
      await fixture.store.putParameter(ctx, { Name: fifteen, Value: 'v', Type: 'String' });
      await expectError(
        fixture.store.putParameter(ctx, { Name: `${fifteen}/l15`, Value: 'v', Type: 'String' }),
        'HierarchyLevelLimitExceededException',
        /maximum of 15 levels/,
      );
    });

    it('limits names to 1011 characters counting the ARN prefix', async () => {
      const prefix = 'arn:aws:ssm:us-east-1:123456789012:parameter/';
      const fits = `/${'n'.repeat(1011 - prefix.length)}`;
      await fixture.store.putParameter(ctx, { Name: fits, Value: 'v', Type: 'String' });
      await expectError(
        fixture.store.putParameter(ctx, { Name: `${fits}x`, Value: 'v', Type: 'String' }),
        'ValidationException',
        /1011/,
      );
    });

    it('accepts a full ARN as the name', async () => {
      await fixture.store.putParameter(ctx, {
        Name: 'arn:aws:ssm:us-east-1:123456789012:parameter/dev/by-arn',
        Value: 'v',
        Type: 'String',
      });
      assert.equal((await fixture.store.getParameter(ctx, { Name: '/dev/by-arn' })).Parameter!.Value, 'v');
      assert.equal(
        (await fixture.store.getParameter(ctx, { Name: 'arn:aws:ssm:us-east-1:123456789012:parameter/dev/by-arn:1' }))
          .Parameter!.Selector,
        ':1',
      );
    });

    it('stores StringList values as given', async () => {
      await fixture.store.putParameter(ctx, { Name: '/dev/list', Value: 'a,b,c', Type: 'StringList' });
      const p = (await fixture.store.getParameter(ctx, { Name: '/dev/list' })).Parameter!;
      assert.equal(p.Type, 'StringList');
      assert.equal(p.Value, 'a,b,c');
    });

    it('limits Standard values to 4096 bytes and Advanced to 8192', async () => {
      await fixture.store.putParameter(ctx, { Name: '/dev/std', Value: 'x'.repeat(4096), Type: 'String' });
      await expectError(
        fixture.store.putParameter(ctx, { Name: '/dev/std2', Value: 'x'.repeat(4097), Type: 'String' }),
        'ValidationException',
        /Standard tier parameters support a maximum parameter value of 4096/,
      );
      assert.equal(
        (
          await fixture.store.putParameter(ctx, {
            Name: '/dev/adv',
            Value: 'x'.repeat(8192),
            Type: 'String',
            Tier: 'Advanced',
          })
        ).Tier,
        'Advanced',
      );
      await expectError(
        fixture.store.putParameter(ctx, {
          Name: '/dev/adv2',
          Value: 'x'.repeat(8193),
          Type: 'String',
          Tier: 'Advanced',
        }),
        'ValidationException',
        /less than or equal to 8192/,
      );
    });

    it('never downgrades an Advanced parameter to Standard', async () => {
      await expectError(
        fixture.store.putParameter(ctx, { Name: '/dev/adv', Value: 'small', Overwrite: true, Tier: 'Standard' }),
        'ValidationException',
        /can't downgrade a parameter from the advanced-parameter tier/,
      );
      assert.equal(
        (await fixture.store.putParameter(ctx, { Name: '/dev/adv', Value: 'small', Overwrite: true })).Tier,
        'Advanced',
      );
    });

    it('picks the tier with Intelligent-Tiering', async () => {
      assert.equal(
        (
          await fixture.store.putParameter(ctx, {
            Name: '/dev/it1',
            Value: 'small',
            Type: 'String',
            Tier: 'Intelligent-Tiering',
          })
        ).Tier,
        'Standard',
      );
      assert.equal(
        (
          await fixture.store.putParameter(ctx, {
            Name: '/dev/it2',
            Value: 'x'.repeat(5000),
            Type: 'String',
            Tier: 'Intelligent-Tiering',
          })
        ).Tier,
        'Advanced',
      );
    });

    it('refuses an unknown tier', async () => {
      await expectError(
        fixture.store.putParameter(ctx, { Name: '/dev/tier', Value: 'v', Type: 'String', Tier: 'Premium' as never }),
        'ValidationException',
        /enum value set: \[Standard, Advanced, Intelligent-Tiering\]/,
      );
    });

    it('requires Advanced for parameter policies', async () => {
      const policies = JSON.stringify([
        { Type: 'Expiration', Version: '1.0', Attributes: { Timestamp: '2030-01-01T00:00:00.000Z' } },
      ]);
      await expectError(
        fixture.store.putParameter(ctx, {
          Name: '/dev/pol',
          Value: 'v',
          Type: 'String',
          Tier: 'Standard',
          Policies: policies,
        }),
        'IncompatiblePolicyException',
      );
      await fixture.store.putParameter(ctx, {
        Name: '/dev/pol',
        Value: 'v',
        Type: 'String',
        Tier: 'Advanced',
        Policies: policies,
      });
      const meta = (
        await fixture.store.describeParameters(ctx, { ParameterFilters: [{ Key: 'Name', Values: ['/dev/pol'] }] })
      ).Parameters![0]!;
      assert.equal(meta.Policies![0]!.PolicyType, 'Expiration');
      await expectError(
        fixture.store.putParameter(ctx, {
          Name: '/dev/pol2',
          Value: 'v',
          Type: 'String',
          Tier: 'Advanced',
          Policies: '[{"Type":"Nope"}]',
        }),
        'InvalidPolicyTypeException',
      );
    });

    it('checks the value against AllowedPattern, keeping the pattern for later versions', async () => {
      await fixture.store.putParameter(ctx, {
        Name: '/dev/port',
        Value: '8080',
        Type: 'String',
        AllowedPattern: '^\\d+$',
      });
      await expectError(
        fixture.store.putParameter(ctx, { Name: '/dev/port', Value: 'eighty', Overwrite: true }),
        'ParameterPatternMismatchException',
        'Parameter value, cannot be validated against allowedPattern: ^\\d+$',
      );
      assert.equal((await fixture.store.getParameter(ctx, { Name: '/dev/port' })).Parameter!.Version, 1);
      await expectError(
        fixture.store.putParameter(ctx, { Name: '/dev/bad-pattern', Value: 'v', Type: 'String', AllowedPattern: '([' }),
        'InvalidAllowedPatternException',
      );
      // Java-style escapes AWS accepts work too.
      await fixture.store.putParameter(ctx, {
        Name: '/dev/java-pattern',
        Value: 'a-b',
        Type: 'String',
        AllowedPattern: '^[a-z]\\-[a-z]$',
      });
    });

    it('accepts DataType text and aws:ec2:image and refuses others (AMI ids are validated afterwards)', async () => {
      await fixture.store.putParameter(ctx, {
        Name: '/dev/ami',
        Value: 'ami-0123456789abcdef0',
        Type: 'String',
        DataType: 'aws:ec2:image',
      });
      // AWS answers success and validates afterwards: nothing is created (parameter-policies.test.ts).
      assert.deepEqual(
        await fixture.store.putParameter(ctx, {
          Name: '/dev/ami2',
          Value: 'not-an-ami',
          Type: 'String',
          DataType: 'aws:ec2:image',
        }),
        { Version: 1, Tier: 'Standard' },
      );
      await expectError(fixture.store.getParameter(ctx, { Name: '/dev/ami2' }), 'ParameterNotFound');
      await expectError(
        fixture.store.putParameter(ctx, {
          Name: '/dev/ami3',
          Value: 'ami-0123456789abcdef0',
          Type: 'SecureString',
          DataType: 'aws:ec2:image',
        }),
        'ValidationException',
        'The data type aws:ec2:image can be used only with the String parameter type.',
      );
      await expectError(
        fixture.store.putParameter(ctx, { Name: '/dev/dt', Value: 'v', Type: 'String', DataType: 'Text' }),
        'ValidationException',
        'The following data type is not supported: Text (Data type names are all lowercase.)',
      );
    });

    it('encrypts under a named key, by alias, and refuses an unknown key', async () => {
      await expectError(
        fixture.store.putParameter(ctx, { Name: '/dev/k', Value: 'v', Type: 'SecureString', KeyId: 'alias/nope' }),
        'InvalidKeyId',
      );
      await expectError(
        fixture.store.putParameter(ctx, { Name: '/dev/k', Value: 'v', Type: 'String', KeyId: 'alias/aws/ssm' }),
        'ValidationException',
        /SecureString/,
      );
      await expectError(
        fixture.store.putParameter(ctx, { Name: '/dev/once', Value: 'v', Overwrite: true, KeyId: 'alias/aws/ssm' }),
        'ValidationException',
        /SecureString/,
      );
    });

    it('selects versions with name:version and refuses unknown ones', async () => {
      await fixture.store.putParameter(ctx, { Name: '/dev/sel', Value: 'one', Type: 'String' });
      await fixture.store.putParameter(ctx, { Name: '/dev/sel', Value: 'two', Type: 'String', Overwrite: true });
      const first = (await fixture.store.getParameter(ctx, { Name: '/dev/sel:1' })).Parameter!;
      assert.equal(first.Value, 'one');
      assert.equal(first.Selector, ':1');
      await expectError(
        fixture.store.getParameter(ctx, { Name: '/dev/sel:9' }),
        'ParameterVersionNotFound',
        'Systems Manager could not find version 9 of /dev/sel. Verify the version and try again.',
      );
    });

    it('selects versions with name:label', async () => {
      await fixture.store.labelParameterVersion(ctx, { Name: '/dev/sel', ParameterVersion: 1, Labels: ['stable'] });
      const p = (await fixture.store.getParameter(ctx, { Name: '/dev/sel:stable' })).Parameter!;
      assert.equal(p.Value, 'one');
      assert.equal(p.Selector, ':stable');
      await expectError(fixture.store.getParameter(ctx, { Name: '/dev/sel:missing' }), 'ParameterNotFound');
    });

    it('answers ParameterNotFound for a missing name', async () => {
      await expectError(
        fixture.store.getParameter(ctx, { Name: '/dev/missing' }),
        'ParameterNotFound',
        'Parameter /dev/missing not found.',
      );
    });

    it('namespaces parameters by region and account', async () => {
      await fixture.store.putParameter(ctx, { Name: '/dev/regional', Value: 'east', Type: 'String' });
      const west = { ...ctx, region: 'us-west-2' };
      await expectError(fixture.store.getParameter(west, { Name: '/dev/regional' }), 'ParameterNotFound');
      await fixture.store.putParameter(west, { Name: '/dev/regional', Value: 'west', Type: 'String' });
      assert.equal((await fixture.store.getParameter(ctx, { Name: '/dev/regional' })).Parameter!.Value, 'east');
      await expectError(
        fixture.store.getParameter({ ...ctx, account: '999999999999' }, { Name: '/dev/regional' }),
        'ParameterNotFound',
      );
    });

    it('records the caller as LastModifiedUser', async () => {
      const meta = (
        await fixture.store.describeParameters(ctx, { ParameterFilters: [{ Key: 'Name', Values: ['/dev/regional'] }] })
      ).Parameters![0]!;
      assert.equal(meta.LastModifiedUser, ctx.principalArn);
    });
  });
}
