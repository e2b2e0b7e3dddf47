/**
 * Argument parsing for subcommands over node:util parseArgs, turning its errors into
 * UsageError so every command reports them the same way.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './cli-command.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses `args` strictly; positionals are allowed. */
export function parseOptions<O extends Options>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]!);
  }
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
