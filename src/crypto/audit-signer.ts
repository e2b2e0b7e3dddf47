/**
 * The audit trail's signing key: an Ed25519 key pair made once per store, its private half kept
 * wrapped under the master key (like the row key), re-wrapped when the master key rotates. The
 * public key is derived from the private one, never read from storage, so a public key swapped
 * in the database cannot make forged digests verify. Nothing outside this file sees the key.
 */
import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import type { Storage, StorageWriter } from '../storage/storage.js';
import { gcmOpen, gcmSeal } from './aes-gcm.js';
import type { MasterKey } from './master-key.js';

const META_KEY = 'audit-signing-key';
const AAD = Buffer.from('coffer/audit-signing-key/v1');

/** Signs digests; says its public key (SPKI PEM). */
export class AuditSigner {
  readonly publicKeyPem: string;
  /** HMAC key for the trail's own checks (the resource index's multiset hash), derived from the private key. */
  private readonly checkKey: Buffer;

  private constructor(private readonly key: KeyObject) {
    this.publicKeyPem = createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
    this.checkKey = createHmac('sha256', key.export({ type: 'pkcs8', format: 'der' }))
      .update('coffer/audit-check-key/v1')
      .digest();
  }

  /** A keyed hash of `text`: what nobody without the key can aim at (the index's multiset sum). */
  keyedHash(text: string): Buffer {
    return createHmac('sha256', this.checkKey).update(text, 'utf8').digest();
  }

  /**
   * The private key as a KeyObject, which a worker thread can be given without its bytes ever
   * being exported (the audit ledger's thread signs digests); fromTransferred takes it back.
   */
  transferable(): KeyObject {
    return this.key;
  }

  static fromTransferred(key: KeyObject): AuditSigner {
    return new AuditSigner(key);
  }

  /** The store's signer, creating its key pair on first use. */
  static async open(storage: Storage, master: MasterKey): Promise<AuditSigner> {
    const pair = generateKeyPairSync('ed25519');
    const der = pair.privateKey.export({ type: 'pkcs8', format: 'der' });
    await storage.transaction((tx) => tx.insertMeta(META_KEY, gcmSeal(master.bytes, der, AAD)));
    const wrapped = await storage.getMeta(META_KEY);
    return new AuditSigner(
      createPrivateKey({ key: gcmOpen(master.bytes, wrapped!, AAD), format: 'der', type: 'pkcs8' }),
    );
  }

  /** Base64 Ed25519 signature of `text`. */
  sign(text: string): string {
    return sign(null, Buffer.from(text, 'utf8'), this.key).toString('base64');
  }
}

/** Whether `signature` (base64) is `publicKeyPem`'s over `text`. */
export function verifyAuditSignature(publicKeyPem: string, text: string, signature: string): boolean {
  try {
    return verify(null, Buffer.from(text, 'utf8'), createPublicKey(publicKeyPem), Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/** Re-wraps the signing key under a new master key, inside a master-key rotation's transaction. */
export async function rewrapAuditKey(tx: StorageWriter, current: MasterKey, next: MasterKey): Promise<void> {
  const wrapped = await tx.getMeta(META_KEY);
  if (wrapped) await tx.putMeta(META_KEY, gcmSeal(next.bytes, gcmOpen(current.bytes, wrapped, AAD), AAD));
}
