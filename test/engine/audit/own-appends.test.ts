/** The runs of seqs a process appended and saw committed: merged in any order, gaps kept. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OwnAppends } from '../../../src/engine/audit/own-appends.js';

describe('own appends', () => {
  it("merges runs committed out of order and covers a range only without a gap, ending at the head's hash", () => {
    const own = new OwnAppends();
    own.add({ firstSeq: 6, lastSeq: 6, lastHash: 'h6' });
    own.add({ firstSeq: 1, lastSeq: 5, lastHash: 'h5' });
    assert.equal(own.covers(1, { seq: 6, hash: 'h6' }), true, 'the later commit seen first');
    assert.equal(own.covers(1, { seq: 6, hash: 'other' }), false, 'another hash at the head');
    assert.equal(own.covers(1, { seq: 7, hash: 'h7' }), false, 'a head it did not write');
    own.add({ firstSeq: 9, lastSeq: 9, lastHash: 'h9' });
    assert.equal(own.covers(1, { seq: 9, hash: 'h9' }), false, "seqs 7 and 8 are someone else's");
    assert.equal(own.covers(9, { seq: 9, hash: 'h9' }), true, 'from 9 on it is all its own');
    own.forgetBefore(9);
    assert.equal(own.covers(1, { seq: 6, hash: 'h6' }), false, 'forgotten once signed');
    own.add({ firstSeq: 9, lastSeq: 10, lastHash: 'h10' });
    assert.equal(
      own.covers(9, { seq: 10, hash: 'h10' }),
      false,
      'overlapping seqs: no longer one chain, nothing trusted',
    );
  });
});
