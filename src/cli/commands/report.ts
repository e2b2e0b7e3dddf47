/**
 * `coffer report [PREFIX]`: every parameter and secret under a prefix with its type, version,
 * last change and access, reads in the last 24 hours and 7 days and by whom, and its rotation.
 * Metadata only, never a value; `--json` for dashboards. Local, or a server's GetAccessReport.
 */
import { UsageError, type CliCommand, type OptionSpecs } from '../cli-command.js';
import { parseOptions, toJson } from '../parse-options.js';

const iso = (d: unknown) =>
  d instanceof Date
    ? d.toISOString()
    : typeof d === 'number'
      ? new Date(d * 1000).toISOString()
      : typeof d === 'string'
        ? d
        : '-';

const OPTIONS = {
  kind: { type: 'string', value: 'parameter|secret', description: 'only parameters, or only secrets' },
  json: { type: 'boolean', description: 'print the report as JSON (for dashboards)' },
} as const satisfies OptionSpecs;

export const reportCommand: CliCommand = {
  name: 'report',
  summary: 'metadata, reads (24 h, 7 days, by whom) and rotation of everything under a prefix; never a value',
  usage: 'coffer report [PREFIX] [--kind parameter|secret] [--json]',
  options: OPTIONS,
  examples: ['coffer report /prod', 'coffer report --kind secret --json'],
  async run(args, session, io) {
    const { values, positionals } = parseOptions(args, OPTIONS);
    if (positionals.length > 1) throw new UsageError('report takes at most one PREFIX');
    if (values.kind !== undefined && values.kind !== 'parameter' && values.kind !== 'secret')
      throw new UsageError('--kind is parameter or secret');
    const { Items } = await session.accessReport({
      ...(positionals[0] ? { Prefix: positionals[0] } : {}),
      ...(values.kind ? { Kind: values.kind } : {}),
    });
    if (values.json) {
      io.out(toJson(Items));
      return 0;
    }
    for (const item of Items) {
      const rotation = item.Rotation as
        | { Enabled?: boolean; LastRotatedDate?: unknown; NextRotationDate?: unknown; LastRunStatus?: string }
        | undefined;
      const readers = ((item.Readers as { Principal: string; Reads7d: number }[] | undefined) ?? [])
        .map((r) => `${r.Principal} (${r.Reads7d})`)
        .join(', ');
      const lastRun = rotation?.LastRunStatus ? `, ${rotation.LastRunStatus}` : '';
      const rotationText = rotation?.Enabled
        ? `on (last ${iso(rotation.LastRotatedDate)}, next ${iso(rotation.NextRotationDate)}${lastRun})`
        : 'off';
      io.out(
        `${String(item.Kind)} ${String(item.Name)}  ${String(item.Type)} v${String(item.Version)}  modified ` +
          `${iso(item.LastModifiedDate)}  ` +
          `accessed ${iso(item.LastAccessedDate)}  reads 24h ${String(item.Reads24h)} / 7d ${String(item.Reads7d)}` +
          `  rotation ${rotationText}${readers ? `  readers: ${readers}` : ''}\n`,
      );
    }
    return 0;
  },
};
