/**
 * Conformance cases of the audit outbox (audit-outbox-rows.ts): events kept with the writes
 * they record until the trail has chained them, sealed so a forged or changed one is told apart.
 */
import assert from 'node:assert/strict';
import type { AuditOutboxRow } from '../../../src/storage/storage.js';
import type { Exercise } from './exercise.js';

const row = (id: string, createdAt: number): AuditOutboxRow => ({
  eventId: id,
  createdAt,
  record: `{"eventID":"${id}"}`,
  names: '[]',
});

export function auditOutboxCases(exercise: Exercise): void {
  exercise('keeps outbox rows until they are deleted, oldest first, up to a time', async ({ storage }) => {
    assert.deepEqual(await storage.listAuditOutbox(Number.MAX_SAFE_INTEGER, 10), []);
    await storage.transaction(async (tx) => {
      await tx.insertAuditOutbox(row('b', 2000));
      await tx.insertAuditOutbox(row('a', 1000));
      await tx.insertAuditOutbox(row('c', 3000));
    });
    assert.deepEqual(await storage.listAuditOutbox(5000, 10), [
      { ...row('a', 1000), intact: true },
      { ...row('b', 2000), intact: true },
      { ...row('c', 3000), intact: true },
    ]);
    assert.deepEqual(
      (await storage.listAuditOutbox(2000, 10)).map((r) => r.eventId),
      ['a', 'b'],
      'created at the time counts',
    );
    assert.deepEqual(
      (await storage.listAuditOutbox(5000, 1)).map((r) => r.eventId),
      ['a'],
    );
    assert.equal(await storage.transaction((tx) => tx.deleteAuditOutbox(['a', 'c', 'missing'])), 2);
    assert.deepEqual(
      (await storage.listAuditOutbox(5000, 10)).map((r) => r.eventId),
      ['b'],
    );
    assert.equal(await storage.transaction((tx) => tx.deleteAuditOutbox([])), 0);
  });

  exercise("deletes many outbox rows at once, past one statement's parameters", async ({ storage }) => {
    const ids = Array.from({ length: 1200 }, (_, i) => `e${i}`);
    await storage.transaction(async (tx) => {
      for (const [i, id] of ids.entries()) await tx.insertAuditOutbox(row(id, i));
    });
    assert.equal(await storage.transaction((tx) => tx.deleteAuditOutbox(ids)), 1200);
    assert.deepEqual(await storage.listAuditOutbox(Number.MAX_SAFE_INTEGER, 10), []);
  });

  exercise('goes with the write it records: a transaction that fails leaves no outbox row', async ({ storage }) => {
    await assert.rejects(
      storage.transaction(async (tx) => {
        await tx.insertAuditOutbox(row('lost', 1));
        throw new Error('the write failed');
      }),
    );
    assert.deepEqual(await storage.listAuditOutbox(10, 10), []);
    await assert.rejects(
      storage.transaction(async (tx) => {
        await tx.insertAuditOutbox(row('twice', 1));
        await tx.insertAuditOutbox(row('twice', 2));
      }),
      'an event id is kept once',
    );
  });

  exercise("reports an outbox row changed or forged behind Coffer's back as not intact", async ({ storage, raw }) => {
    await storage.transaction(async (tx) => {
      await tx.insertAuditOutbox(row('kept', 1));
      await tx.insertAuditOutbox(row('changed', 2));
    });
    await raw(
      `UPDATE audit_outbox SET record = '{"eventID":"forged"}' WHERE event_id = 'changed'; INSERT INTO audit_outbox ` +
        `(event_id, created_at, record, names) VALUES ('forged', 3, '{}', '[]')`,
    );
    assert.deepEqual(
      (await storage.listAuditOutbox(10, 10)).map((r) => [r.eventId, r.intact]),
      [
        ['kept', true],
        ['changed', false],
        ['forged', false],
      ],
    );
  });
}
