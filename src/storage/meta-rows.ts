/**
 * The store's own metadata, one domain of the storage contract (storage.ts composes it): named
 * blobs in coffer_meta for what belongs to the store as a whole (the keyring's canary, the
 * wrapped row-MAC and audit-signing keys, the IAM generation counter, the readiness probe).
 * Values are opaque bytes; whatever is secret in them is wrapped before it gets here.
 */

/** Reads of store metadata. */
export interface MetaReader {
  getMeta(key: string): Promise<Buffer | undefined>;
}

/** Writes of store metadata; only inside a transaction. */
export interface MetaWriter extends MetaReader {
  /** Inserts only if absent; returns whether it inserted. */
  insertMeta(key: string, value: Buffer): Promise<boolean>;
  putMeta(key: string, value: Buffer): Promise<void>;
}
