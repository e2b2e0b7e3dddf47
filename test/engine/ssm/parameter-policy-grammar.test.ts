/**
 * The grammar of parameter policies' attributes (parameter-policies.ts), without a store: the
 * moment an Expiration's Timestamp names, in every form ISO_INSTANT and ISO_OFFSET_DATE_TIME take.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidPolicyAttributeException } from '../../../src/engine/ssm/errors.js';
import { parsePolicies } from '../../../src/engine/ssm/parameter-policies.js';

const at = (timestamp: string) => {
  const [policy] = parsePolicies(
    JSON.stringify([{ Type: 'Expiration', Version: '1.0', Attributes: { Timestamp: timestamp } }]),
  );
  assert.equal(policy!.type, 'Expiration');
  return (policy as { at: number }).at;
};

describe('parameter policy grammar', () => {
  it('reads a Timestamp as the moment it names, offsets and years below 100 included', () => {
    assert.equal(at('2030-01-01T00:00:00Z'), Date.parse('2030-01-01T00:00:00Z'));
    assert.equal(at('2019-11-01T22:13:48.87+10:30:00'), Date.parse('2019-11-01T11:43:48.870Z'));
    assert.equal(at('2030-01-01T00:00-18:00'), Date.parse('2030-01-01T18:00:00Z'));
    // JavaScript's Date.UTC reads years 0-99 as 1900-1999; ISO does not.
    assert.equal(at('0050-06-01T00:00:00Z'), Date.parse('0050-06-01T00:00:00Z'));
  });

  it('refuses a date that does not exist', () => {
    for (const timestamp of ['2001-02-29T00:00:00Z', '2000-01-01T24:00:00Z', '0050-13-01T00:00:00Z'])
      assert.throws(() => at(timestamp), InvalidPolicyAttributeException, timestamp);
  });
});
