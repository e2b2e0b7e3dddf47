/**
 * The audit trail's storage contract, a domain of its own composed into Storage: events in one
 * global sequence (each row carries its hash-chain link), the resources each touched (an index
 * by name for lookups and reports, derived from the record, which alone says an event's own
 * resources), and the signed digests and checkpoints.
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
}

/** An event read back, with whether its row still matches its MAC. */
export interface StoredAuditEvent extends AuditEventRow {
  intact: boolean;
}

/** A resource an event touched, by type, name and ARN. */
export interface AuditResourceRow {
  type: string;
  name: string;
  arn: string;
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
export type AuditAttribute = 'EventId' | 'EventName' | 'ReadOnly' | 'Username' | 'ResourceType' | 'ResourceName' | 'EventSource' | 'AccessKeyId';

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
  /** Successful reads in `account` since `since` of resources whose names start with `prefix`. */
  readActivity(account: string, prefix: string, since: number, recentSince: number): Promise<ResourceReadRow[]>;
}

export interface AuditWriter extends AuditReader {
  /**
   * Serialises appends to the chain until the transaction ends (PostgreSQL: a transaction-scoped
   * advisory lock; SQLite's write lock already does it). Taken at the end of a transaction's
   * work, so it is held only for the append and the commit.
   */
  lockChain(): Promise<void>;
  insertEvent(row: AuditEventRow, resources: readonly AuditResourceRow[], principal: string | null): Promise<void>;
  insertDigest(row: AuditDigestRow): Promise<void>;
  /** Removes events (and their resources) up to and including `seq`; returns how many. */
  deleteEventsThrough(seq: number): Promise<number>;
  /** The last event at or before `time`. */
  lastEventBefore(time: number): Promise<{ seq: number; hash: string } | undefined>;
}
