/**
 * The engine's clock. Production reads the system time; `--dev` servers and tests may move it
 * forward to exercise deletion windows and rotation schedules without waiting.
 */
export class Clock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** Moves the clock forward (never back: deadlines already passed stay passed). */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new Error('the clock only moves forward');
    this.offsetMs += ms;
  }
}
