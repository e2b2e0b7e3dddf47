/**
 * A FIFO that runs async tasks one at a time.
 *
 * Used by the SQLite backend: its single writer connection must not interleave two
 * transactions, and better-sqlite3 cannot hold a transaction open across awaits by itself.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  /** Whether a task is running or waiting. */
  get busy(): boolean {
    return this.pending > 0;
  }

  /** Runs `task` after every task queued before it has settled. */
  run<T>(task: () => Promise<T>): Promise<T> {
    this.pending++;
    const result = this.tail.then(task);
    this.tail = result.then(
      () => { this.pending--; },
      () => { this.pending--; },
    );
    return result;
  }
}
