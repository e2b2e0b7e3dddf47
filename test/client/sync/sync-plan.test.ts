/**
 * Planning a sync: create, update, unchanged, delete or extra for each name, what differs, what
 * the destination cannot hold (notes, refusals), and dotenv's spelling of names.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  countActions,
  FileSyncStore,
  planDiffers,
  planFromEntries,
  planSync,
  type SyncEntry,
} from '../../../src/client/sync/index.js';
import { ALL, MemorySyncStore } from './memory-sync-store.js';

const TEXT = { ...ALL, binary: false, encrypted: false, types: false, description: false, tags: false, tier: false };

describe('sync plan', () => {
  it('never deletes what the source has but cannot copy, or could not read; never takes a prototype name', () => {
    const destination = { label: 'dst', capabilities: TEXT };
    const plan = planFromEntries(
      [
        { name: 'cert', value: new Uint8Array([1, 2]) },
        { name: '__proto__/polluted', value: 'x' },
        { name: 'kept', value: 'k' },
      ],
      [
        { name: 'cert', value: 'old' },
        { name: 'hidden', value: 'h' },
        { name: 'gone', value: 'g' },
        { name: 'kept', value: 'k' },
      ],
      destination,
      { delete: true, unreadable: ['hidden'], source: 'src' },
    );
    const actions = Object.fromEntries(plan.changes.map((c) => [c.name, c.action]));
    assert.deepEqual(actions, { kept: 'unchanged', gone: 'delete' });
    assert.deepEqual(plan.unsupported.map((u) => u.name).sort(), ['__proto__/polluted', 'cert', 'hidden']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('plans create, update, unchanged, and extra or delete by name', async () => {
    const source = new MemorySyncStore('src', [
      { name: 'new', value: 'n', type: 'String' },
      { name: 'same', value: 's', type: 'String', tags: {} },
      { name: 'changed', value: 'two', type: 'String' },
      { name: 'retagged', value: 'r', type: 'String', tags: { team: 'core' } },
    ]);
    const destination = new MemorySyncStore('dst', [
      { name: 'same', value: 's', type: 'String', tags: {} },
      { name: 'changed', value: 'one', type: 'String' },
      { name: 'retagged', value: 'r', type: 'String', tags: { team: 'old' } },
      { name: 'gone', value: 'g', type: 'String' },
    ]);
    const plan = await planSync(source, destination);
    const byName = Object.fromEntries(plan.changes.map((c) => [c.name, c]));
    assert.equal(byName.new!.action, 'create');
    assert.equal(byName.same!.action, 'unchanged');
    assert.deepEqual(byName.changed!.fields, ['value']);
    assert.deepEqual(byName.retagged!.fields, ['tags']);
    assert.equal(byName.gone!.action, 'extra');
    assert.deepEqual(countActions(plan), { create: 1, update: 2, unchanged: 1, delete: 0, extra: 1 });
    assert.ok(planDiffers(plan));
    const deleting = await planSync(source, destination, { delete: true });
    assert.equal(deleting.changes.find((c) => c.name === 'gone')!.action, 'delete');
  });

  it('is in sync when every entry is unchanged', async () => {
    const entries: SyncEntry[] = [{ name: 'a/b', value: 'x', type: 'SecureString' }];
    const plan = await planSync(new MemorySyncStore('s', entries), new MemorySyncStore('d', entries));
    assert.equal(planDiffers(plan), false);
  });

  it('reports what a file cannot hold, and refuses bytes where they cannot go', () => {
    const source: SyncEntry[] = [
      { name: 'pw', value: 'p', type: 'SecureString', description: 'the password', tags: { a: 'b' } },
      { name: 'list', value: 'a,b', type: 'StringList' },
      { name: 'cert', value: new Uint8Array([0, 255]) },
    ];
    const plan = planFromEntries(source, [], { label: 'file:x.env', capabilities: TEXT }, { source: 'ssm:/x' });
    const notes = Object.fromEntries(plan.changes.map((c) => [c.name, c.notes]));
    assert.deepEqual(notes.pw, ['stored unencrypted', 'description not kept', 'tags not kept']);
    assert.deepEqual(notes.list, ['StringList type not kept (stored as text)']);
    assert.deepEqual(plan.unsupported, [{ name: 'cert', reason: 'binary value: the destination cannot hold bytes' }]);
  });

  it('keeps a type the destination has when the source has none, and gives new entries the default', () => {
    const plan = planFromEntries(
      [
        { name: 'kept', value: 'v' },
        { name: 'new', value: 'v' },
      ],
      [{ name: 'kept', value: 'v', type: 'String' }],
      { label: 'ssm:/x', capabilities: ALL },
      { source: 'file:x.json' },
    );
    const [kept, created] = plan.changes;
    assert.deepEqual([kept!.name, kept!.action, kept!.source!.type], ['kept', 'unchanged', 'String']);
    assert.deepEqual([created!.name, created!.action, created!.source!.type], ['new', 'create', 'SecureString']);
  });

  it('does not carry a service managed key to another service', () => {
    const plan = planFromEntries(
      [{ name: 'pw', value: 'v', type: 'SecureString', keyId: 'alias/aws/ssm' }],
      [],
      { label: 'secretsmanager:x', capabilities: { ...ALL, types: false } },
      { source: 'ssm:/x' },
    );
    assert.equal(plan.changes[0]!.source!.keyId, undefined);
  });

  it('spells names as dotenv keys and refuses two names that become one key', () => {
    const dotenv = new FileSyncStore('/nonexistent/app.env');
    const plan = planFromEntries(
      [
        { name: 'db/url', value: 'a' },
        { name: 'db-url', value: 'b' },
        { name: 'api-key', value: 'c' },
      ],
      [{ name: 'api/key', value: 'c' }],
      dotenv,
      { source: 'ssm:/app' },
    );
    const apiKey = plan.changes.find((c) => c.name === 'api/key')!;
    assert.equal(apiKey.action, 'unchanged');
    assert.equal(apiKey.sourceName, 'api-key');
    assert.deepEqual(plan.unsupported, [{ name: 'db/url', reason: 'maps to db/url, as db-url does' }]);
  });
});
