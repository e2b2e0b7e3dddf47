/**
 * The engine's clock. Production reads the system time; `--dev` servers and tests may move it
 * forward to exercise deletion windows, rotation schedules and parameter policies without
 * waiting. Listeners hear each move, so a scheduler can look again at once.
 */
export class Clock {
  private offsetMs = 0;
  private readonly listeners = new Set<() => void>();

  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** Moves the clock forward (never back: deadlines already passed stay passed). */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new Error('the clock only moves forward');
    this.offsetMs += ms;
    for (const listener of this.listeners) listener();
  }

  /** Calls `listener` after every move; returns what stops it. */
  onAdvance(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
