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

/** Writes records as JSON lines; `quiet` drops successful ones. */
export class AccessLog implements RequestRecorder {
  constructor(
    private readonly out: Writable,
    private readonly quiet = false,
  ) {}

  record(entry: RequestRecord): void {
    if (this.quiet && entry.status < 400) return;
    this.out.write(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
  }
}
