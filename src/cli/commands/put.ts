/** `coffer put NAME VALUE`: PutParameter. VALUE `-` reads standard input. */
import type { Tag } from '@aws-sdk/client-ssm';
import { UsageError, type CliCommand, type OptionSpecs } from '../cli-command.js';
import { parseOptions, parseTagPairs, toJson } from '../parse-options.js';

const OPTIONS = {
  type: {
    type: 'string',
    value: 'String|StringList|SecureString',
    description: 'the parameter type (String by default; SecureString is encrypted at rest)',
  },
  description: { type: 'string', value: 'TEXT', description: 'a description, up to 1,024 characters' },
  overwrite: {
    type: 'boolean',
    description: 'replace an existing parameter (a new version); without it, an existing name is refused',
  },
  'key-id': {
    type: 'string',
    value: 'KEY',
    description: 'the KMS key of a SecureString: id, ARN or alias (alias/aws/ssm by default)',
  },
  tier: {
    type: 'string',
    value: 'Standard|Advanced|Intelligent-Tiering',
    description: 'the tier (Advanced for values past 4 KB and for policies)',
  },
  'allowed-pattern': {
    type: 'string',
    value: 'REGEX',
    description: 'a regular expression every value of this parameter must match',
  },
  'data-type': { type: 'string', value: 'text|aws:ec2:image', description: 'the data type (text by default)' },
  policies: {
    type: 'string',
    value: 'JSON',
    description: 'parameter policies (Expiration, ExpirationNotification, NoChangeNotification), as JSON',
  },
  tag: { type: 'string', multiple: true, value: 'KEY=VALUE', description: 'a tag for a new parameter' },
  json: { type: 'boolean', description: 'print the result (version, tier) as JSON' },
} as const satisfies OptionSpecs;

export const putCommand: CliCommand = {
  name: 'put',
  summary: 'create or update a parameter',
  usage:
    'coffer put NAME VALUE|- [--type String|StringList|SecureString] [--description TEXT] [--overwrite]\n' +
    '           [--key-id KEY] [--tier Standard|Advanced|Intelligent-Tiering] [--allowed-pattern REGEX]\n' +
    '           [--data-type text|aws:ec2:image] [--policies JSON] [--tag KEY=VALUE]... [--json]',
  options: OPTIONS,
  examples: [
    'coffer put /dev/app/db-password s3cr3t --type SecureString',
    'coffer put /dev/app/url https://example.com --overwrite --description "the app\'s URL"',
    'printf %s "$TOKEN" | coffer put /dev/app/token - --type SecureString --tag team=payments',
  ],
  async run(args, session, io) {
    const { values, positionals } = parseOptions(args, OPTIONS);
    if (positionals.length !== 2)
      throw new UsageError('put takes a NAME and a VALUE (use - to read the value from standard input)');
    const [name, given] = positionals as [string, string];
    const value = given === '-' ? (await io.readStdin()).replace(/\r?\n$/, '') : given;
    const tags: Tag[] = parseTagPairs(values.tag);
    const parameters = await session.parameters();
    const result = await parameters.putParameter({
      Name: name,
      Value: value,
      Type: values.type as never,
      Description: values.description,
      Overwrite: values.overwrite,
      KeyId: values['key-id'],
      Tier: values.tier as never,
      AllowedPattern: values['allowed-pattern'],
      DataType: values['data-type'],
      Policies: values.policies,
      Tags: tags.length > 0 ? tags : undefined,
    });
    io.out(values.json ? toJson(result) : `${name}: version ${result.Version} (${result.Tier})\n`);
    return 0;
  },
};
