/** `coffer history NAME`: every kept version with date, author and labels. */
import type { ParameterHistory } from '@aws-sdk/client-ssm';
import { UsageError, type CliCommand, type OptionSpecs } from '../cli-command.js';
import { parseOptions, toJson } from '../parse-options.js';

const OPTIONS = {
  values: { type: 'boolean', description: "show each version's value (decrypted)" },
  json: { type: 'boolean', description: 'print the versions as JSON' },
} as const satisfies OptionSpecs;

export const historyCommand: CliCommand = {
  name: 'history',
  summary: "list a parameter's versions (values only with --values)",
  usage: 'coffer history NAME [--values] [--json]',
  options: OPTIONS,
  examples: ['coffer history /dev/app/db-password', 'coffer history /dev/app/db-password --values --json'],
  async run(args, session, io) {
    const { values, positionals } = parseOptions(args, OPTIONS);
    if (positionals.length !== 1) throw new UsageError('history takes one NAME');
    const parameters = await session.parameters();
    const versions: ParameterHistory[] = [];
    let token: string | undefined;
    do {
      const page = await parameters.getParameterHistory({
        Name: positionals[0],
        WithDecryption: values.values === true,
        NextToken: token,
      });
      versions.push(...(page.Parameters ?? []));
      token = page.NextToken;
    } while (token);
    if (values.json) {
      io.out(toJson(versions.map((v) => (values.values ? v : { ...v, Value: undefined }))));
      return 0;
    }
    for (const v of versions) {
      const labels = v.Labels?.length ? `  [${v.Labels.join(', ')}]` : '';
      const value = values.values ? `  ${v.Value}` : '';
      io.out(
        `v${v.Version}  ${v.LastModifiedDate!.toISOString()}  ${v.Type}  ${v.LastModifiedUser}${labels}${value}\n`,
      );
    }
    return 0;
  },
};
