/**
 * The random-password rotator on each kind of value: plain text is replaced whole, a JSON
 * object keeps its other fields and gets a new `password` (or the configured field), and a JSON
 * object it cannot rotate safely fails the run instead of being overwritten.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BUILTIN_ROTATORS,
  ROTATION_STEPS,
  type RotationTarget,
} from '../../../src/engine/rotation/builtin-rotators.js';

/** A value in memory with a pending slot, as a secret's AWSCURRENT and AWSPENDING. */
function target(initial: string): RotationTarget & { value: string } {
  let pending: string | undefined;
  const state = {
    value: initial,
    current: async () => state.value,
    pending: async () => pending,
    setPending: async (v: string) => {
      pending = v;
    },
    promote: async () => {
      state.value = pending!;
      pending = undefined;
    },
  };
  return state;
}

async function rotate(value: string, options: Record<string, unknown> = {}): Promise<string> {
  const rotator = BUILTIN_ROTATORS['random-password']!;
  rotator.checkOptions(options);
  const t = target(value);
  for (const step of ROTATION_STEPS) await rotator.run(step, t, options);
  return t.value;
}

describe('random-password rotator', () => {
  it('replaces a plain value whole, with the configured length', async () => {
    const next = await rotate('old-password', { length: 20 });
    assert.equal(next.length, 20);
    assert.notEqual(next, 'old-password');
  });

  it("rotates a JSON object's password field and keeps the rest, without being told the field", async () => {
    const next = JSON.parse(await rotate('{"username":"app","password":"initial","host":"db"}'));
    assert.equal(next.username, 'app');
    assert.equal(next.host, 'db');
    assert.equal(next.password.length, 32);
    assert.notEqual(next.password, 'initial');
  });

  it('rotates the named field of a JSON object', async () => {
    const next = JSON.parse(await rotate('{"user":"app","token":"t"}', { field: 'token' }));
    assert.equal(next.user, 'app');
    assert.notEqual(next.token, 't');
  });

  it('fails rather than overwrite a JSON object without a password field, or text asked for a field', async () => {
    await assert.rejects(rotate('{"username":"app"}'), /without a password field: register the function with --field/);
    await assert.rejects(rotate('plain', { field: 'password' }), /not a JSON object/);
  });
});
