/**
 * What every `coffer` subcommand is: a name, a one-line summary, a usage text, and a run
 * function over parsed arguments. Commands write through CliIo so tests can capture output.
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

/** A subcommand. Returns the process exit code. */
export interface CliCommand {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  run(args: string[], session: CliSession, io: CliIo): Promise<number>;
}

/** A mistake in how the command was called: exit code 2, with the usage line. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
