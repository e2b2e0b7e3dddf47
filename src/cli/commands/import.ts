/**
 * `coffer import PATH FILE|-`: writes each entry of a dotenv or JSON file as PATH/KEY, keeping
 * the key's case. Without --overwrite it refuses before writing anything if any name exists.
 * `coffer import --from-csv|--from-json FILE --name-template T --value-column C`: one parameter
 * per row of a table, printed with its ARN (src/cli/import-rows.ts).
 */
import { readFile } from 'node:fs/promises';
import { UsageError, type CliCommand, type CliIo, type OptionSpecs } from '../cli-command.js';
import { parseDotenv } from '../dotenv-format.js';
import { importRows } from '../import-rows.js';
import { parseOptions } from '../parse-options.js';
import { ProgressBar } from '../progress-bar.js';

function parseJsonEntries(text: string): Map<string, string> {
  const data: unknown = JSON.parse(text);
  if (!data || typeof data !== 'object' || Array.isArray(data))
    throw new Error('a JSON import must be an object of KEY: value');
  return new Map(
    Object.entries(data).map(([key, value]) => {
      if (value === null || typeof value === 'object')
        throw new Error(`the JSON value of ${key} is not a string, number or boolean`);
      return [key, String(value)];
    }),
  );
}

async function readEntries(file: string, format: string | undefined, io: CliIo): Promise<Map<string, string>> {
  const text = file === '-' ? await io.readStdin() : await readFile(file, 'utf8');
  const chosen = format ?? (file.endsWith('.json') || text.trimStart().startsWith('{') ? 'json' : 'dotenv');
  if (chosen !== 'json' && chosen !== 'dotenv') throw new UsageError('--format is dotenv or json');
  return chosen === 'json' ? parseJsonEntries(text) : parseDotenv(text);
}

const OPTIONS = {
  format: {
    type: 'string',
    value: 'dotenv|json',
    description: "the file's format (by default: JSON for a .json file or one that starts with {, else dotenv)",
  },
  type: {
    type: 'string',
    value: 'SecureString|String',
    description: 'the type of the parameters written (SecureString by default)',
  },
  'key-id': { type: 'string', value: 'KEY', description: 'the KMS key of SecureStrings: id, ARN or alias' },
  overwrite: {
    type: 'boolean',
    description: 'replace parameters that exist; without it nothing is written if any exists',
  },
  'from-csv': {
    type: 'string',
    value: 'FILE|-',
    description: 'one parameter per row of a CSV file with a header row (RFC 4180), instead of PATH FILE',
  },
  'from-json': {
    type: 'string',
    value: 'FILE|-',
    description: 'one parameter per object of a JSON array, instead of PATH FILE',
  },
  'name-template': {
    type: 'string',
    value: 'TEMPLATE',
    description: "each row's parameter name, {column} filled from the row: /rcm/{env}/{org}/{account}",
  },
  'value-column': {
    type: 'string',
    multiple: true,
    value: 'COLUMN',
    description: "the row's value: one column's text, or with several a JSON object of those columns",
  },
  'tag-column': {
    type: 'string',
    multiple: true,
    value: 'COLUMN',
    description: "tag each new parameter COLUMN=<the row's COLUMN> (not with --overwrite: AWS refuses both)",
  },
  json: { type: 'boolean', description: 'with rows, print [{row, name, arn, version}] instead of NAME<TAB>ARN lines' },
} as const satisfies OptionSpecs;

const ROW_OPTIONS = ['name-template', 'value-column', 'tag-column', 'json'] as const;

export const importCommand: CliCommand = {
  name: 'import',
  summary: 'write the entries of a dotenv or JSON file under a path, or one parameter per CSV/JSON row',
  usage:
    'coffer import PATH FILE|- [--format dotenv|json] [--type SecureString|String] [--key-id KEY] [--overwrite]\n' +
    '       coffer import --from-csv FILE|- | --from-json FILE|- --name-template TEMPLATE --value-column COLUMN...\n' +
    '           [--tag-column COLUMN]... [--type SecureString|String] [--key-id KEY] [--overwrite] [--json]',
  options: OPTIONS,
  examples: [
    'coffer import /dev/app .env',
    'coffer import /dev/app config.json --type String --overwrite',
    'cat .env | coffer import /dev/app -',
    "coffer import --from-csv creds.csv --name-template '/rcm/{env}/{org}/endpoints/{endpoint}/{account}' " +
      '--value-column username --value-column password --tag-column org --tag-column env',
    "coffer import --from-json rows.json --name-template '/rcm/{env}/{org}/{account}' --value-column password --json",
  ],
  async run(args, session, io) {
    const { values, positionals } = parseOptions(args, OPTIONS);
    const rowSource = values['from-csv'] ?? values['from-json'];
    if (rowSource !== undefined) {
      if (values['from-csv'] !== undefined && values['from-json'] !== undefined)
        throw new UsageError('--from-csv and --from-json cannot be used together');
      if (positionals.length > 0) throw new UsageError('--from-csv and --from-json take no PATH or FILE arguments');
      if (values.format !== undefined) throw new UsageError('--format is for PATH FILE imports, not rows');
      if (values['name-template'] === undefined) throw new UsageError('a row import needs --name-template');
      return importRows(
        {
          source: {
            format: values['from-csv'] !== undefined ? 'csv' : 'json',
            text: rowSource === '-' ? await io.readStdin() : await readFile(rowSource, 'utf8'),
          },
          nameTemplate: values['name-template'],
          valueColumns: values['value-column'] ?? [],
          tagColumns: values['tag-column'] ?? [],
          type: values.type ?? 'SecureString',
          keyId: values['key-id'],
          overwrite: values.overwrite === true,
          json: values.json === true,
        },
        session,
        io,
      );
    }
    const rowOnly = ROW_OPTIONS.find((option) => values[option] !== undefined);
    if (rowOnly) throw new UsageError(`--${rowOnly} is for row imports (--from-csv or --from-json)`);
    if (positionals.length !== 2) throw new UsageError('import takes a PATH and a FILE (or - for standard input)');
    const [path, file] = positionals as [string, string];
    const entries = await readEntries(file, values.format, io);
    const base = path.endsWith('/') ? path : `${path}/`;
    const parameters = await session.parameters();
    if (!values.overwrite) {
      const existing: string[] = [];
      for (const key of entries.keys()) {
        await parameters.getParameter({ Name: `${base}${key}` }).then(
          () => existing.push(`${base}${key}`),
          (error: unknown) => {
            if ((error as Error).name !== 'ParameterNotFound') throw error;
          },
        );
      }
      if (existing.length > 0)
        throw new Error(
          `${existing.length} of these parameters already exist ` +
            `(${existing.slice(0, 5).join(', ')}${existing.length > 5 ? ', ...' : ''}); nothing was written; pass ` +
            `--overwrite to replace them`,
        );
    }
    const progress = new ProgressBar(io, 'import', entries.size);
    let done = 0;
    for (const [key, value] of entries) {
      await parameters.putParameter({
        Name: `${base}${key}`,
        Value: value,
        Type: (values.type ?? 'SecureString') as never,
        KeyId: values['key-id'],
        Overwrite: values.overwrite === true,
      });
      progress.update(++done);
    }
    progress.finish();
    io.out(`imported ${done} parameter${done === 1 ? '' : 's'} under ${path}\n`);
    return 0;
  },
};
