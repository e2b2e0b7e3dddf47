/** `coffer get NAME[:VERSION|:LABEL]`: prints the decrypted value. */
import { UsageError, type CliCommand, type OptionSpecs } from '../cli-command.js';
import { parseOptions, toJson } from '../parse-options.js';

const OPTIONS = {
  json: { type: 'boolean', description: 'print the whole parameter (name, type, version, ARN, date) as JSON' },
} as const satisfies OptionSpecs;

export const getCommand: CliCommand = {
  name: 'get',
  summary: "print a parameter's value (NAME, NAME:VERSION or NAME:LABEL)",
  usage: 'coffer get NAME[:VERSION|:LABEL] [--json]',
  options: OPTIONS,
  examples: [
    'coffer get /dev/app/db-password',
    'coffer get /dev/app/db-password:2',
    'coffer get /dev/app/db-password:prod --json',
  ],
  async run(args, session, io) {
    const { values, positionals } = parseOptions(args, OPTIONS);
    if (positionals.length !== 1) throw new UsageError('get takes one NAME');
    const parameters = await session.parameters();
    const { Parameter: parameter } = await parameters.getParameter({ Name: positionals[0], WithDecryption: true });
    io.out(values.json ? toJson(parameter) : `${parameter!.Value}\n`);
    return 0;
  },
};
