/** The file stores' temporary files: unguessable names, created exclusively, never through a planted link. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { temporaryName, writeNew } from '../../../src/client/sync/private-write.js';

describe('private writes', () => {
  it('make new 0600 files under fresh names and refuse to write through a planted link', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coffer-private-write-'));
    try {
      assert.notEqual(temporaryName(), temporaryName());
      const path = join(dir, temporaryName());
      await writeNew(path, 'v');
      assert.equal(statSync(path).mode & 0o777, 0o600);
      const victim = join(dir, 'victim');
      writeFileSync(victim, 'untouched');
      const planted = join(dir, temporaryName());
      symlinkSync(victim, planted);
      await assert.rejects(writeNew(planted, 'secret'), { code: 'EEXIST' });
      assert.equal(readFileSync(victim, 'utf8'), 'untouched');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
