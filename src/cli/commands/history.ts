/** `coffer history NAME`: every kept version with date, author and labels. */
import type { ParameterHistory } from '@aws-sdk/client-ssm';
import { UsageError, type CliCommand } from '../cli-command.js';
import { parseOptions, toJson } from '../parse-options.js';

export const historyCommand: CliCommand = {
  name: 'history',
  summary: 'list a parameter\'s versions (values only with --values)',
  usage: 'coffer history NAME [--values] [--json]',
  async run(args, session, io) {
    const { values, positionals } = parseOptions(args, { values: { type: 'boolean' }, json: { type: 'boolean' } });
    if (positionals.length !== 1) throw new UsageError('history takes one NAME');
    const parameters = await session.parameters();
    const versions: ParameterHistory[] = [];
    let token: string | undefined;
    do {
      const page = await parameters.getParameterHistory({ Name: positionals[0], WithDecryption: values.values === true, NextToken: token });
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
      io.out(`v${v.Version}  ${v.LastModifiedDate!.toISOString()}  ${v.Type}  ${v.LastModifiedUser}${labels}${value}\n`);
    }
    return 0;
  },
};
