/**
 * `coffer ls PATH`: the names under a path as a tree, with type, version and date; values only
 * with --values.
 */
import type { ParameterMetadata } from '@aws-sdk/client-ssm';
import { UsageError, type CliCommand } from '../cli-command.js';
import { metadataUnder, parametersUnder } from '../parameter-listing.js';
import { parseOptions, toJson } from '../parse-options.js';

interface Row { meta: ParameterMetadata; value?: string }

/** Renders rows as an indented tree of path segments below `root`. */
export function renderTree(root: string, rows: readonly Row[]): string {
  const lines = [`${root}\n`];
  const printed = new Set<string>();
  const base = root.endsWith('/') ? root : `${root}/`;
  for (const { meta, value } of rows) {
    const segments = meta.Name!.startsWith(base) ? meta.Name!.slice(base.length).split('/') : [meta.Name!];
    segments.forEach((segment, depth) => {
      const key = segments.slice(0, depth + 1).join('/');
      if (depth < segments.length - 1) {
        if (!printed.has(key)) lines.push(`${'  '.repeat(depth + 1)}${segment}/\n`);
        printed.add(key);
        return;
      }
      const details = `${meta.Type}  v${meta.Version}  ${meta.LastModifiedDate!.toISOString()}`;
      lines.push(`${'  '.repeat(depth + 1)}${segment}  ${details}${value === undefined ? '' : `  = ${value}`}\n`);
    });
  }
  return lines.join('');
}

export const lsCommand: CliCommand = {
  name: 'ls',
  summary: 'list names under a path as a tree (values only with --values)',
  usage: 'coffer ls [PATH] [--recursive] [--values] [--json]',
  async run(args, session, io) {
    const { values, positionals } = parseOptions(args, {
      recursive: { type: 'boolean', short: 'r' }, values: { type: 'boolean' }, json: { type: 'boolean' },
    });
    if (positionals.length > 1) throw new UsageError('ls takes at most one PATH');
    const path = positionals[0] ?? '/';
    const parameters = await session.parameters();
    const recursive = values.recursive === true;
    const metadata = await metadataUnder(parameters, path, recursive);
    const valueOf = new Map<string, string>();
    if (values.values) for (const p of await parametersUnder(parameters, path, recursive)) valueOf.set(p.Name!, p.Value!);
    const rows: Row[] = metadata.map((meta) => ({ meta, value: values.values ? valueOf.get(meta.Name!) : undefined }));
    io.out(values.json ? toJson(rows.map((r) => ({ ...r.meta, ...(r.value !== undefined ? { Value: r.value } : {}) }))) : renderTree(path, rows));
    return 0;
  },
};
