/**
 * Random bytes drawn from the CSPRNG 4 KB at a time: `randomBytes(n)` costs about 5 µs a call
 * whatever n is, as much as a whole AES-GCM seal. Each byte is handed out once; a refill is a
 * new buffer, so bytes handed out earlier are never overwritten.
 */
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let at = 0;

/** `n` (at most 4096) fresh random bytes, a view no later call touches. */
export function pooledRandomBytes(n: number): Buffer {
  if (n > POOL_BYTES) throw new RangeError(`pooledRandomBytes gives at most ${POOL_BYTES} bytes`);
  if (at + n > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafeSlow(POOL_BYTES));
    at = 0;
  }
  at += n;
  return pool.subarray(at - n, at);
}
