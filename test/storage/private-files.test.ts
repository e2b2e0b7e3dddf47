/**
 * The store's files are the owner's alone whatever the umask (finding 7): the data directory
 * Coffer creates is 0700, the database file, its -wal and -shm, and the master key file 0600.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openCoffer } from '../../src/bootstrap/open-coffer.js';
import { ctx } from '../helpers/test-stores.js';

describe('private files', () => {
  it('creates the data directory 0700 and every store file 0600 under a permissive umask', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'coffer-umask-'));
    const dataDir = join(parent, 'nested', 'data');
    const previous = process.umask(0o000);
    try {
      const coffer = await openCoffer(
        { dataDir, databaseUrl: undefined, account: ctx.account, region: ctx.region },
        {},
      );
      await coffer.parameters.putParameter(ctx, { Name: '/umask/p', Value: 'v', Type: 'String' });
      assert.equal(statSync(dataDir).mode & 0o777, 0o700);
      for (const file of ['coffer.db', 'coffer.db-wal', 'coffer.db-shm', 'master.key']) {
        const path = join(dataDir, file);
        if (file !== 'coffer.db-shm' || existsSync(path)) assert.equal(statSync(path).mode & 0o777, 0o600, file);
      }
      await coffer.close();
    } finally {
      process.umask(previous);
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
