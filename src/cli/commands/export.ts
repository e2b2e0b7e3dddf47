/**
 * `coffer export PATH`: the parameters under a path as dotenv (variable names as `exec` maps
 * them) or JSON (names relative to PATH, case kept).
 */
import { UsageError, type CliCommand, type OptionSpecs } from '../cli-command.js';
import { formatDotenv } from '../dotenv-format.js';
import { toEnvironment } from '../env-names.js';
import { parametersUnder } from '../parameter-listing.js';
import { parseOptions, toJson } from '../parse-options.js';
import { ProgressBar } from '../progress-bar.js';

const OPTIONS = {
  format: {
    type: 'string',
    value: 'dotenv|json',
    description: 'dotenv (variable names as exec makes them; the default) or JSON (names under PATH, case kept)',
  },
  recursive: { type: 'boolean', short: 'r', description: 'take the sub-paths too' },
} as const satisfies OptionSpecs;

export const exportCommand: CliCommand = {
  name: 'export',
  summary: 'print the parameters under a path as dotenv or JSON',
  usage: 'coffer export PATH [--format dotenv|json] [--recursive]',
  options: OPTIONS,
  examples: ['coffer export /dev/app > .env', 'coffer export /dev --recursive --format json'],
  async run(args, session, io) {
    const { values, positionals } = parseOptions(args, OPTIONS);
    if (positionals.length !== 1) throw new UsageError('export takes one PATH');
    const format = values.format ?? 'dotenv';
    if (format !== 'dotenv' && format !== 'json') throw new UsageError('--format is dotenv or json');
    const path = positionals[0]!;
    const parameters = await session.parameters();
    const found = await parametersUnder(parameters, path, values.recursive === true);
    const progress = new ProgressBar(io, 'export', found.length);
    const base = path.endsWith('/') ? path : `${path}/`;
    const entries = found.map((p, i) => {
      progress.update(i + 1);
      return { name: p.Name!, relative: p.Name!.slice(base.length), value: p.Value! };
    });
    progress.finish();
    io.out(
      format === 'json'
        ? toJson(Object.fromEntries(entries.map((e) => [e.relative, e.value])))
        : formatDotenv(toEnvironment(entries)),
    );
    return 0;
  },
};
