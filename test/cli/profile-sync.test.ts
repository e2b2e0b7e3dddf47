/** `coffer sync` with profile:APP/PROFILE on either side: fields as entries, resolved when read, typed kept. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../../src/cli/main.js';
import { CapturedIo } from '../helpers/captured-io.js';

describe('coffer sync with profiles', () => {
  const home = mkdtempSync(join(tmpdir(), 'coffer-profile-sync-'));
  const env = {
    XDG_CONFIG_HOME: join(home, 'config'),
    COFFER_PROFILE_STORE: 'file',
    COFFER_DATA_DIR: join(home, 'data'),
  };
  const cli = async (...args: string[]) => {
    const io = new CapturedIo();
    const code = await runCli(args, env, io);
    return { code, out: io.stdout, err: io.stderr };
  };
  after(() => rmSync(home, { recursive: true, force: true }));

  it('copies a resolved profile out to a file, and a file into a profile, keeping field types', async () => {
    await cli('profile', 'set', 'shop', 'base', 'db.port=5432', 'debug=false');
    await cli('profile', 'set', 'shop', 'dev', 'db.host=localhost');
    await cli('profile', 'inherit', 'shop', 'dev', 'base');
    const out = join(home, 'dev.json');
    const exported = await cli('sync', 'profile:shop/dev', `file:${out}`);
    assert.equal(exported.code, 0, exported.err);
    assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')), {
      db: { host: 'localhost', port: '5432' },
      debug: 'false',
    });

    const input = join(home, 'in.json');
    writeFileSync(input, JSON.stringify({ db: { host: 'db.internal', port: '6432' }, feature: { beta: 'on' } }));
    const dry = await cli('sync', `file:${input}`, 'profile:shop/dev', '--dry-run');
    assert.equal(dry.code, 0, dry.err);
    assert.match(
      (await cli('profile', 'get', 'shop', 'dev')).out,
      /^db\.host = localhost$/m,
      'a dry run writes nothing',
    );
    const imported = await cli('sync', `file:${input}`, 'profile:shop/dev', '--verify');
    assert.equal(imported.code, 0, imported.err);
    const raw = JSON.parse((await cli('profile', 'get', 'shop', 'dev', '--raw', '--json')).out);
    assert.equal(raw.db.host, 'db.internal');
    assert.equal(raw.db.port, 6432, 'a field read as a number goes back as one');
    assert.equal(raw.feature.beta, 'on');
    assert.equal(raw._inherits, 'base', 'the document keeps its inheritance');
    assert.equal(
      (await cli('diff', `file:${input}`, 'profile:shop/dev')).code,
      1,
      'debug=false is inherited, not in the file',
    );
  });

  it('refuses to sync a store into one that holds it, and a profile field over a group of fields', async () => {
    const overlapping = await cli('sync', `file:${join(home, 'd', 'sub')}/`, `file:${join(home, 'd')}/`, '--delete');
    assert.equal(overlapping.code, 2);
    assert.match(overlapping.err, /holds the other/);
    const flat = join(home, 'flat.json');
    writeFileSync(flat, JSON.stringify({ db: 'flat' }));
    const clobber = await cli('sync', `file:${flat}`, 'profile:shop/dev');
    assert.equal(clobber.code, 3, clobber.err);
    const raw = JSON.parse((await cli('profile', 'get', 'shop', 'dev', '--raw', '--json')).out);
    assert.equal(raw.db.host, 'db.internal', 'the fields under db are kept');
  });

  it('refuses a malformed profile URL', async () => {
    const bad = await cli('sync', 'profile:shop', `file:${join(home, 'x.json')}`);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /profile:APP\/PROFILE/);
  });
});
