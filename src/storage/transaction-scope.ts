/**
 * Transactions are explicit and never nested. A transaction begun inside another's work would
 * wait for the outer one to commit, and on SQLite's single writer, for ever: every later write
 * on the node would hang behind it. AsyncLocalStorage follows a transaction's work through every
 * await, so a nested begin is refused at once, loudly, whichever code path tries it.
 *
 * The same store carries one opaque tag for the layers above (the audit trail's draft of the
 * running request's event): one AsyncLocalStorage instead of two, since each instance costs
 * every promise of every request its propagation.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

interface WorkScope {
  readonly inTransaction: boolean;
  readonly tag: unknown;
  /** What the layers above noted about the running transaction, for its hook (a fresh list per transaction). */
  readonly notes: unknown[] | undefined;
}

const scope = new AsyncLocalStorage<WorkScope>();

/**
 * Works running inside `scope` now. AsyncLocalStorage costs every promise of the process its
 * propagation while it is enabled, whoever created the promise (about 12% of a GetParameter on
 * Node 20), so it is enabled only while some work needs it (a transaction, or a request that
 * writes: audit-scope.ts) and disabled as soon as the last of them has settled. While it is
 * disabled no work has a scope, which is what every reader of it would find anyway.
 *
 * The count follows the promise a work returns, not callbacks it leaves behind: work started
 * from scoped work and not awaited by it (a timer, a promise not returned) may find the scope
 * gone while nothing else runs, and find it again when other work enables it. Such work must
 * not rely on the scope: run it with runOutsideDrafts (audit-scope.ts), as the schedulers and
 * the secrets' LastAccessedDate bookkeeping do.
 */
let scopedWorks = 0;

function leaveScope(): void {
  if (--scopedWorks === 0) scope.disable();
}

/** Runs `work` in `store`, keeping the scope enabled until what it returns has settled. */
function runScoped<T>(store: WorkScope, work: () => T): T {
  scopedWorks++;
  let result: T;
  try {
    result = scope.run(store, work);
  } catch (error) {
    leaveScope();
    throw error;
  }
  if (typeof (result as { then?: unknown } | undefined)?.then !== 'function') {
    leaveScope();
    return result;
  }
  return Promise.resolve(result).finally(leaveScope) as T;
}

/** Whether the scope is enabled now (tests: it must not stay enabled once the works that needed it are done). */
export function workScopeEnabled(): boolean {
  return scopedWorks > 0;
}

export class NestedTransactionError extends Error {
  constructor() {
    super(
      'a storage transaction was started inside another one (transactions do not nest: pass the open transaction ' +
        'instead)',
    );
    this.name = 'NestedTransactionError';
  }
}

/** Throws unless the caller is outside every transaction's work. */
export function assertNotInTransaction(): void {
  if (scope.getStore()?.inTransaction) throw new NestedTransactionError();
}

/** Runs a transaction's work marked as such, for every await it makes (keeping the caller's tag). */
export function runAsTransaction<T>(work: () => Promise<T>): Promise<T> {
  return runScoped({ inTransaction: true, tag: scope.getStore()?.tag, notes: [] }, work);
}

/** Runs `work` with `tag` (undefined: none) as the tag every await of it sees. */
export function runTagged<T>(tag: unknown, work: () => T): T {
  const current = scope.getStore();
  // No tag, and no scope to step out of: nothing to carry (the scope may well be disabled).
  if (tag === undefined && current === undefined) return work();
  return runScoped({ inTransaction: current?.inTransaction ?? false, tag, notes: current?.notes }, work);
}

/**
 * The running transaction's notes: a list the layers above may add to during its work and read
 * in its hook (the audit trail's events of actions Coffer takes by itself). Undefined outside a
 * transaction; a transaction that fails takes its notes with it.
 */
export function transactionNotes(): unknown[] | undefined {
  return scope.getStore()?.notes;
}

/** The tag of the work running now. */
export function currentTag(): unknown {
  return scope.getStore()?.tag;
}
