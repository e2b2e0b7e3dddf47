/**
 * Conformance cases of the audit trail's storage (audit-storage.ts, audit-rows.ts): the event
 * chain, the resources each event touched, every LookupEvents filter, finding an event by id,
 * read activity, digests, pruning, and the chain lock.
 */
import assert from 'node:assert/strict';
import type {
  AuditAttribute,
  AuditDigestRow,
  AuditEventQuery,
  AuditEventRow,
  AuditIndexRow,
  AuditResourceRow,
} from '../../../src/storage/audit-rows.js';
import type { AuditStorage } from '../../../src/storage/audit-storage.js';
import { testRowAuthenticator } from '../../helpers/row-authenticator.js';
import type { AuditExercise } from './exercise.js';
import { event, scope, sorted } from './fixtures.js';

const parameter = (name: string): AuditResourceRow => ({
  type: 'AWS::SSM::Parameter',
  name,
  arn: `arn:aws:ssm:eu-west-1:${scope.account}:parameter${name}`,
});
const secret: AuditResourceRow = {
  type: 'AWS::SecretsManager::Secret',
  name: 'app/db',
  arn: `arn:aws:secretsmanager:eu-west-1:${scope.account}:secret:app/db-AbCdEf`,
};

/** Four events: a read of two parameters, a denied write, a secret read in another account, an STS call without
 * resources. */
const EVENTS: readonly [AuditEventRow, AuditResourceRow[], string | null][] = [
  [event(1), [parameter('/app/db'), parameter('/app/web')], 'arn:ann'],
  [
    event(2, {
      eventName: 'PutParameter',
      readOnly: false,
      username: 'bob',
      accessKeyId: 'AKIABOB',
      errorCode: 'AccessDenied',
    }),
    [parameter('/app/web')],
    'arn:bob',
  ],
  [
    event(3, {
      eventSource: 'secretsmanager.amazonaws.com',
      eventName: 'GetSecretValue',
      account: '222222222222',
      accessKeyId: 'AKIAANN2',
    }),
    [secret],
    'arn:ann',
  ],
  [
    event(4, { eventSource: 'sts.amazonaws.com', eventName: 'GetCallerIdentity', username: null, accessKeyId: null }),
    [],
    null,
  ],
];

/** The index rows of an event's resources, as the engine would build them from its resources column. */
const indexRows = (
  row: AuditEventRow,
  resources: readonly AuditResourceRow[],
  principal: string | null,
): AuditIndexRow[] =>
  resources.map((r, position) => ({
    ...r,
    seq: row.seq,
    position,
    eventTime: row.eventTime,
    principal,
    readOnly: row.readOnly,
    succeeded: row.errorCode === null,
  }));

/** Appends the events, each with its principal and an opaque resources column, and indexes their resources. */
async function append(
  storage: AuditStorage,
  events: readonly (readonly [AuditEventRow, readonly AuditResourceRow[], string | null])[] = EVENTS,
): Promise<void> {
  await storage.transaction(async (tx) => {
    await tx.lockChain();
    for (const [row, resources, principal] of events) {
      await tx.insertEvent({ ...row, principal, resources: resources.length ? `resources of ${row.seq}` : null });
    }
    await tx.insertIndexRows(events.flatMap(([row, resources, principal]) => indexRows(row, resources, principal)));
  });
}

const seqs = (events: readonly { seq: number }[]) => events.map((e) => e.seq);

