/**
 * Keyed fingerprints of values (HMAC-SHA256 under a key derived from the master key): lets
 * the engine tell whether a repeated request carries the same value as a stored version without
 * opening it, and without a plain hash that would let anyone holding the store confirm guesses.
 */
import { createHmac } from 'node:crypto';
import type { Keyring } from './keyring.js';

export class ValueFingerprint {
  private readonly key: Buffer;

  constructor(keyring: Keyring, purpose = 'value-fingerprint/v1') {
    this.key = keyring.deriveSecret(purpose);
  }

  /** The fingerprint of `value` in `domain` (e.g. a secret's ARN and the value's kind). */
  of(domain: string, value: string | Buffer): string {
    return createHmac('sha256', this.key).update(domain).update('\u0000').update(value).digest('base64url');
  }
}
