/**
 * Names below a sync root, including Parameter Store's one-level names, which AWS (and Coffer)
 * answer without their leading slash.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { relativeName, underRoot } from '../../../src/client/sync/sync-entry.js';

describe('relativeName', () => {
  it('gives the part below the root, or undefined outside it', () => {
    assert.equal(relativeName('/app/local', '/app/local/x/y'), 'x/y');
    assert.equal(relativeName('/app/local/', '/app/local/x'), 'x');
    assert.equal(relativeName('/app/local', '/app/localx/y'), undefined);
    assert.equal(relativeName('/app', 'plain'), undefined);
  });

  it('puts a one-level name answered without its slash below the root /', () => {
    assert.equal(relativeName('', 'plain'), 'plain');
    assert.equal(relativeName('/', '/plain'), 'plain');
    assert.equal(underRoot('', relativeName('', 'plain')!), '/plain');
  });
});
