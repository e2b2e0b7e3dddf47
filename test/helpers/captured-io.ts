/**
 * A CliIo that records output, for driving the CLI in-process.
 */
import type { CliIo } from '../../src/cli/cli-command.js';

/** Captured stdout/stderr plus a canned stdin. */
export class CapturedIo implements CliIo {
  stdout = '';
  stderr = '';
  constructor(
    readonly errIsTty = false,
    private readonly stdin = '',
  ) {}
  out(text: string): void {
    this.stdout += text;
  }
  err(text: string): void {
    this.stderr += text;
  }
  async readStdin(): Promise<string> {
    return this.stdin;
  }
}
