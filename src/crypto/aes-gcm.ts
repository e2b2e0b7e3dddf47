/**
 * AES-256-GCM with a random 96-bit nonce: the one cipher the barrier uses.
 *
 * Output layout: nonce (12) | ciphertext | tag (16). Any failure to open, whatever its cause,
 * surfaces as InvalidCiphertextException so callers cannot tell a bad key from a bad tag.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { InvalidCiphertextException } from './errors.js';
import { pooledRandomBytes } from './random-pool.js';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** Encrypts `plaintext` under `key`, authenticating `aad` too. */
export function gcmSeal(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  // From the pool: a fresh nonce per seal, without randomBytes' per-call cost.
  const nonce = pooledRandomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

/** Decrypts what gcmSeal produced with the same key and aad. */
export function gcmOpen(key: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  if (sealed.length < NONCE_BYTES + TAG_BYTES) throw new InvalidCiphertextException();
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, NONCE_BYTES));
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new InvalidCiphertextException();
  }
}
