/**
 * Profiles in files: the shared conformance suite on a temporary XDG_CONFIG_HOME, then what only
 * files do: the layout and modes, atomic writes, the lock (two processes racing, a stale lock).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { profiles } from '../../../src/client/index.js';
import { expectError } from '../../helpers/expect-error.js';
import { profileStoreConformance } from './profile-conformance.js';

const run = promisify(execFile);
const WRITER = join(import.meta.dirname, 'race-writer.ts');

describe('profiles in files', () => {
  let home: string;
  before(() => {
    home = mkdtempSync(join(tmpdir(), 'coffer-profiles-'));
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  describe('conformance', () => {
    profileStoreConformance((app, options = {}) => profiles(app, { env: { XDG_CONFIG_HOME: home }, ...options }));
  });

  it('lives at $XDG_CONFIG_HOME/{app}/{profile}/config.json, files 0600, directories 0700', async () => {
    const store = profiles('layout', { env: { XDG_CONFIG_HOME: home } });
    assert.equal(store.kind, 'file');
    await store.write('dev', { a: 1 });
    const file = join(home, 'layout', 'dev', 'config.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(join(home, 'layout')).mode & 0o777, 0o700);
    assert.equal(statSync(join(home, 'layout', 'dev')).mode & 0o777, 0o700);
    assert.deepEqual(readdirSync(join(home, 'layout', 'dev')), ['config.json'], 'no temp or lock file is left');
    assert.equal(typeof (await store.readRaw('dev')).version, 'string');
    await store.delete('dev');
    assert.equal(existsSync(join(home, 'layout', 'dev')), false, 'the empty profile directory goes too');
  });

  it('takes the store from COFFER_PROFILE_STORE, and refuses one it does not know', () => {
    assert.equal(profiles('x', { env: { COFFER_PROFILE_STORE: 'parameter-store' } }).kind, 'parameter-store');
    assert.equal(profiles('x', { env: { COFFER_PROFILE_STORE: 'coffer:http://127.0.0.1:1' } }).kind, 'parameter-store');
    assert.equal(profiles('x', { env: {}, store: 'file' }).kind, 'file');
    assert.throws(() => profiles('x', { store: 'ftp:' }), { code: 'ProfileInvalid' });
    assert.throws(() => profiles('../x'), { code: 'ProfileInvalid' });
  });

  it('reads a profile file that is not JSON as an error that does not quote it', async () => {
    const store = profiles('broken', { env: { XDG_CONFIG_HOME: home } });
    mkdirSync(join(home, 'broken', 'dev'), { recursive: true });
    writeFileSync(join(home, 'broken', 'dev', 'config.json'), '{"password": "hunter2"');
    const error = await expectError(store.read('dev'), 'ProfileInvalid', /not valid JSON/);
    assert.doesNotMatch(error.message, /hunter2/);
  });

  it('breaks a lock older than 30 s, and waits for a fresh one', async () => {
    const store = profiles('locks', { env: { XDG_CONFIG_HOME: home } });
    await store.write('dev', { a: 1 });
    const lock = join(home, 'locks', 'dev', 'config.json.lock');
    writeFileSync(lock, '99999\n');
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    await store.write('dev', { a: 2 });
    assert.equal((await store.read('dev')).a, 2);
    assert.equal(existsSync(lock), false);

    writeFileSync(lock, '99999\n');
    let done = false;
    const pending = store.write('dev', { a: 3 }).then(() => {
      done = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(done, false, 'a fresh lock is waited for');
    rmSync(lock);
    await pending;
    assert.equal((await store.read('dev')).a, 3);
  });

  it('two processes writing from the same version: one wins, the other gets ProfileConflict', async () => {
    const store = profiles('racers', { env: { XDG_CONFIG_HOME: home } });
    for (let round = 0; round < 2; round++) {
      await store.write('dev', { owner: 'first', round });
      const { version } = await store.readRaw('dev');
      const startAt = Date.now() + 3000;
      const spawnWriter = (owner: string) =>
        run(process.execPath, [
          '--import',
          'tsx',
          WRITER,
          JSON.stringify({ configHome: home, app: 'racers', profile: 'dev', expectedVersion: version, owner, startAt }),
        ]).then(({ stdout }) => JSON.parse(stdout) as { ok: boolean; code?: string; message?: string });
      const results = await Promise.all([spawnWriter('alice'), spawnWriter('bob')]);
      const winners = results.filter((r) => r.ok);
      assert.equal(winners.length, 1, JSON.stringify(results));
      const loser = results.find((r) => !r.ok)!;
      assert.equal(loser.code, 'ProfileConflict');
      assert.match(loser.message!, new RegExp(`you read version ${version}, it is now version sha256-`));
      const owner = results[0]!.ok ? 'alice' : 'bob';
      assert.equal((await store.read('dev')).owner, owner, "the winner's write is what is stored");
    }
  });
});
