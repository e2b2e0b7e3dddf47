/**
 * Event ids: UUIDs as CloudTrail's are, but of version 7 (RFC 9562: the time in milliseconds,
 * then random bits), so ids made one after another sort together and the store's index of them
 * grows at its end instead of being rewritten at random places on every event.
 */
import { randomFillSync } from 'node:crypto';

/** Random bytes are drawn 4 KiB at a time: one call to the system's generator per 400 ids. */
const pool = Buffer.alloc(4000);
let used = pool.length;

export function eventId(now = Date.now()): string {
  if (used + 10 > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const bytes = Buffer.alloc(16);
  pool.copy(bytes, 6, used, used + 10);
  used += 10;
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = 0x70 | (bytes[6]! & 0x0f);
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
