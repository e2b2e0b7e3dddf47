/**
 * What every profile store does, whatever it is built on: one suite, run against the file store
 * and against Parameter Store on a real `coffer serve`. Each case uses an app of its own.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ProfileError, type ProfilesOptions, type ProfileStore } from '../../../src/client/index.js';
import { expectError } from '../../helpers/expect-error.js';

/** Makes a store for `app` (options such as `secureFields` passed through). */
export type StoreMaker = (app: string, options?: Partial<ProfilesOptions>) => ProfileStore;

let counter = 0;
const uniqueApp = (label: string) => `conf-${label}-${process.pid}-${++counter}`;
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

export function profileStoreConformance(make: StoreMaker): void {
  it('writes, reads, lists, checks and deletes profiles', async () => {
    const store = make(uniqueApp('crud'));
    assert.equal(await store.exists('dev'), false, 'a missing profile does not exist');
    assert.deepEqual(await store.list(), []);
    await expectError(store.read('dev'), 'ProfileNotFound', /profile dev not found/);
    await expectError(store.readRaw('dev'), 'ProfileNotFound');

    const written = await store.write('dev', { db: { host: 'localhost', port: 5432 }, tags: ['a'] });
    assert.deepEqual(written.warnings, []);
    await store.write('base', { db: { host: 'db.internal' } });
    assert.equal(await store.exists('dev'), true);
    assert.deepEqual(await store.list(), ['base', 'dev']);

    const read = await store.read('dev');
    assert.deepEqual(read.db, { host: 'localhost', port: 5432 });
    assert.deepEqual(read.tags, ['a']);
    const raw = await store.readRaw('dev');
    assert.equal(raw.version, written.version);
    assert.deepEqual(raw.document.db, { host: 'localhost', port: 5432 });

    assert.equal(await store.delete('dev'), true);
    assert.equal(await store.delete('dev'), false);
    assert.equal(await store.exists('dev'), false);
    assert.deepEqual(await store.list(), ['base']);
  });

  it('lists every profile, sorted, across pages', async () => {
    const store = make(uniqueApp('list'));
    const names = Array.from({ length: 13 }, (_, i) => `p${String(i).padStart(2, '0')}`).reverse();
    for (const name of names) await store.write(name, { n: name });
    assert.deepEqual(await store.list(), [...names].sort());
  });

  it('keeps _metadata.created and updates _metadata.modified', async () => {
    const store = make(uniqueApp('meta'));
    await store.write('dev', { a: 1 });
    const first = (await store.readRaw('dev')).document._metadata as { created: string; modified: string };
    assert.match(first.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(first.modified, first.created);
    await tick();
    await store.write('dev', { a: 2, _metadata: { created: '1999-01-01T00:00:00.000Z' } });
    const second = (await store.readRaw('dev')).document._metadata as { created: string; modified: string };
    assert.equal(second.created, first.created, 'created is kept from the stored document');
    assert.ok(second.modified > first.modified, 'modified moves on');
    assert.deepEqual((await store.read('dev'))._metadata, second);
  });

  it('refuses documents that are not JSON objects and names that leave the app', async () => {
    const store = make(uniqueApp('invalid'));
    for (const bad of [null, [1, 2], 'text', 42, new Date()]) {
      await expectError(store.write('dev', bad), 'ProfileInvalid', /not a JSON object/);
    }
    for (const name of ['../x', 'a/b', '', '.hidden', 'file:x']) {
      await expectError(store.write(name, {}), 'ProfileInvalid');
    }
    assert.equal(await store.exists('dev'), false);
  });

  it('resolves _inherits by deep merge: child wins, arrays replace, objects merge', async () => {
    const store = make(uniqueApp('inherit'));
    await store.write('base', {
      db: { host: 'db.internal', port: 5432, options: { ssl: true, pool: 5 } },
      hosts: ['a', 'b', 'c'],
      region: 'us-east-1',
    });
    await store.write('staging', { _inherits: 'base', db: { options: { pool: 10 } }, region: 'eu-west-1' });
    await store.write('dev', { _inherits: 'staging', db: { host: 'localhost' }, hosts: ['z'], debug: true });
    const dev = await store.read('dev');
    assert.deepEqual(dev.db, { host: 'localhost', port: 5432, options: { ssl: true, pool: 10 } });
    assert.deepEqual(dev.hosts, ['z']);
    assert.equal(dev.region, 'eu-west-1');
    assert.equal(dev.debug, true);
    assert.equal(dev._inherits, 'staging', "_inherits is the child's");
    assert.deepEqual(dev._metadata, (await store.readRaw('dev')).document._metadata, "_metadata is the child's");
    const base = await store.read('base');
    assert.equal(Object.hasOwn(base, '_inherits'), false);
    // The raw document is unresolved.
    assert.equal((await store.readRaw('dev')).document.region, undefined);
  });

  it('names the chain of a cycle and of a missing parent', async () => {
    const store = make(uniqueApp('cycle'));
    await store.write('dev', { _inherits: 'base' });
    await expectError(
      store.read('dev'),
      'ProfileInheritanceError',
      'profile dev inherits missing profile base (chain: dev -> base)',
    );
    await store.write('base', { _inherits: 'dev' });
    const error = await expectError(store.read('dev'), 'ProfileInheritanceError', 'profile cycle: dev -> base -> dev');
    assert.ok(error instanceof ProfileError);
    await store.write('self', { _inherits: 'self' });
    await expectError(store.read('self'), 'ProfileInheritanceError', 'profile cycle: self -> self');
    await store.write('odd', { _inherits: 42 });
    await expectError(store.read('odd'), 'ProfileInheritanceError', /_inherits must be a profile name/);
  });

  it('redacts secure fields from the options and from the _schema profile', async () => {
    const store = make(uniqueApp('redact'), { secureFields: ['db.password'] });
    const document = { db: { host: 'h', password: 'hunter2-real' }, api: { key: 'k-123' }, other: 1 };
    assert.deepEqual(await store.redact(document), { ...document, db: { host: 'h', password: '********' } });
    await store.setSecureFields(['api.key', 'absent.field']);
    assert.deepEqual(await store.secureFields(), ['absent.field', 'api.key', 'db.password']);
    const redacted = await store.redact(document);
    assert.deepEqual(redacted, { db: { host: 'h', password: '********' }, api: { key: '********' }, other: 1 });
    assert.equal(document.db.password, 'hunter2-real', 'the original is untouched');
    assert.equal(Object.hasOwn(redacted, 'absent'), false, 'a secure field that is not there is not added');
    assert.deepEqual(await store.list(), [], '_schema is not a profile');
    assert.deepEqual((await store.readRaw('_schema')).document.secure_fields, ['api.key', 'absent.field']);
    // Another store of the same app sees the schema's fields.
    assert.deepEqual(await make(store.app).secureFields(), ['absent.field', 'api.key']);
  });

  it('warns about secure fields written empty or as placeholders, naming the field and not the value', async () => {
    const store = make(uniqueApp('warn'), { secureFields: ['db.password', 'api.key', 'api.token', 'x.y'] });
    const { warnings } = await store.write('dev', {
      db: { password: 'ChangeMe' },
      api: { key: '', token: 'a-real-token-value' },
      x: { y: ' TODO ' },
    });
    assert.equal(warnings.length, 3);
    assert.ok(warnings.some((w) => w.includes('db.password')));
    assert.ok(warnings.some((w) => w.includes('api.key') && /empty/.test(w)));
    assert.ok(warnings.some((w) => w.includes('x.y')));
    for (const w of warnings) assert.doesNotMatch(w, /changeme|todo|a-real-token/i);
    for (const placeholder of ['password', 'XXX', '********']) {
      const again = await store.write('dev', { db: { password: placeholder } });
      assert.equal(again.warnings.length, 1, placeholder);
    }
    assert.deepEqual((await store.write('dev', { db: { password: 's3cr3t-value' } })).warnings, []);
  });

  it('compare-and-set: of two writers from the same version one wins, the other gets ProfileConflict', async () => {
    const store = make(uniqueApp('cas'));
    const other = make(store.app);
    await store.write('dev', { owner: 'first' });
    const { version } = await store.readRaw('dev');
    const a = await store.write('dev', { owner: 'alice' }, { expectedVersion: version });
    const error = await expectError(
      other.write('dev', { owner: 'bob' }, { expectedVersion: version }),
      'ProfileConflict',
      `profile dev changed: you read version ${version}, it is now version ${a.version}`,
    );
    assert.equal((error as ProfileError).expectedVersion, version);
    assert.equal((error as ProfileError).actualVersion, a.version);
    assert.equal((await other.read('dev')).owner, 'alice', "the winner's write is not lost");
    // Bob reads again and succeeds.
    const fresh = await other.readRaw('dev');
    await other.write('dev', { owner: 'bob' }, { expectedVersion: fresh.version });
    assert.equal((await store.read('dev')).owner, 'bob');
  });

  it('compare-and-set with version 0 or null: only when the profile does not exist yet', async () => {
    const store = make(uniqueApp('create'));
    const created = await store.write('dev', { n: 1 }, { expectedVersion: 0 });
    await expectError(store.write('dev', { n: 2 }, { expectedVersion: 0 }), 'ProfileConflict', /you read version 0/);
    await expectError(store.write('dev', { n: 3 }, { expectedVersion: null }), 'ProfileConflict');
    assert.equal((await store.read('dev')).n, 1);
    await store.delete('dev');
    await expectError(
      store.write('dev', { n: 4 }, { expectedVersion: created.version }),
      'ProfileConflict',
      /it is now version 0/,
    );
    assert.equal(await store.exists('dev'), false);
  });

  it('compare-and-set under concurrency: two writes racing from one version, exactly one lands', async () => {
    const store = make(uniqueApp('race'));
    const other = make(store.app);
    await store.write('dev', { owner: 'first' });
    const { version } = await store.readRaw('dev');
    const results = await Promise.allSettled([
      store.write('dev', { owner: 'alice' }, { expectedVersion: version }),
      other.write('dev', { owner: 'bob' }, { expectedVersion: version }),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(won.length, 1, `exactly one writer wins: ${lost.map((r) => String(r.reason)).join('; ')}`);
    assert.equal((lost[0]!.reason as ProfileError).code, 'ProfileConflict');
    const winner = results[0]!.status === 'fulfilled' ? 'alice' : 'bob';
    assert.equal((await store.read('dev')).owner, winner);
  });
}
