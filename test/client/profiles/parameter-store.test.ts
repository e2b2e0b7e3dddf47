/**
 * Profiles in Parameter Store, on a real `coffer serve`: the shared conformance suite, then what
 * only Parameter Store does: one SecureString per profile at `{prefix}/{app}/{profile}`, the
 * Advanced tier past 4 KB and ProfileTooLarge past 8 KB, the server's own compare-and-set
 * (`x-coffer-expected-version`), and inheritance across a file parent and a Parameter Store child.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  DescribeParametersCommand,
  GetParameterCommand,
  PutParameterCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import {
  ParameterStoreProfileBackend,
  type ProfileError,
  type ProfileStore,
  type ProfilesOptions,
  profiles,
  type StoredProfile,
  withExpectedVersion,
} from '../../../src/client/index.js';
import { expectError } from '../../helpers/expect-error.js';
import { ROOT, type RunningServer, startServer } from '../../helpers/server-process.js';
import { profileStoreConformance } from './profile-conformance.js';

describe('profiles in Parameter Store', () => {
  let server: RunningServer;
  let ssm: SSMClient;
  let home: string;
  const stores: ProfileStore[] = [];
  const make = (app: string, options: Partial<ProfilesOptions> = {}) => {
    const store = profiles(app, {
      store: 'parameter-store',
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials: ROOT,
      env: { XDG_CONFIG_HOME: home },
      ...options,
    });
    stores.push(store);
    return store;
  };

  before(async () => {
    server = await startServer();
    ssm = server.client();
    home = mkdtempSync(join(tmpdir(), 'coffer-profiles-ps-'));
  });
  after(async () => {
    for (const store of stores) store.close();
    await server.stop();
    rmSync(home, { recursive: true, force: true });
  });

  describe('conformance', () => {
    profileStoreConformance((app, options) => make(app, options));
  });

  it('stores each profile as one SecureString parameter /{app}/{profile} holding its JSON', async () => {
    const store = make('ps-layout');
    const { version } = await store.write('sales', { quilt: { catalog: 'demo' } });
    assert.equal(version, 1);
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: '/ps-layout/sales', WithDecryption: true }));
    assert.equal(Parameter?.Type, 'SecureString');
    assert.deepEqual(JSON.parse(Parameter!.Value!).quilt, { catalog: 'demo' });
    assert.equal((await store.write('sales', { quilt: { catalog: 'prod' } })).version, 2);
    assert.equal((await store.readRaw('sales')).version, 2);
    // A change made elsewhere is read at once: profiles are not cached.
    const value = JSON.stringify({ quilt: { catalog: 'elsewhere' } });
    await ssm.send(
      new PutParameterCommand({ Name: '/ps-layout/sales', Value: value, Type: 'SecureString', Overwrite: true }),
    );
    assert.equal(((await store.read('sales')).quilt as { catalog: string }).catalog, 'elsewhere');
  });

  it('puts the prefix (option or COFFER_PROFILE_PREFIX) before /{app}', async () => {
    await make('ps-prefix', { prefix: '/team' }).write('dev', { a: 1 });
    await make('ps-prefix', { env: { COFFER_PROFILE_PREFIX: '/env-team/' } }).write('dev', { a: 2 });
    for (const [name, a] of [
      ['/team/ps-prefix/dev', 1],
      ['/env-team/ps-prefix/dev', 2],
    ] as const) {
      const { Parameter } = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
      assert.equal(JSON.parse(Parameter!.Value!).a, a);
    }
    assert.deepEqual(await make('ps-prefix', { prefix: '/team' }).list(), ['dev']);
    assert.equal(await make('ps-prefix').exists('dev'), false);
  });

  it('writes the Advanced tier past 4 KB and refuses past 8 KB with ProfileTooLarge', async () => {
    const store = make('ps-size');
    const tierOf = async (name: string) =>
      (
        await ssm.send(
          new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: [name] }] }),
        )
      ).Parameters?.[0]?.Tier;
    await store.write('small', { blob: 'x'.repeat(3000) });
    assert.equal(await tierOf('/ps-size/small'), 'Standard');
    await store.write('big', { blob: 'x'.repeat(5000) });
    assert.equal(await tierOf('/ps-size/big'), 'Advanced');
    assert.equal(((await store.read('big')).blob as string).length, 5000);
    const error = await expectError(store.write('huge', { blob: 'x'.repeat(9000) }), 'ProfileTooLarge', /8192/);
    assert.doesNotMatch(error.message, /xxxx/);
    assert.equal(await store.exists('huge'), false);
    // An Advanced profile that shrinks stays writable.
    await store.write('big', { blob: 'small again' });
    assert.equal((await store.read('big')).blob, 'small again');
  });

  it('the server refuses PutParameter with a stale x-coffer-expected-version (ParameterVersionConflict)', async () => {
    const name = '/ps-header/dev';
    await ssm.send(new PutParameterCommand({ Name: name, Value: '{}', Type: 'SecureString' }));
    await ssm.send(new PutParameterCommand({ Name: name, Value: '{"a":1}', Type: 'SecureString', Overwrite: true }));
    const stale = withExpectedVersion(
      new PutParameterCommand({ Name: name, Value: '{"lost":true}', Type: 'SecureString', Overwrite: true }),
      1,
    );
    await assert.rejects(ssm.send(stale), {
      name: 'ParameterVersionConflict',
      message: /expected version 1, found version 2/,
    });
    const absent = withExpectedVersion(
      new PutParameterCommand({ Name: name, Value: '{"lost":true}', Type: 'SecureString', Overwrite: true }),
      0,
    );
    await assert.rejects(ssm.send(absent), {
      name: 'ParameterVersionConflict',
      message: /expected version 0, found version 2/,
    });
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    assert.equal(Parameter?.Value, '{"a":1}', 'nothing was lost');
    const current = withExpectedVersion(
      new PutParameterCommand({ Name: name, Value: '{"a":2}', Type: 'SecureString', Overwrite: true }),
      2,
    );
    assert.equal((await ssm.send(current)).Version, 3);
  });

  it("maps the server's ParameterVersionConflict to ProfileConflict (a writer whose read went stale)", async () => {
    // A backend whose own read is stale: only the server's check of the header can catch the write.
    class StaleRead extends ParameterStoreProfileBackend {
      stale: StoredProfile | undefined;
      override async read(app: string, profile: string): Promise<StoredProfile | undefined> {
        return this.stale ?? super.read(app, profile);
      }
    }
    const backend = new StaleRead({ endpoint: server.endpoint, region: 'us-east-1', credentials: ROOT });
    try {
      await backend.write('ps-stale', 'dev', () => ({ owner: 'first' }), undefined);
      backend.stale = await backend.read('ps-stale', 'dev');
      await backend.write('ps-stale', 'dev', () => ({ owner: 'alice' }), undefined);
      const error = await expectError(
        backend.write('ps-stale', 'dev', () => ({ owner: 'bob' }), 1),
        'ProfileConflict',
        'profile dev changed: you read version 1, it is now version 2',
      );
      assert.equal((error as ProfileError).actualVersion, 2);
      backend.stale = undefined;
      assert.equal((await backend.read('ps-stale', 'dev'))?.document.owner, 'alice', 'nothing was lost');
    } finally {
      backend.close();
    }
  });

  it('resolves inheritance across stores: a Parameter Store child over a file parent', async () => {
    const files = profiles('ps-cross', { store: 'file', env: { XDG_CONFIG_HOME: home } });
    await files.write('base', { db: { host: 'db.internal', port: 5432 }, hosts: ['a', 'b'] });
    const store = make('ps-cross');
    await store.write('dev', { _inherits: 'file:base', db: { host: 'localhost' } });
    const dev = await store.read('dev');
    assert.deepEqual(dev.db, { host: 'localhost', port: 5432 });
    assert.deepEqual(dev.hosts, ['a', 'b']);
    assert.equal(dev._inherits, 'file:base');
    // And back: a file profile over a Parameter Store parent, which inherits from a file profile.
    await store.write('shared', { _inherits: 'file:base', region: 'eu-west-1' });
    await files.write('local', { _inherits: 'parameter-store:shared', debug: true });
    const crossFiles = profiles('ps-cross', {
      store: 'file',
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials: ROOT,
      env: { XDG_CONFIG_HOME: home },
    });
    stores.push(crossFiles);
    const local = await crossFiles.read('local');
    assert.deepEqual(local.db, { host: 'db.internal', port: 5432 });
    assert.equal(local.region, 'eu-west-1');
    assert.equal(local.debug, true);
    // The same name in two stores is two profiles; a cycle through both is still a cycle.
    await files.write('loop', { _inherits: 'parameter-store:loop' });
    await store.write('loop', { _inherits: 'file:loop' });
    await expectError(
      store.read('loop'),
      'ProfileInheritanceError',
      'profile cycle: loop -> file:loop -> parameter-store:loop',
    );
    await store.write('gone', { _inherits: 'file:nowhere' });
    await expectError(
      store.read('gone'),
      'ProfileInheritanceError',
      'profile gone inherits missing profile file:nowhere (chain: gone -> file:nowhere)',
    );
  });

  it('reports a store failure as ProfileStoreError with the store code', async () => {
    const store = make('ps-denied', { credentials: { accessKeyId: 'AKIANOSUCHKEY0000000', secretAccessKey: 'nope' } });
    const error = await expectError(store.read('dev'), 'ProfileStoreError');
    assert.ok((error as { storeCode?: string }).storeCode);
  });
});
