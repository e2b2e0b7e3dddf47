/**
 * Signed digests over the chain, like CloudTrail's digest files: each states the range of
 * events it covers, the hash of the last one and the hash of the digest before it, signed with
 * the store's Ed25519 key. Pruning leaves a checkpoint in the same signed sequence: the events
 * it removed and the hash the remaining chain continues from.
 */
import { createHash } from 'node:crypto';
import type { AuditDigestRow, AuditWriter } from '../../storage/audit-rows.js';
import { GENESIS_HASH } from './audit-chain.js';

/** What signs digests (crypto/audit-signer.ts). */
export interface DigestSigner {
  sign(text: string): string;
  /** A keyed hash (HMAC) under a key only the signer holds. */
  keyedHash(text: string): Buffer;
  readonly publicKeyPem: string;
}

/** The exact text a digest's signature covers. */
export function digestText(d: Omit<AuditDigestRow, 'signature'>): string {
  return JSON.stringify([
    'coffer-audit-digest/v1',
    d.digestNo,
    d.kind,
    d.createdAt,
    d.firstSeq,
    d.lastSeq,
    d.headHash,
    d.previousHash,
  ]);
}

/** The hash the next digest links to. */
export function digestHash(d: AuditDigestRow): string {
  return createHash('sha256').update(digestText(d)).update('\n').update(d.signature).digest('hex');
}

/**
 * Appends a signed digest of events `firstSeq`..`lastSeq` (or a checkpoint: events up to
 * `lastSeq` were pruned) inside `tx`, whose caller holds the chain lock.
 */
export async function appendDigest(
  tx: AuditWriter,
  signer: DigestSigner,
  kind: AuditDigestRow['kind'],
  range: { firstSeq: number; lastSeq: number; headHash: string },
  now: number,
): Promise<AuditDigestRow> {
  const last = await tx.lastDigest();
  const unsigned = {
    digestNo: (last?.digestNo ?? 0) + 1,
    kind,
    createdAt: now,
    ...range,
    previousHash: last ? digestHash(last) : GENESIS_HASH,
  };
  const row: AuditDigestRow = { ...unsigned, signature: signer.sign(digestText(unsigned)) };
  await tx.insertDigest(row);
  return row;
}
