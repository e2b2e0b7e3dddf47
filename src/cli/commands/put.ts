/** `coffer put NAME VALUE`: PutParameter. VALUE `-` reads standard input. */
import type { Tag } from '@aws-sdk/client-ssm';
import { UsageError, type CliCommand } from '../cli-command.js';
import { parseOptions, parseTagPairs, toJson } from '../parse-options.js';

export const putCommand: CliCommand = {
  name: 'put',
  summary: 'create or update a parameter',
  usage: 'coffer put NAME VALUE|- [--type String|StringList|SecureString] [--description TEXT] [--overwrite]\n' +
    '           [--key-id KEY] [--tier Standard|Advanced|Intelligent-Tiering] [--allowed-pattern REGEX]\n' +
    '           [--data-type text|aws:ec2:image] [--policies JSON] [--tag KEY=VALUE]... [--json]',
  async run(args, session, io) {
    const { values, positionals } = parseOptions(args, {
      type: { type: 'string' }, description: { type: 'string' }, overwrite: { type: 'boolean' },
      'key-id': { type: 'string' }, tier: { type: 'string' }, 'allowed-pattern': { type: 'string' },
      'data-type': { type: 'string' }, policies: { type: 'string' }, tag: { type: 'string', multiple: true },
      json: { type: 'boolean' },
    });
    if (positionals.length !== 2) throw new UsageError('put takes a NAME and a VALUE (use - to read the value from standard input)');
    const [name, given] = positionals as [string, string];
    const value = given === '-' ? (await io.readStdin()).replace(/\r?\n$/, '') : given;
    const tags: Tag[] = parseTagPairs(values.tag);
    const parameters = await session.parameters();
    const result = await parameters.putParameter({
      Name: name, Value: value, Type: values.type as never, Description: values.description, Overwrite: values.overwrite,
      KeyId: values['key-id'], Tier: values.tier as never, AllowedPattern: values['allowed-pattern'],
      DataType: values['data-type'], Policies: values.policies, Tags: tags.length > 0 ? tags : undefined,
    });
    io.out(values.json ? toJson(result) : `${name}: version ${result.Version} (${result.Tier})\n`);
    return 0;
  },
};
