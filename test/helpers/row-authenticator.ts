/** A row authenticator with a fixed key, for storage tests that run without a keyring. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { RowAuthenticator } from '../../src/storage/row-integrity.js';

export function testRowAuthenticator(key = 'coffer-test-row-key'): RowAuthenticator {
  const mac = (data: Buffer) => createHmac('sha256', key).update(data).digest();
  return { mac, verify: (data, given) => given.length === 32 && timingSafeEqual(mac(data), given) };
}
