/**
 * The key that seals storage rows (storage/row-integrity.ts): 32 random bytes made once per
 * store, kept in the store wrapped under the master key (like key material), re-wrapped when
 * the master key rotates. Rows are MACed with HMAC-SHA256 under it; storage only ever holds
 * the RowAuthenticator, never the key.
 */
import { createHmac, createSecretKey, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { RowAuthenticator } from '../storage/row-integrity.js';
import type { Storage, StorageWriter } from '../storage/storage.js';
import { gcmOpen, gcmSeal } from './aes-gcm.js';
import type { MasterKey } from './master-key.js';

const META_KEY = 'row-integrity-key';
const AAD = Buffer.from('coffer/row-integrity-key/v1');

/** The store's row authenticator. */
export class HmacRowAuthenticator implements RowAuthenticator {
  constructor(private readonly key: KeyObject) {}

  /**
   * The key as a KeyObject, which a worker thread can be given (postMessage, workerData) without
   * its bytes ever being exported: the audit ledger's thread seals event rows with it.
   */
  transferable(): KeyObject {
    return this.key;
  }

  mac(data: Buffer): Buffer {
    return createHmac('sha256', this.key).update(data).digest();
  }

  verify(data: Buffer, mac: Buffer): boolean {
    const expected = this.mac(data);
    return mac.length === expected.length && timingSafeEqual(expected, mac);
  }
}

/** The store's row authenticator, creating its key on first use (the store must be migrated past 1). */
export async function openRowAuthenticator(storage: Storage, master: MasterKey): Promise<HmacRowAuthenticator> {
  await storage.transaction((tx) => tx.insertMeta(META_KEY, gcmSeal(master.bytes, randomBytes(32), AAD)));
  const wrapped = await storage.getMeta(META_KEY);
  return new HmacRowAuthenticator(createSecretKey(gcmOpen(master.bytes, wrapped!, AAD)));
}

/** The authenticator of a key taken from HmacRowAuthenticator.transferable() (in another thread). */
export function rowAuthenticatorFrom(key: KeyObject): HmacRowAuthenticator {
  return new HmacRowAuthenticator(key);
}

/** Re-wraps the row key under a new master key, inside a master-key rotation's transaction. */
export async function rewrapRowKey(tx: StorageWriter, current: MasterKey, next: MasterKey): Promise<void> {
  const wrapped = await tx.getMeta(META_KEY);
  if (wrapped) await tx.putMeta(META_KEY, gcmSeal(next.bytes, gcmOpen(current.bytes, wrapped, AAD), AAD));
}
