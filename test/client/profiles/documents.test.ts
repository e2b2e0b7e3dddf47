/** The document operations under the profile store: deep merge, redaction, placeholder warnings. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deepMerge, redactDocument } from '../../../src/client/index.js';
import { secureFieldWarnings } from '../../../src/client/profiles/documents.js';

describe('profile documents', () => {
  it('deep-merges child over parent without touching either', () => {
    const parent = { a: { b: 1, c: [1, 2] }, d: 'x', e: { f: 1 } };
    const child = { a: { c: [3], g: null }, e: 'scalar wins', h: true };
    assert.deepEqual(deepMerge(parent, child), { a: { b: 1, c: [3], g: null }, d: 'x', e: 'scalar wins', h: true });
    assert.deepEqual(parent, { a: { b: 1, c: [1, 2] }, d: 'x', e: { f: 1 } });
    assert.deepEqual(deepMerge({ a: [1] }, { a: { x: 1 } }), { a: { x: 1 } });
  });

  it('redacts only fields that are present, through objects only, in a copy', () => {
    const document = { db: { password: 'p', list: [{ password: 'q' }] }, top: 'secret', nested: 'not an object' };
    const redacted = redactDocument(document, ['db.password', 'top', 'nested.key', 'db.list.password', 'missing']);
    assert.deepEqual(redacted, {
      db: { password: '********', list: [{ password: 'q' }] },
      top: '********',
      nested: 'not an object',
    });
    assert.equal(document.db.password, 'p');
    assert.deepEqual(redactDocument({ db: { password: { nested: 'object' } } }, ['db.password']), {
      db: { password: '********' },
    });
  });

  it('warns on empty and placeholder values only, naming the path', () => {
    const fields = ['a', 'b', 'c', 'd', 'e', 'f'];
    const warnings = secureFieldWarnings({ a: '', b: null, c: 'CHANGEME', d: 0, e: 'real', f: '  xXx ' }, fields);
    assert.deepEqual(warnings, [
      'secure field a is empty',
      'secure field b is empty',
      'secure field c holds a placeholder, not a real value',
      'secure field f holds a placeholder, not a real value',
    ]);
  });
});
