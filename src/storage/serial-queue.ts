/**
 * A FIFO that runs async tasks one at a time.
 *
 * Used by the SQLite backend: its single writer connection must not interleave two batches of
 * transactions (or a migration), and better-sqlite3 cannot hold a transaction open across awaits
 * by itself.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `task` after every task queued before it has settled. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => {});
    return result;
  }
}
