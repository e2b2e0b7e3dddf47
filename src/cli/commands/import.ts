/**
 * `coffer import PATH FILE|-`: writes each entry of a dotenv or JSON file as PATH/KEY, keeping
 * the key's case. Without --overwrite it refuses before writing anything if any name exists.
 */
import { readFile } from 'node:fs/promises';
import { UsageError, type CliCommand, type CliIo, type OptionSpecs } from '../cli-command.js';
import { parseDotenv } from '../dotenv-format.js';
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
} as const satisfies OptionSpecs;

export const importCommand: CliCommand = {
  name: 'import',
  summary: 'write the entries of a dotenv or JSON file under a path',
  usage: 'coffer import PATH FILE|- [--format dotenv|json] [--type SecureString|String] [--key-id KEY] [--overwrite]',
  options: OPTIONS,
  examples: [
    'coffer import /dev/app .env',
    'coffer import /dev/app config.json --type String --overwrite',
    'cat .env | coffer import /dev/app -',
  ],
  async run(args, session, io) {
    const { values, positionals } = parseOptions(args, OPTIONS);
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
