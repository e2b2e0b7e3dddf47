/**
 * SigV4 signing keys: HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service),
 * "aws4_request"), cached per access key, date, region and service, since every request of a
 * day from one key derives the same one.
 */
import { createHmac } from 'node:crypto';

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

/**
 * A bounded cache of derived keys by access key id and scope. Each entry remembers the secret
 * it was derived from, so a key id whose secret changed derives afresh.
 */
export class SigningKeyCache {
  private readonly keys = new Map<string, { secret: string; key: Buffer }>();

  get(accessKeyId: string, secret: string, date: string, region: string, service: string): Buffer {
    const id = `${accessKeyId}/${date}/${region}/${service}`;
    const cached = this.keys.get(id);
    if (cached && cached.secret === secret) return cached.key;
    if (this.keys.size >= MAX_ENTRIES) this.keys.clear();
    const key = deriveSigningKey(secret, date, region, service);
    this.keys.set(id, { secret, key });
    return key;
  }
}
