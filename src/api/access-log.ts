/**
 * The "record" stage of the request pipeline: one JSON line per request with who, what and how
 * it ended. It never holds a request or response body, so no value can reach it; the audit
 * trail (a later issue) plugs in as another RequestRecorder.
 */
import type { Writable } from 'node:stream';

/** What is known about a finished request. */
export interface RequestRecord {
  readonly requestId: string;
  readonly action: string;
  readonly principalArn: string | undefined;
  readonly region: string | undefined;
  readonly status: number;
  readonly errorCode: string | undefined;
  readonly durationMs: number;
}

/** Receives every finished request. */
export interface RequestRecorder {
  record(entry: RequestRecord): void;
}

/**
 * Writes records as JSON lines; `quiet` drops successful ones. The lines of one turn of the event
 * loop go out in one write, after the turn's answers: on Linux, process.stdout writes to a pipe
 * or a file synchronously, and a write per request cost the server ~15% of a GetParameter.
 */
export class AccessLog implements RequestRecorder {
  private pending: string[] = [];

  constructor(
    private readonly out: Writable,
    private readonly quiet = false,
  ) {}

  record(entry: RequestRecord): void {
    if (this.quiet && entry.status < 400) return;
    const line = `${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`;
    if (this.pending.push(line) === 1) setImmediate(() => this.flush());
  }

  /** Writes the lines not written yet (the server's stop calls it too). */
  flush(): void {
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    this.out.write(text);
  }
}
