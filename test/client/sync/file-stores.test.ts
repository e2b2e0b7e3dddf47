/**
 * Files and directories as sync stores, in the SDK's formats: what a sync writes reads back
 * the same (through the stores and through the SDK's own file and directory providers), bytes
 * where the format holds them, dotenv keys as the file spelled them, whole-file writes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DirectoryProvider } from '../../../src/client/directory-provider.js';
import { FileProvider } from '../../../src/client/file-provider.js';
import {
  applyPlan,
  DirectorySyncStore,
  FileSyncStore,
  planDiffers,
  planSync,
  syncStoreFromUrl,
  type SyncEntry,
} from '../../../src/client/sync/index.js';
import { MemorySyncStore } from './memory-sync-store.js';

const dir = mkdtempSync(join(tmpdir(), 'coffer-sync-files-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const TEXT_ENTRIES: SyncEntry[] = [
  { name: 'db/password', value: 'it\'s "quoted"\nand multi-line', type: 'SecureString' },
  { name: 'db/host', value: 'db.internal' },
  { name: 'flag', value: 'true' },
  { name: 'trailing', value: 'ends in a newline\n' },
];
const BYTES: SyncEntry = { name: 'tls/key', value: new Uint8Array([0, 1, 254, 255]) };

async function roundTrip(url: string, entries: SyncEntry[]) {
  const source = new MemorySyncStore('memory', entries);
  const destination = await syncStoreFromUrl(url);
  const outcome = await applyPlan(await planSync(source, destination), destination);
  assert.deepEqual(outcome.failed, []);
  const again = await planSync(source, await syncStoreFromUrl(url));
  assert.equal(planDiffers(again), false, `${url} reads back what was written`);
}

describe('file and directory sync stores', () => {
  for (const extension of ['json', 'yaml']) {
    it(`writes a ${extension} tree the file provider reads, bytes included`, async () => {
      const path = join(dir, `values.${extension}`);
      await roundTrip(`file:${path}`, [...TEXT_ENTRIES, BYTES]);
      const provider = new FileProvider(path);
      assert.equal((await provider.getParameter('/db/host')).Value, 'db.internal');
      assert.deepEqual((await provider.getSecretValue('/tls/key')).SecretBinary, BYTES.value);
      assert.equal(statSync(path).mode & 0o777, 0o600);
    });
  }

  it('writes dotenv with environment names and keeps the keys an existing file spelled', async () => {
    const path = join(dir, 'app.env');
    writeFileSync(path, 'db.port=5432\n');
    await roundTrip(`file:${path}`, [...TEXT_ENTRIES, { name: 'db.port', value: '5432' }]);
    const text = readFileSync(path, 'utf8');
    assert.match(text, /^DB_HOST='db\.internal'$/m);
    assert.match(text, /^db\.port='5432'$/m);
    const provider = new FileProvider(path);
    assert.equal((await provider.getParameter('/db/password')).Value, TEXT_ENTRIES[0]!.value);
  });

  it('refuses bytes into dotenv', async () => {
    const store = new FileSyncStore(join(dir, 'bytes.env'));
    const plan = await planSync(new MemorySyncStore('memory', [BYTES]), store);
    assert.equal(plan.unsupported[0]?.name, 'tls/key');
  });

  it('writes a directory tree the directory provider reads, and removes emptied folders', async () => {
    const root = join(dir, 'tree');
    await roundTrip(`file:${root}/`, [...TEXT_ENTRIES, BYTES]);
    const provider = new DirectoryProvider(root);
    assert.equal((await provider.getParameter('/trailing', { decrypt: true })).Value, 'ends in a newline\n');
    assert.deepEqual((await provider.getSecretValue('/tls/key')).SecretBinary, BYTES.value);
    const store = new DirectorySyncStore(root);
    await store.remove('tls/key');
    assert.throws(() => statSync(join(root, 'tls')));
    assert.ok(statSync(join(root, 'db')).isDirectory());
  });

  it('refuses a name that is not a file below the directory', async () => {
    const plan = await planSync(
      new MemorySyncStore('memory', [{ name: 'a/../b', value: 'x' }]),
      new DirectorySyncStore(join(dir, 'tree2')),
    );
    assert.equal(plan.unsupported.length, 1);
  });

  it('says where a file does not parse, never what it holds', async () => {
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{"password": "hunter2",,}');
    await assert.rejects(new FileSyncStore(path).list(), (error: Error) => !error.message.includes('hunter2'));
  });
});
