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

/** The JSON printer every read command uses for --json. */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
