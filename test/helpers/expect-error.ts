/**
 * Asserts that a promise rejects with a given AWS error code and, optionally, message.
 */
import assert from 'node:assert/strict';

/** Awaits `promise` and checks the rejection's code (and message when given). */
export async function expectError(
  promise: Promise<unknown>,
  code: string,
  message?: string | RegExp,
): Promise<Error & { code: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as Error & { code: string };
    assert.equal(e.code, code, `expected ${code}, got ${e.code}: ${e.message}`);
    if (typeof message === 'string') assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    return e;
  }
  assert.fail(`expected ${code}, but the call succeeded`);
}