/** Each LookupEvents attribute, with values and the events each selects: the type demands every attribute. */
const ATTRIBUTE_CASES: Record<AuditAttribute, [value: string, expected: number[]][]> = {
  EventId: [
    ['event-2', [2]],
    ['event-9', []],
  ],
  EventName: [
    ['GetParameter', [1]],
    ['GetSecretValue', [3]],
  ],
  ReadOnly: [
    ['true', [1, 3, 4]],
    ['false', [2]],
  ],
  Username: [
    ['ann', [1, 3]],
    ['bob', [2]],
  ],
  ResourceType: [
    ['AWS::SSM::Parameter', [1, 2]],
    ['AWS::SecretsManager::Secret', [3]],
  ],
  // By name, with or without a parameter's leading slash, or by ARN.
  ResourceName: [
    ['/app/web', [1, 2]],
    ['app/web', [1, 2]],
    ['/app/db', [1, 3]],
    [secret.arn, [3]],
    ['/app', []],
  ],
  EventSource: [
    ['sts.amazonaws.com', [4]],
    ['ssm.amazonaws.com', [1, 2]],
  ],
  AccessKeyId: [
    ['AKIABOB', [2]],
    ['AKIAANN', [1]],
  ],
};

function digest(digestNo: number, extra: Partial<AuditDigestRow> = {}): AuditDigestRow {
  return {
    digestNo,
    kind: 'digest',
    createdAt: 100 * digestNo,
    firstSeq: 10 * digestNo - 9,
    lastSeq: 10 * digestNo,
    headHash: `hash-${10 * digestNo}`,
    previousHash: digestNo === 1 ? '0'.repeat(64) : `digest-${digestNo - 1}`,
    signature: `sig-${digestNo}`,
    ...extra,
  };
}

