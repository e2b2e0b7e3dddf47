/** `coffer label NAME[:VERSION] LABEL...`: attach (or with --remove, detach) labels. */
import { UsageError, type CliCommand, type OptionSpecs } from '../cli-command.js';
import { parseOptions, toJson } from '../parse-options.js';

function splitVersion(reference: string): { name: string; version?: number } {
  const match = /^(.*):(\d+)$/.exec(reference);
  return match ? { name: match[1]!, version: Number(match[2]) } : { name: reference };
}

const OPTIONS = {
  remove: { type: 'boolean', description: 'detach the labels from NAME:VERSION instead' },
  json: { type: 'boolean', description: 'print the result as JSON' },
} as const satisfies OptionSpecs;

export const labelCommand: CliCommand = {
  name: 'label',
  summary: 'attach labels to a version (latest by default), or --remove them',
  usage: 'coffer label NAME[:VERSION] LABEL... [--remove] [--json]',
  options: OPTIONS,
  examples: [
    'coffer label /dev/app/db-password prod',
    'coffer label /dev/app/db-password:2 stable canary',
    'coffer label /dev/app/db-password:2 canary --remove',
  ],
  async run(args, session, io) {
    const { values, positionals } = parseOptions(args, OPTIONS);
    if (positionals.length < 2) throw new UsageError('label takes a NAME[:VERSION] and at least one LABEL');
    const { name, version } = splitVersion(positionals[0]!);
    const labels = positionals.slice(1);
    const parameters = await session.parameters();
    if (values.remove) {
      if (version === undefined) throw new UsageError('label --remove needs NAME:VERSION');
      const result = await parameters.unlabelParameterVersion({
        Name: name,
        ParameterVersion: version,
        Labels: labels,
      });
      io.out(values.json ? toJson(result) : `removed [${result.RemovedLabels!.join(', ')}] from ${name}:${version}\n`);
      if (result.InvalidLabels?.length)
        io.err(`coffer: not on ${name}:${version}: ${result.InvalidLabels.join(', ')}\n`);
      return result.InvalidLabels?.length ? 1 : 0;
    }
    const result = await parameters.labelParameterVersion({ Name: name, ParameterVersion: version, Labels: labels });
    const applied = labels.filter((l) => !result.InvalidLabels!.includes(l));
    io.out(values.json ? toJson(result) : `labelled ${name}:${result.ParameterVersion} [${applied.join(', ')}]\n`);
    if (result.InvalidLabels?.length) io.err(`coffer: invalid labels: ${result.InvalidLabels.join(', ')}\n`);
    return result.InvalidLabels?.length ? 1 : 0;
  },
};
