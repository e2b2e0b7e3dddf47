/**
 * Argument parsing for subcommands over node:util parseArgs, turning its errors into
 * UsageError (an unknown option names the nearest known one), and the help text every command
 * answers `--help` with, from the same option specs.
 */
import { parseArgs } from 'node:util';
import { UsageError, type CliCommand, type OptionSpecs } from './cli-command.js';

/** How far apart two words are: edits of one character, a swap of two neighbours counting as one (`tpye`). */
function distance(a: string, b: string): number {
  const rows = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const up = rows[i - 1]!;
      row[j] = Math.min(up[j]! + 1, row[j - 1]! + 1, up[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        row[j] = Math.min(row[j]!, rows[i - 2]![j - 2]! + 1);
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}

/** The known word nearest to `given` (a typo of it: within a third of its length), if any. */
export function nearest(given: string, known: readonly string[]): string | undefined {
  let best: { word: string; d: number } | undefined;
  for (const word of known) {
    const d = word.startsWith(given) && given.length >= 2 ? 0 : distance(given, word);
    if (d <= Math.max(1, Math.floor(word.length / 3)) && (!best || d < best.d)) best = { word, d };
  }
  return best?.word;
}

/** Parses `args` strictly against `options`; positionals are allowed. */
export function parseOptions<O extends OptionSpecs>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = (error as Error).message.split('\n')[0]!;
    const unknown = /^Unknown option '(-{1,2})([^']+)'/.exec(message);
    if (unknown) {
      const near = nearest(unknown[2]!, Object.keys(options));
      throw new UsageError(`unknown option ${unknown[1]}${unknown[2]}${near ? ` (did you mean --${near}?)` : ''}`);
    }
    throw new UsageError(message.replace(/^Option '(-{1,2}[^' ]+)[^']*' argument missing$/, 'option $1 needs a value'));
  }
}

/** `coffer CMD --help`: the summary, the usage, every option described, and examples. */
export function commandHelp(command: CliCommand): string {
  const flags = Object.entries(command.options).map(([name, o]) => ({
    flag: [
      o.short ? `-${o.short}, ` : '',
      `--${name}`,
      o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : '',
      o.multiple ? ' (repeatable)' : '',
    ].join(''),
    description: o.description,
  }));
  const width = Math.max(0, ...flags.map((f) => f.flag.length));
  return [
    `coffer ${command.name}: ${command.summary}\n\n`,
    `Usage: ${command.usage}\n`,
    '\nOptions:\n',
    ...flags.map((f) => `  ${f.flag.padEnd(width)}  ${f.description}\n`),
    `  ${'-h, --help'.padEnd(width)}  this help\n`,
    ...(command.examples.length ? ['\nExamples:\n', ...command.examples.map((e) => `  ${e}\n`)] : []),
  ].join('');
}

/** `KEY=VALUE` arguments as tags (`--tag` of put and iam create-user, the pairs of tag). */
export function parseTagPairs(pairs: readonly string[] | undefined): { Key: string; Value: string }[] {
  return (pairs ?? []).map((pair) => {
    const at = pair.indexOf('=');
    if (at < 1) throw new UsageError(`tags are KEY=VALUE, not ${pair}`);
    return { Key: pair.slice(0, at), Value: pair.slice(at + 1) };
  });
}

/** The JSON printer every read command uses for --json. */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