export function auditCases(exercise: AuditExercise): void {
  exercise('appends events and reads back the head and each event whole', async ({ storage }) => {
    assert.equal(await storage.head(), undefined);
    assert.deepEqual(await storage.listEvents({ descending: true, limit: 10 }), []);
    await append(storage);
    assert.deepEqual(await storage.head(), { seq: 4, hash: 'hash-4', eventTime: EVENTS[3]![0].eventTime });
    const [first] = await storage.listEvents({ descending: false, limit: 1 });
    assert.deepEqual(first, { ...EVENTS[0]![0], principal: 'arn:ann', resources: 'resources of 1', intact: true });
    assert.deepEqual(
      (await storage.listEvents({ descending: false, limit: 10 })).map((e) => [
        e.seq,
        e.readOnly,
        e.errorCode,
        e.intact,
      ]),
      [
        [1, true, null, true],
        [2, false, 'AccessDenied', true],
        [3, true, null, true],
        [4, true, null, true],
      ],
    );
  });

  exercise('inserts an event once: a second with the same id is skipped, and says so', async ({ storage }) => {
    await append(storage);
    assert.equal(await storage.transaction((tx) => tx.insertEvent(event(5, { eventId: 'event-3' }))), false);
    assert.equal((await storage.head())?.seq, 4, 'the skipped event left nothing');
    assert.equal(await storage.transaction((tx) => tx.insertEvent(event(5))), true);
    await assert.rejects(
      storage.transaction((tx) => tx.insertEvent(event(5, { eventId: 'event-other' }))),
      'a seq is unique',
    );
  });

  exercise('makes every commit durable on asking, those that did not wait for the disk too', async ({ storage }) => {
    await storage.transaction((tx) => tx.insertEvent(event(1)), { sync: false });
    await storage.sync();
    await storage.sync();
    assert.equal((await storage.head())?.seq, 1);
  });

  exercise(
    'makes its tables once, however often it is migrated, and commits with or without waiting for the disk',
    async ({ storage }) => {
      await storage.migrate();
      await storage.migrate();
      await storage.transaction((tx) => tx.insertEvent(event(1)), { sync: false });
      await storage.transaction((tx) => tx.insertEvent(event(2)), { sync: true });
      assert.deepEqual(seqs(await storage.listEvents({ descending: false, limit: 10 })), [1, 2]);
    },
  );

  exercise(
    'seals no event before row integrity is set, and every one after',
    async ({ storage }) => {
      await assert.rejects(
        storage.transaction((tx) => tx.insertEvent(event(1))),
        /row integrity is not configured/,
      );
      storage.useIntegrity(testRowAuthenticator());
      await storage.transaction((tx) => tx.insertEvent(event(1)));
      assert.deepEqual(
        (await storage.listEvents({ descending: false, limit: 10 })).map((e) => e.intact),
        [true],
      );
    },
    { integrity: false },
  );

  exercise('closes: nothing is read after close', async ({ storage }) => {
    await storage.transaction((tx) => tx.insertEvent(event(1)));
    await storage.close();
    await assert.rejects(async () => storage.head());
  });

  exercise('rolls a transaction back whole when its work throws', async ({ storage }) => {
    await assert.rejects(
      storage.transaction(async (tx) => {
        await tx.insertEvent(event(1));
        throw new Error('stop');
      }),
      /stop/,
    );
    assert.equal(await storage.head(), undefined);
  });

  exercise(
    'lists events in either order, paged by seq, bounded by time, by account, by resource prefix and failures only',
    async ({ storage }) => {
      await append(storage);
      const list = async (query: Partial<AuditEventQuery>) =>
        seqs(await storage.listEvents({ descending: false, limit: 10, ...query }));
      assert.deepEqual(await list({}), [1, 2, 3, 4]);
      assert.deepEqual(await list({ descending: true }), [4, 3, 2, 1]);
      assert.deepEqual(await list({ descending: true, limit: 2 }), [4, 3]);
      assert.deepEqual(await list({ afterSeq: 1, beforeSeq: 4 }), [2, 3]);
      assert.deepEqual(await list({ startTime: 2000, endTime: 3000 }), [2, 3], 'time bounds are inclusive');
      assert.deepEqual(await list({ account: '222222222222' }), [3]);
      assert.deepEqual(await list({ account: scope.account }), [1, 2, 4]);
      assert.deepEqual(await list({ failedOnly: true }), [2]);
      assert.deepEqual(await list({ resourcePrefix: '/app/' }), [1, 2]);
      assert.deepEqual(await list({ resourcePrefix: '' }), [1, 2, 3, 4], 'an empty prefix selects everything');
      assert.deepEqual(
        await list({ descending: true, beforeSeq: 3, attribute: { name: 'Username', value: 'ann' } }),
        [1],
        'filters combine',
      );
    },
  );

  exercise('filters events by each LookupEvents attribute', async ({ storage }) => {
    await append(storage);
    for (const [name, cases] of Object.entries(ATTRIBUTE_CASES) as [AuditAttribute, [string, number[]][]][]) {
      for (const [value, expected] of cases) {
        const found = await storage.listEvents({ attribute: { name, value }, descending: false, limit: 10 });
        assert.deepEqual(seqs(found), expected, `${name} = ${value}`);
      }
    }
  });

  exercise(
    "reports an event row changed behind Coffer's back as not intact, instead of failing",
    async ({ storage, raw }) => {
      await append(storage);
      await raw(
        `UPDATE audit_events SET username = 'mallory' WHERE seq = 2; UPDATE audit_events SET mac = NULL WHERE seq = 3`,
      );
      const events = await storage.listEvents({ descending: false, limit: 10 });
      assert.deepEqual(
        events.map((e) => [e.seq, e.intact]),
        [
          [1, true],
          [2, false],
          [3, false],
          [4, true],
        ],
      );
      assert.equal(events[1]!.username, 'mallory', 'the changed row is returned as stored, for the verifier to report');
    },
  );

  exercise('lists the events with resources in a seq range, for the index to be built from', async ({ storage }) => {
    await append(storage);
    assert.deepEqual(
      await storage.transaction((tx) => tx.listUnindexed(0, 4)),
      [
        { seq: 1, eventTime: 1000, principal: 'arn:ann', readOnly: true, errorCode: null, resources: 'resources of 1' },
        {
          seq: 2,
          eventTime: 2000,
          principal: 'arn:bob',
          readOnly: false,
          errorCode: 'AccessDenied',
          resources: 'resources of 2',
        },
        { seq: 3, eventTime: 3000, principal: 'arn:ann', readOnly: true, errorCode: null, resources: 'resources of 3' },
      ],
      'event 4 has no resources',
    );
    assert.deepEqual(
      seqs(await storage.transaction((tx) => tx.listUnindexed(1, 2))),
      [2],
      'after the first, through the last',
    );
    assert.deepEqual(await storage.transaction((tx) => tx.listUnindexed(4, 10)), []);
  });

  exercise('inserts index rows many to a statement and lists them in name order, paged', async ({ storage }) => {
    const rows = Array.from({ length: 250 }, (_, i) =>
      indexRows(event(i + 1), [parameter(`/n/${String(i % 7)}`), secret], i % 2 ? 'arn:ann' : null),
    ).flat();
    await storage.transaction((tx) => tx.insertIndexRows(rows));
    const all: AuditIndexRow[] = [];
    for (
      let page = await storage.listIndexRows(undefined, 60);
      page.length > 0;
      page = await storage.listIndexRows(all.at(-1), 60)
    )
      all.push(...page);
    const key = (r: AuditIndexRow) => [r.name, String(r.seq).padStart(5, '0'), r.position].join(' ');
    assert.equal(all.length, 500);
    assert.deepEqual(all.map(key), rows.map(key).sort(), 'by name, then seq, then position');
    assert.deepEqual(
      all.find((r) => r.seq === 2 && r.position === 1),
      rows.find((r) => r.seq === 2 && r.position === 1),
      'every column back as written',
    );
  });

  exercise('keeps how far the index is built, 0 before it is', async ({ storage }) => {
    assert.equal(await storage.indexedThrough(), 0);
    await storage.transaction((tx) => tx.setIndexedThrough(7));
    assert.equal(await storage.indexedThrough(), 7);
    await storage.transaction((tx) => tx.setIndexedThrough(12));
    assert.equal(await storage.indexedThrough(), 12);
  });

  exercise(
    'reports an event whose integer columns were rewritten as text reading as the same numbers as not intact (SQLite)',
    async ({ storage, raw, backend }) => {
      if (backend !== 'sqlite') return;
      await append(storage);
      await raw(
        `UPDATE audit_events SET event_time = '0x' || printf('%x', event_time) WHERE seq = 2; UPDATE audit_events ` +
          `SET read_only = '0x1' WHERE seq = 3`,
      );
      const events = await storage.listEvents({ descending: false, limit: 10 });
      assert.deepEqual(
        events.map((e) => [e.seq, e.intact]),
        [
          [1, true],
          [2, false],
          [3, false],
          [4, true],
        ],
      );
    },
  );

  exercise('finds the last event at or before a time', async ({ storage }) => {
    assert.equal(await storage.transaction((tx) => tx.lastEventBefore(10_000)), undefined);
    await append(storage);
    await storage.transaction(async (tx) => {
      assert.deepEqual(await tx.lastEventBefore(2500), { seq: 2, hash: 'hash-2' });
      assert.deepEqual(await tx.lastEventBefore(4000), { seq: 4, hash: 'hash-4' }, 'at the time counts');
      assert.equal(await tx.lastEventBefore(999), undefined);
    });
  });

  exercise('deletes events through a seq with their resources, keeping the rest of the chain', async ({ storage }) => {
    await append(storage);
    assert.equal(await storage.transaction((tx) => tx.deleteEventsThrough(2)), 2);
    assert.deepEqual(seqs(await storage.listEvents({ descending: false, limit: 10 })), [3, 4]);
    assert.deepEqual(
      seqs(
        await storage.listEvents({
          attribute: { name: 'ResourceName', value: '/app/web' },
          descending: false,
          limit: 10,
        }),
      ),
      [],
    );
    assert.deepEqual(
      (await storage.readActivity('222222222222', '', 0, 0)).map((r) => [r.name, r.principal, r.reads]),
      [['app/db', 'arn:ann', 1]],
      "the deleted events' resources count no more reads",
    );
    assert.deepEqual(await storage.head(), { seq: 4, hash: 'hash-4', eventTime: EVENTS[3]![0].eventTime });
    assert.equal(await storage.transaction((tx) => tx.deleteEventsThrough(2)), 0);
  });

  exercise('stores digests and checkpoints in order and finds the last', async ({ storage }) => {
    assert.equal(await storage.lastDigest(), undefined);
    await storage.transaction(async (tx) => {
      await tx.insertDigest(digest(1, { kind: 'checkpoint' }));
      await tx.insertDigest(digest(2));
      await tx.insertDigest(digest(3));
    });
    assert.deepEqual(await storage.listDigests(0, 10), [digest(1, { kind: 'checkpoint' }), digest(2), digest(3)]);
    assert.deepEqual(await storage.listDigests(1, 1), [digest(2)]);
    assert.deepEqual(await storage.listDigests(3, 10), []);
    assert.deepEqual(await storage.lastDigest(), digest(3));
    await assert.rejects(
      storage.transaction((tx) => tx.insertDigest(digest(3))),
      'a digest number is unique',
    );
  });

  exercise('counts successful reads per resource and principal since a time, by name prefix', async ({ storage }) => {
    const read = (seq: number, name: string, principal: string, extra: Partial<AuditEventRow> = {}) =>
      [event(seq, extra), [parameter(name)], principal] as const;
    await append(storage, [
      read(1, '/app/db', 'arn:ann'),
      read(2, '/app/db', 'arn:ann'),
      read(3, '/app/db', 'arn:bob'),
      read(4, '/app/db', 'arn:bob', { errorCode: 'AccessDenied' }),
      read(5, '/app/db', 'arn:ann', { readOnly: false, eventName: 'PutParameter' }),
      read(6, '/other/x', 'arn:ann'),
      read(7, '/app/db', 'arn:ann'),
    ]);
    const activity = async (prefix: string, since: number, recentSince: number) =>
      sorted(await storage.readActivity(scope.account, prefix, since, recentSince), (r) => `${r.name} ${r.principal}`);
    assert.deepEqual(
      await activity('/app/', 1500, 2500),
      [
        {
          type: 'AWS::SSM::Parameter',
          name: '/app/db',
          principal: 'arn:ann',
          reads: 2,
          recentReads: 1,
          lastRead: 7000,
        },
        {
          type: 'AWS::SSM::Parameter',
          name: '/app/db',
          principal: 'arn:bob',
          reads: 1,
          recentReads: 1,
          lastRead: 3000,
        },
      ],
      'failed reads and writes are not reads',
    );
    assert.deepEqual(
      (await activity('', 0, 0)).map((r) => [r.name, r.principal, r.reads]),
      [
        ['/app/db', 'arn:ann', 3],
        ['/app/db', 'arn:bob', 1],
        ['/other/x', 'arn:ann', 1],
      ],
    );
    assert.deepEqual(await activity('/none/', 0, 0), []);
    assert.deepEqual(await storage.readActivity('999999999999', '', 0, 0), [], "another account's reads are its own");
  });

  exercise('serialises appends to the chain that take the chain lock', async ({ storage }) => {
    await Promise.all(
      Array.from({ length: 10 }, () =>
        storage.transaction(async (tx) => {
          await tx.lockChain();
          const head = await tx.head();
          await new Promise((resolve) => setImmediate(resolve));
          const seq = (head?.seq ?? 0) + 1;
          await tx.insertEvent(event(seq, { prevHash: head?.hash ?? 'genesis' }));
        }),
      ),
    );
    const chain = await storage.listEvents({ descending: false, limit: 20 });
    assert.deepEqual(seqs(chain), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.deepEqual(
      chain.map((e) => e.prevHash),
      ['genesis', ...chain.slice(0, -1).map((e) => e.hash)],
    );
  });
}
