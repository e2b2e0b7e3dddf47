/**
 * A rough size of a cached value in bytes, for the cache's memory bound: UTF-16 strings at two
 * bytes a character, bytes as they are, objects and arrays as the sum of their parts. It need
 * not be exact, only proportional.
 */

/** The estimated size of `value`. */
export function estimateBytes(value: unknown, depth = 0): number {
  if (typeof value === 'string') return 2 * value.length;
  if (value instanceof Uint8Array) return value.byteLength;
  if (value === null || typeof value !== 'object') return 8;
  if (value instanceof Date) return 8;
  if (depth > 8) return 64;
  if (Array.isArray(value)) return value.reduce<number>((sum, item) => sum + estimateBytes(item, depth + 1), 16);
  let sum = 16;
  for (const [key, item] of Object.entries(value)) sum += 2 * key.length + estimateBytes(item, depth + 1);
  return sum;
}
