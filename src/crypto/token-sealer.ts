/**
 * Opaque, tamper-proof tokens (paging cursors, STS session tokens): JSON sealed with a key
 * derived from the master key for one purpose, bound to what it belongs to. A token altered,
 * forged, or replayed against a different request or purpose fails to open.
 */
import { gcmOpen, gcmSeal } from './aes-gcm.js';
import type { Keyring } from './keyring.js';

/** Seals and opens tokens of one purpose. */
export class TokenSealer {
  private readonly key: Buffer;

  constructor(keyring: Keyring, purpose = 'page-token/v1') {
    this.key = keyring.deriveSecret(purpose);
  }

  /** Seals `cursor` for the request identified by `binding`. */
  seal(cursor: unknown, binding: string): string {
    return gcmSeal(this.key, Buffer.from(JSON.stringify(cursor)), Buffer.from(binding)).toString('base64url');
  }

  /** Opens a token; undefined when it was not sealed by this store for this request. */
  open<T>(token: string, binding: string): T | undefined {
    try {
      return JSON.parse(gcmOpen(this.key, Buffer.from(token, 'base64url'), Buffer.from(binding)).toString('utf8')) as T;
    } catch {
      return undefined;
    }
  }
}
