/**
 * SigV4 signing keys: HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service),
 * "aws4_request"), cached per secret, date, region and service, since every request of a day
 * from one key derives the same one.
 */
import { createHash, createHmac } from 'node:crypto';

const MAX_ENTRIES = 1000;

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** Derives the signing key without caching. */
export function deriveSigningKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
}

/** HMAC-SHA256 of the string to sign, hex. */
export function signatureFor(signingKey: Buffer, toSign: string): string {
  return createHmac('sha256', signingKey).update(toSign).digest('hex');
}

/** A bounded cache of derived keys, keyed by a hash of the secret (never the secret itself). */
export class SigningKeyCache {
  private readonly keys = new Map<string, Buffer>();

  get(secret: string, date: string, region: string, service: string): Buffer {
    const id = createHash('sha256').update(`${secret}\u0000${date}\u0000${region}\u0000${service}`).digest('base64');
    let key = this.keys.get(id);
    if (!key) {
      if (this.keys.size >= MAX_ENTRIES) this.keys.clear();
      key = deriveSigningKey(secret, date, region, service);
      this.keys.set(id, key);
    }
    return key;
  }
}
