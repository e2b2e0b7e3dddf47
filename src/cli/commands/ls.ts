/**
 * `coffer ls PATH`: the names under a path, with type, version and date, and (without
 * --recursive) its immediate sub-folders with how many parameters each holds, as a file lister
 * shows folders; with --recursive, the whole tree. Values only with --values.
 */
import type { ParameterMetadata } from '@aws-sdk/client-ssm';
import { UsageError, type CliCommand, type OptionSpecs } from '../cli-command.js';
import { metadataUnder, parametersUnder } from '../parameter-listing.js';
import { parseOptions, toJson } from '../parse-options.js';

interface Row {
  meta: ParameterMetadata;
  value?: string;
}

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

/** The sub-folders directly under `base` of these names, each with how many names it holds at any depth. */
export function subFolders(base: string, names: readonly string[]): Map<string, number> {
  const folders = new Map<string, number>();
  for (const name of names) {
    if (!name.startsWith(base)) continue;
    const rest = name.slice(base.length);
    const slash = rest.indexOf('/');
    if (slash > 0) folders.set(rest.slice(0, slash), (folders.get(rest.slice(0, slash)) ?? 0) + 1);
  }
  return folders;
}

const OPTIONS = {
  recursive: { type: 'boolean', short: 'r', description: 'list the whole tree below PATH' },
  values: { type: 'boolean', description: 'show each value (decrypted)' },
  json: {
    type: 'boolean',
    description: 'print the parameters\' metadata as JSON, then each sub-folder as {Name, Type: "Folder", Parameters}',
  },
} as const satisfies OptionSpecs;

export const lsCommand: CliCommand = {
  name: 'ls',
  summary: 'list the parameters and sub-folders under a path (the whole tree with -r; values only with --values)',
  usage: 'coffer ls [PATH] [--recursive] [--values] [--json]',
  options: OPTIONS,
  examples: ['coffer ls /dev', 'coffer ls /dev -r', 'coffer ls /dev/app --values'],
  async run(args, session, io) {
    const { values, positionals } = parseOptions(args, OPTIONS);
    if (positionals.length > 1) throw new UsageError('ls takes at most one PATH');
    const path = positionals[0] ?? '/';
    const parameters = await session.parameters();
    const recursive = values.recursive === true;
    // One listing of the whole tree: the level asked for, and what the folders below it hold.
    const all = await metadataUnder(parameters, path, true);
    const base = path.endsWith('/') ? path : `${path}/`;
    const metadata = recursive
      ? all
      : all.filter((m) => m.Name === path || (m.Name!.startsWith(base) && !m.Name!.slice(base.length).includes('/')));
    const folders = recursive
      ? new Map<string, number>()
      : subFolders(
          base,
          all.map((m) => m.Name!),
        );
    const valueByName = new Map<string, string>();
    if (values.values)
      for (const p of await parametersUnder(parameters, path, recursive)) valueByName.set(p.Name!, p.Value!);
    const rows: Row[] = metadata.map((meta) => ({
      meta,
      value: values.values ? valueByName.get(meta.Name!) : undefined,
    }));
    if (values.json) {
      io.out(
        toJson([
          ...rows.map((r) => ({ ...r.meta, ...(r.value !== undefined ? { Value: r.value } : {}) })),
          ...[...folders].map(([name, count]) => ({ Name: `${base}${name}/`, Type: 'Folder', Parameters: count })),
        ]),
      );
      return 0;
    }
    const folderLines = [...folders].map(
      ([name, count]) => `  ${name}/  (${count} parameter${count === 1 ? '' : 's'})\n`,
    );
    io.out(renderTree(path, rows) + folderLines.join(''));
    return 0;
  },
};
