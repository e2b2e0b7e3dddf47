/**
 * Where the audit trail keeps its chain (audit-rows.ts): a storage of its own, beside the store.
 * On SQLite it is a file of its own, written by one thread (the audit ledger's), so that its
 * commits, a thousand a second under load, never make the store's connection throw its page
 * cache away; on PostgreSQL it is the same database, through a pool of its own. The event of a
 * write still commits with the write: it goes in the store's outbox (audit-outbox-rows.ts) and
 * joins the chain from there.
 */
import type { AuditReader, AuditWriter } from './audit-rows.js';
import type { RowAuthenticator } from './row-integrity.js';
import type { TransactionOptions } from './storage.js';

export interface AuditStorage extends AuditReader {
  readonly kind: 'sqlite' | 'postgres';
  /** Seals and checks event rows with `authenticator` (the store's row key). */
  useIntegrity(authenticator: RowAuthenticator): void;
  /** Makes the trail's tables (on SQLite, taking over a store's trail from before it had a file of its own). */
  migrate(): Promise<void>;
  /** Runs `work` in one transaction; transactions run one at a time per AuditStorage. */
  transaction<T>(work: (tx: AuditWriter) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * Makes every commit so far durable, those that did not wait for the disk too (before what they
   * hold is deleted from where it came: an outbox row, a journal file).
   */
  sync(): Promise<void>;
  close(): Promise<void>;
}
