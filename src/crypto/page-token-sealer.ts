/**
 * Opaque, tamper-proof paging tokens: a JSON cursor sealed with a key derived from the master
 * key, bound to the operation and request it belongs to. A token altered, forged, or replayed
 * against a different request fails to open.
 */
import { gcmOpen, gcmSeal } from './aes-gcm.js';
import type { Keyring } from './keyring.js';

/** Seals and opens paging cursors. */
export class PageTokenSealer {
  private readonly key: Buffer;

  constructor(keyring: Keyring) {
    this.key = keyring.deriveSecret('page-token/v1');
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
