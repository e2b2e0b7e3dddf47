/**
 * The change log, one domain of the store's contract (storage.ts composes it): one row per
 * change of a parameter or secret (its name, kind, new version and the operation; never a
 * value), appended in the write's own transaction and read by the change feed
 * (engine/changes/). Rows are hints, not facts: a reader refetches what a row names through the
 * authenticated API, so a forged row costs at most a refetch and a removed one an invalidation
 * left to the cache's max age (SECURITY.md); they carry no MAC.
 */

/** A change to append: everything but its sequence number. */
export interface ChangeRowInput {
  account: string;
  region: string;
  kind: 'parameter' | 'secret';
  name: string;
  arn: string;
  /** The version the change made current (a parameter's number, a secret's VersionId), or ''. */
  version: string;
  operation: string;
  /** Milliseconds since the epoch. */
  at: number;
}

/** A change read back, with its place in the log. */
export interface ChangeRow extends ChangeRowInput {
  seq: number;
}

export interface ChangeReader {
  /** Changes with seq > `afterSeq`, in seq order, at most `limit`. */
  listChanges(afterSeq: number, limit: number): Promise<ChangeRow[]>;
  /** These changes, if present (the feed rereads sequence numbers it saw skipped). */
  listChangesBySeq(seqs: readonly number[]): Promise<ChangeRow[]>;
  /** The highest and lowest seq in the log (0 and 0 when it is empty). */
  changeBounds(): Promise<{ oldest: number; latest: number }>;
}

export interface ChangeWriter extends ChangeReader {
  appendChange(row: ChangeRowInput): Promise<void>;
  /** Removes changes made before `before` (ms), keeping the latest row; returns how many went. */
  pruneChanges(before: number): Promise<number>;
}
