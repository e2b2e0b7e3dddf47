/** `coffer rm NAME...`: DeleteParameter for each name; reports the ones that did not exist. */
import { UsageError, type CliCommand } from '../cli-command.js';
import { parseOptions } from '../parse-options.js';

export const rmCommand: CliCommand = {
  name: 'rm',
  summary: 'delete parameters with all their versions',
  usage: 'coffer rm NAME...',
  options: {},
  examples: ['coffer rm /dev/app/old-key', 'coffer rm /dev/a /dev/b /dev/c'],
  async run(args, session, io) {
    const { positionals } = parseOptions(args, {});
    if (positionals.length === 0) throw new UsageError('rm takes at least one NAME');
    const parameters = await session.parameters();
    let missing = 0;
    for (let i = 0; i < positionals.length; i += 10) {
      const result = await parameters.deleteParameters({ Names: positionals.slice(i, i + 10) });
      for (const name of result.DeletedParameters ?? []) io.out(`deleted ${name}\n`);
      for (const name of result.InvalidParameters ?? [])
        io.err(`coffer: ParameterNotFound: Parameter ${name} not found.\n`);
      missing += result.InvalidParameters?.length ?? 0;
    }
    return missing > 0 ? 1 : 0;
  },
};
