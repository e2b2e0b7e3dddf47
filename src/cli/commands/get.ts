/** `coffer get NAME[:VERSION|:LABEL]`: prints the decrypted value. */
import { UsageError, type CliCommand } from '../cli-command.js';
import { parseOptions, toJson } from '../parse-options.js';

export const getCommand: CliCommand = {
  name: 'get',
  summary: 'print a parameter\'s value (NAME, NAME:VERSION or NAME:LABEL)',
  usage: 'coffer get NAME[:VERSION|:LABEL] [--json]',
  async run(args, session, io) {
    const { values, positionals } = parseOptions(args, { json: { type: 'boolean' } });
    if (positionals.length !== 1) throw new UsageError('get takes one NAME');
    const parameters = await session.parameters();
    const { Parameter: parameter } = await parameters.getParameter({ Name: positionals[0], WithDecryption: true });
    io.out(values.json ? toJson(parameter) : `${parameter!.Value}\n`);
    return 0;
  },
};
