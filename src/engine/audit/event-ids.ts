/**
 * Event ids: UUIDs as CloudTrail's are, but of version 7 (RFC 9562: the time in milliseconds,
 * then random bits), so ids made one after another sort together and the store's index of them
 * grows at its end instead of being rewritten at random places on every event.
 */
import { pooledRandomBytes } from '../../crypto/random-pool.js';

export function eventId(now = Date.now()): string {
  const bytes = Buffer.alloc(16);
  // Drawn from the CSPRNG 4 KiB at a time (random-pool.ts).
  pooledRandomBytes(10).copy(bytes, 6);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = 0x70 | (bytes[6]! & 0x0f);
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
