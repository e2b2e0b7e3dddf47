/**
 * The event of the request (or of the action Coffer takes by itself) whose work is running,
 * followed through every await with AsyncLocalStorage. The first transaction that work commits
 * carries the event (AuditTrail's transaction hook), so a write and its event are one commit;
 * work that writes nothing has its event recorded after it, before the response leaves.
 *
 * Only work that may write runs in its draft's scope (the pipeline runs read-only operations
 * without, since the scope costs every promise while enabled: transaction-scope.ts). A read that
 * does commit something (a default key created on first use) has its event recorded after it,
 * as for any work outside a draft. The resources a request touches are noted on its
 * RequestContext (`touched`), not through the scope, so reads name them too.
 */
import { currentTag, runTagged } from '../../storage/transaction-scope.js';
import type { Scope } from '../../storage/storage.js';
import type { AuditEvent } from './audit-record.js';

/** An event still being learnt: `build` makes it from what is known when it is written. */
export class AuditDraft {
  /** The event committed (in the store's outbox) with one of the work's transactions, once it was. */
  appended: AuditEvent | undefined;
  /** Resolves once that event has been carried to the chain (or left in the outbox for maintenance). */
  carried: Promise<void> | undefined;
  /** ARNs of resources the engines met on the way (a secret found by its SecretId, one just created). */
  readonly touched: string[] = [];
  /** Appended in a transaction not yet committed: no other transaction carries it meanwhile. */
  pending = false;
  private closed = false;

  constructor(readonly build: () => AuditEvent) {}

  /** Whether a transaction of the work should still carry the event. */
  get open(): boolean {
    return !this.closed && this.appended === undefined && !this.pending;
  }

  /** No later transaction carries it (the work has ended, or its event was written another way). */
  close(): void {
    this.closed = true;
  }
}

/** Runs `work` as the work of `draft` (carried by the storage's work scope: transaction-scope.ts). */
export function runWithDraft<T>(draft: AuditDraft, work: () => Promise<T>): Promise<T> {
  return runTagged(draft, work);
}

/** The draft of the work running now, if any. */
export function currentDraft(): AuditDraft | undefined {
  const tag = currentTag();
  return tag instanceof AuditDraft ? tag : undefined;
}

/** Tells the event of the request `ctx` is for that the request touched the resource `arn`. */
export function touchResource(ctx: Scope & { readonly touched?: string[] }, arn: string): void {
  if (ctx.touched && ctx.touched.length < 100) ctx.touched.push(arn);
}

/** Runs `work` as nobody's (the trail's own writes, background work a request started). */
export function runOutsideDrafts<T>(work: () => T): T {
  return runTagged(undefined, work);
}
