/**
 * Wildcard matching (finding 3): the same answers as a plain dynamic-programming matcher on
 * thousands of random patterns and texts, literal variable values, and patterns that take a
 * backtracking matcher exponential time answered at once on long texts. No timing is asserted:
 * at these sizes a backtracking matcher would not finish within the test run at all.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PolicyTemplate } from '../../../src/engine/iam/policy-template.js';
import { Wildcard } from '../../../src/engine/iam/wildcard.js';

/** The reference: O(n·m) table of which prefixes match. */
function reference(pattern: string, text: string): boolean {
  let row = new Array<boolean>(text.length + 1).fill(false);
  row[0] = true;
  for (const p of pattern) {
    const next = new Array<boolean>(text.length + 1).fill(false);
    if (p === '*') {
      let seen = false;
      for (let j = 0; j <= text.length; j++) {
        seen ||= row[j]!;
        next[j] = seen;
      }
    } else {
      for (let j = 1; j <= text.length; j++) next[j] = row[j - 1]! && (p === '?' || p === text[j - 1]);
    }
    row = next;
  }
  return row[text.length]!;
}

function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('wildcard matching', () => {
  it('agrees with the reference matcher on random patterns and texts', () => {
    const random = generator(7);
    const pick = (alphabet: string, n: number) =>
      Array.from({ length: n }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
    for (let i = 0; i < 5000; i++) {
      const pattern = pick('ab*?/:', Math.floor(random() * 8));
      const text = pick('ab/:', Math.floor(random() * 10));
      assert.equal(Wildcard.of(pattern).test(text), reference(pattern, text), `${pattern} ~ ${text}`);
    }
  });

  it('matches across slashes and colons, and only whole texts', () => {
    assert.ok(Wildcard.of('arn:aws:ssm:*:*:parameter/app/*').test('arn:aws:ssm:us-east-1:1:parameter/app/a/b'));
    assert.ok(!Wildcard.of('arn:aws:ssm:*:*:parameter/app/*').test('arn:aws:ssm:us-east-1:1:parameter/apps'));
    assert.ok(Wildcard.of('a?c').test('abc') && !Wildcard.of('a?c').test('abbc'));
    assert.ok(Wildcard.of('*').test('') && Wildcard.of('').test('') && !Wildcard.of('').test('x'));
  });

  it('takes variable values literally: a * or ? in a tag value is not a wildcard', () => {
    const template = new PolicyTemplate('arn:aws:ssm:*:*:parameter/${aws:PrincipalTag/team}/*');
    const star = template.matcher((k) => (k === 'aws:principaltag/team' ? '*' : undefined))!;
    assert.ok(star.test('arn:aws:ssm:r:1:parameter/*/x'));
    assert.ok(!star.test('arn:aws:ssm:r:1:parameter/other/x'));
    assert.equal(
      template.matcher(() => undefined),
      undefined,
      'a missing variable matches nothing',
    );
  });

  it('answers pathological patterns on long texts without backtracking', () => {
    const stars = Wildcard.of(`lena/${'*a'.repeat(40)}*c`);
    assert.equal(stars.test(`lena/${'a'.repeat(60)}`), false);
    assert.equal(stars.test(`lena/${'a'.repeat(100_000)}`), false);
    assert.equal(stars.test(`lena/${'a'.repeat(100_000)}c`), true);
    const questions = Wildcard.of(`${'*?'.repeat(50)}b`);
    assert.equal(questions.test('a'.repeat(200_000)), false);
    assert.equal(questions.test(`${'a'.repeat(200_000)}b`), true);
  });
});
