/**
 * Counters in the meta table that other processes watch to know their caches went stale (the
 * IAM generation, the keyring generation): read, and bumped inside a write's transaction.
 */
import type { StorageReader, StorageWriter } from './storage.js';

/** The scope of the counters' own locks: no account or region names it. */
const COUNTER_LOCKS = { account: '*', region: '*' } as const;

/** A counter's value (0 before its first bump). */
export async function readCounter(reader: StorageReader, key: string): Promise<number> {
  const value = await reader.getMeta(key);
  return value ? Number(value.toString('utf8')) : 0;
}

/**
 * Adds one inside `tx`. A read and a write: on PostgreSQL two writers could both write N+1, and
 * a process that had seen N+1 would never learn of the second change, so the counter's own lock
 * serialises them (SQLite serialises writers already).
 */
export async function bumpCounter(tx: StorageWriter, key: string): Promise<void> {
  await tx.lockParameter(COUNTER_LOCKS, `coffer-counter:${key}`);
  await tx.putMeta(key, Buffer.from(String((await readCounter(tx, key)) + 1)));
}
