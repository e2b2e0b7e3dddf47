/**
 * The audit trail's rows, the contract of an AuditStorage (audit-storage.ts): events in one
 * global sequence (each row carries its hash-chain link and the resources it touched), an index
 * of those resources by name for lookups and reports (built behind the chain in batches: an
 * index row per event, written at a random place in a name-ordered tree, cost a read as much as
 * the rest of its event), and the signed digests and checkpoints.
 * Event rows are sealed like every row that matters (row-integrity.ts); readers learn whether a
 * row is intact instead of failing, so a verifier can report what was changed.
 */

/** One event as stored: the record's JSON text, the columns lookups filter on, and its chain link. */
export interface AuditEventRow {
  seq: number;
  eventId: string;
  /** Milliseconds since the epoch. */
  eventTime: number;
  /** The account the event was recorded for (recipientAccountId). */
  account: string;
  eventSource: string;
  eventName: string;
  readOnly: boolean;
  username: string | null;
  accessKeyId: string | null;
  errorCode: string | null;
  prevHash: string;
  hash: string;
  /** The CloudTrail record, as JSON text: the bytes the chain hashes. */
  record: string;
  /** The caller's ARN, for the access report. */
  principal: string | null;
  /** The resources it touched, as the engine encodes them (audit-resource-index.ts); null for none. */
  resources: string | null;
}

/**
 * An event read back, with whether its row still matches its MAC. The MAC covers every column
 * but the record, which the chain hash covers: a reader that trusts the record checks the hash.
 */
export interface StoredAuditEvent extends AuditEventRow {
  intact: boolean;
}

/** A resource an event touched, by type, name and ARN. */
export interface AuditResourceRow {
  type: string;
  name: string;
  arn: string;
}

/** One row of the resource index: a resource of event `seq`, with what reports group by. */
export interface AuditIndexRow extends AuditResourceRow {
  seq: number;
  /** Its place among the event's resources. */
  position: number;
  eventTime: number;
  principal: string | null;
  readOnly: boolean;
  succeeded: boolean;
}

/** What the index is built from: an event's resources column and what its index rows repeat. */
export interface UnindexedEvent {
  seq: number;
  eventTime: number;
  principal: string | null;
  readOnly: boolean;
  errorCode: string | null;
  resources: string;
}

/** A signed statement over the chain: a digest of a range, or a checkpoint left by pruning. */
export interface AuditDigestRow {
  digestNo: number;
  kind: 'digest' | 'checkpoint';
  createdAt: number;
  firstSeq: number;
  lastSeq: number;
  /** The hash of event `lastSeq` (for a checkpoint: of the last pruned event). */
  headHash: string;
  /** The hash of the previous digest's signed text (zeros for the first). */
  previousHash: string;
  /** Base64 Ed25519 signature over the digest's signed text. */
  signature: string;
}

/** The attributes CloudTrail's LookupEvents filters on. */
export type AuditAttribute =
  | 'EventId'
  | 'EventName'
  | 'ReadOnly'
  | 'Username'
  | 'ResourceType'
  | 'ResourceName'
  | 'EventSource'
  | 'AccessKeyId';

export interface AuditEventQuery {
  /** Only events recorded for this account. */
  account?: string;
  /** Inclusive bounds, milliseconds. */
  startTime?: number;
  endTime?: number;
  /** Exclusive bounds on seq, for paging. */
  afterSeq?: number;
  beforeSeq?: number;
  attribute?: { readonly name: AuditAttribute; readonly value: string };
  /** Only events whose resources include a name starting with this prefix. */
  resourcePrefix?: string;
  /** Only events with an error code (failures and denials). */
  failedOnly?: boolean;
  /** Newest first (LookupEvents) or in chain order (verify, export). */
  descending: boolean;
  /** Leave the record out (returned as ''): for checks of links and MACs alone, which need not read it. */
  withoutRecord?: boolean;
  limit: number;
}

/** Read events of resources under a name prefix: per resource and reader. */
export interface ResourceReadRow {
  type: string;
  name: string;
  principal: string;
  reads: number;
  /** Reads at or after the query's `recentSince`. */
  recentReads: number;
  lastRead: number;
}

export interface AuditReader {
  /** The last event of the chain. */
  head(): Promise<{ seq: number; hash: string; eventTime: number } | undefined>;
  listEvents(query: AuditEventQuery): Promise<StoredAuditEvent[]>;
  /** Digests and checkpoints after `afterNo`, in order. */
  listDigests(afterNo: number, limit: number): Promise<AuditDigestRow[]>;
  lastDigest(): Promise<AuditDigestRow | undefined>;
  /**
   * Successful reads in `account` since `since` of resources whose names start with `prefix`
   * (and, given `within`, lie between its first and last names, inclusive: one report page's).
   */
  readActivity(
    account: string,
    prefix: string,
    since: number,
    recentSince: number,
    within?: { first: string; last: string },
  ): Promise<ResourceReadRow[]>;
  /** The last seq the resource index covers (0 before any). */
  indexedThrough(): Promise<number>;
  /** Index rows after `after` (by name, seq, position), in that order: for verify. */
  listIndexRows(
    after: { name: string; seq: number; position: number } | undefined,
    limit: number,
  ): Promise<AuditIndexRow[]>;
}

export interface AuditWriter extends AuditReader {
  /**
   * Serialises appends to the chain until the transaction ends (PostgreSQL: a transaction-scoped
   * advisory lock; SQLite's write lock already does it). Taken at the end of a transaction's
   * work, so it is held only for the append and the commit.
   */
  lockChain(): Promise<void>;
  /**
   * Inserts the event unless one with its id is there already (an event carried twice, from an
   * outbox or a journal, is chained once); returns whether it did.
   */
  insertEvent(row: AuditEventRow): Promise<boolean>;
  /** Events with resources in (afterSeq, throughSeq], in order. */
  listUnindexed(afterSeq: number, throughSeq: number): Promise<UnindexedEvent[]>;
  insertIndexRows(rows: readonly AuditIndexRow[]): Promise<void>;
  setIndexedThrough(seq: number): Promise<void>;
  insertDigest(row: AuditDigestRow): Promise<void>;
  /** Removes events (and their resources) up to and including `seq`; returns how many. */
  deleteEventsThrough(seq: number): Promise<number>;
  /** The last event at or before `time`. */
  lastEventBefore(time: number): Promise<{ seq: number; hash: string } | undefined>;
}
