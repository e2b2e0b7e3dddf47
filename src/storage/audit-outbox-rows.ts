/**
 * The audit trail's outbox, one domain of the store's contract (storage.ts composes it): the
 * event of a write (or of an action Coffer took by itself) inserted in the write's own
 * transaction, so the two commit together or not at all, and kept until the trail has chained
 * it (the chain lives apart: audit-storage.ts). Rows are sealed like every row that matters: a
 * row forged into the outbox would otherwise be chained as Coffer's own.
 */

/** An event waiting to join the chain: its CloudTrail record as JSON text, and what it touched. */
export interface AuditOutboxRow {
  eventId: string;
  /** Milliseconds since the epoch: when its transaction ran. */
  createdAt: number;
  /** The record's JSON text. */
  record: string;
  /** The resources' names as JSON text (audit-record.ts's NamedResource[]). */
  names: string;
}

/** An outbox row read back, with whether it still matches its MAC. */
export interface StoredAuditOutboxRow extends AuditOutboxRow {
  intact: boolean;
}

export interface AuditOutboxReader {
  /** Rows created at or before `createdBefore`, oldest first. */
  listAuditOutbox(createdBefore: number, limit: number): Promise<StoredAuditOutboxRow[]>;
}

export interface AuditOutboxWriter extends AuditOutboxReader {
  insertAuditOutbox(row: AuditOutboxRow): Promise<void>;
  /** Removes the rows of these events (chained since); returns how many there were. */
  deleteAuditOutbox(eventIds: readonly string[]): Promise<number>;
}
