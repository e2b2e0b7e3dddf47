/**
 * Transactions are explicit and never nested. A transaction begun inside another's work would
 * wait for the outer one to commit, and on SQLite's single writer, for ever: every later write
 * on the node would hang behind it. AsyncLocalStorage follows a transaction's work through every
 * await, so a nested begin is refused at once, loudly, whichever code path tries it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const inTransaction = new AsyncLocalStorage<true>();

export class NestedTransactionError extends Error {
  constructor() {
    super('a storage transaction was started inside another one (transactions do not nest: pass the open transaction instead)');
    this.name = 'NestedTransactionError';
  }
}

/** Throws unless the caller is outside every transaction's work. */
export function assertNotInTransaction(): void {
  if (inTransaction.getStore()) throw new NestedTransactionError();
}

/** Runs a transaction's work marked as such, for every await it makes. */
export function runAsTransaction<T>(work: () => Promise<T>): Promise<T> {
  return inTransaction.run(true, work);
}
