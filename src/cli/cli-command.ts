/**
 * What every `coffer` subcommand is: a name, a one-line summary, a usage text, its options
 * (each described: `coffer CMD --help` prints them), examples, and a run function over its
 * arguments. Commands write through CliIo so tests can capture output.
 */
import type { CliSession } from './cli-session.js';

/** Output streams and terminal facts a command may use. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is a terminal (progress bars show only then). */
  readonly errIsTty: boolean;
  readStdin(): Promise<string>;
}

/** One option: how node:util's parseArgs reads it, and how help describes it. */
export interface OptionSpec {
  readonly type: 'boolean' | 'string';
  readonly short?: string;
  readonly multiple?: boolean;
  /** What the value is, in help (`TEXT`, `FILE`). */
  readonly value?: string;
  readonly description: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** A subcommand. Returns the process exit code. */
export interface CliCommand {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly options: OptionSpecs;
  /** Command lines that work as written (the help's examples). */
  readonly examples: readonly string[];
  run(args: string[], session: CliSession, io: CliIo): Promise<number>;
}

/** A mistake in how the command was called: exit code 2, with the usage line. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
