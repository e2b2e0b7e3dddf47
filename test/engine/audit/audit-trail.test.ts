/**
 * The audit trail on each backend, below the wire: events chained in one sequence, a write and
 * its event committed together (in the store's outbox: a failed outbox write undoes the write),
 * events left in the outbox carried to the chain once and only once, the trail refusing requests
 * while the chain refuses events, signed digests, verify reporting the first event altered,
 * deleted or inserted in the store itself, retention pruning behind a signed checkpoint, and
 * service events committed with the actions they record.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openCoffer, type Coffer } from '../../../src/bootstrap/open-coffer.js';
import { chainHash, ledgerEntry } from '../../../src/engine/audit/audit-chain.js';
import type { AuditEvent } from '../../../src/engine/audit/audit-record.js';
import { AuditDraft, runWithDraft } from '../../../src/engine/audit/audit-scope.js';
import { serviceEvent } from '../../../src/engine/audit/service-events.js';
import { verifyChain, type ChainedEvent } from '../../../src/engine/audit/audit-verifier.js';
import { AuditLedger } from '../../../src/engine/audit/audit-ledger.js';
import { indexBatch } from '../../../src/engine/audit/audit-resource-index.js';
import type { AuditReader } from '../../../src/storage/audit-rows.js';
import type { AuditStorage } from '../../../src/storage/audit-storage.js';
import { BACKENDS, ctx, freshCoffer, rawAuditSql, rawSql } from '../../helpers/test-stores.js';

const DAY = 86_400_000;

function event(name: string, time = Date.now()): AuditEvent {
  // The trail stamps each event with the time it joins the chain; `time` is only the builder's.
  return serviceEvent(
    {
      source: 'ssm.amazonaws.com',
      name,
      account: ctx.account,
      region: ctx.region,
      arns: [`arn:aws:ssm:${ctx.region}:${ctx.account}:parameter/t/${name}`],
      details: { n: name },
    },
    time,
  );
}

/** Runs `test` on a fresh Coffer; `sql` runs SQL on its audit trail's storage, `storeSql` on the store's. */
async function withTrail(
  backend: (typeof BACKENDS)[number],
  test: (
    coffer: Coffer,
    sql: (text: string) => Promise<void>,
    storeSql: (text: string) => Promise<void>,
  ) => Promise<void>,
): Promise<void> {
  const { coffer, location, done } = await freshCoffer(backend);
  try {
    await test(
      coffer,
      (text) => rawAuditSql(location, text),
      (text) => rawSql(location, text),
    );
  } finally {
    await done();
  }
}

/** The trail's own rows (the ledger runs inline in these tests). */
const trailRows = (coffer: Coffer): AuditReader => coffer.auditStorage!;

/** Rows in the resource index as stored. */
async function indexRows(coffer: Coffer): Promise<number> {
  return (await trailRows(coffer).listIndexRows(undefined, 1000)).length;
}

async function* fromArray(events: ChainedEvent[]): AsyncGenerator<ChainedEvent> {
  yield* events;
}

for (const backend of BACKENDS) {
  describe(`audit trail: ${backend}`, () => {
    it('chains events in one sequence and verifies them, with and without a digest', async () =>
      withTrail(backend, async (coffer) => {
        for (let i = 0; i < 5; i++) await coffer.audit.record(event(`E${i}`));
        let report = await coffer.audit.verify();
        assert.equal(report.ok, true);
        assert.equal(report.events, 5);
        assert.equal(report.unsignedTail, 5);
        const digest = await coffer.audit.seal();
        assert.equal(digest?.lastSeq, 5);
        assert.equal(await coffer.audit.seal(), undefined, 'nothing new: no digest');
        report = await coffer.audit.verify();
        assert.deepEqual([report.ok, report.signedThrough, report.unsignedTail], [true, 5, 0]);
        const rows = await trailRows(coffer).listEvents({ descending: false, limit: 10 });
        assert.deepEqual(
          rows.map((r) => r.seq),
          [1, 2, 3, 4, 5],
        );
        for (const r of rows) assert.equal(r.hash, chainHash(r.seq, r.prevHash, r.record));
        assert.equal(rows[1]!.prevHash, rows[0]!.hash);
      }));

    it(
      'signs digest after digest from its head, signing what it wrote even if a row changed since (verify reports ' +
        'it), never a changed head',
      async () =>
        withTrail(backend, async (coffer, sql) => {
          for (let round = 0; round < 3; round++) {
            for (let i = 0; i < 3; i++) await coffer.audit.record(event(`R${round}E${i}`));
            const digest = await coffer.audit.seal();
            assert.deepEqual(
              [digest?.firstSeq, digest?.lastSeq],
              [3 * round + 1, 3 * round + 3],
              `digest ${round + 1}`,
            );
          }
          assert.deepEqual(await coffer.audit.verify().then((r) => [r.ok, r.signedThrough, r.digests]), [true, 9, 3]);
          // A row this process wrote, changed since: the digest signs the hash written (it reads
          // nothing back), and verify reports the row against it.
          await coffer.audit.record(event('Next'));
          await coffer.audit.record(event('Head'));
          await sql(`UPDATE audit_events SET username = 'mallory' WHERE seq = 10`);
          assert.equal((await coffer.audit.seal())?.lastSeq, 11);
          const report = await coffer.audit.verify();
          assert.deepEqual([report.ok, report.problem?.kind, report.problem?.seq], [false, 'inserted', 10]);
          // The head row itself is read back in the signing transaction: changed, nothing is signed.
          await coffer.audit.record(event('Last'));
          await sql(`UPDATE audit_events SET username = 'mallory' WHERE seq = 12`);
          await assert.rejects(coffer.audit.seal(), /changed while it was being checked/);
        }),
    );

    it(
      'reads back and checks the rows another process appended before signing them, refusing one that ' + 'fails',
      async () => {
        const { coffer, location, done } = await freshCoffer(backend);
        const other = await openCoffer(location.settings(), {});
        try {
          await coffer.audit.record(event('Mine'));
          await other.audit.record(event('Theirs'));
          assert.equal((await coffer.audit.seal())?.lastSeq, 2, 'checked, and sound');
          await other.audit.record(event('TheirsAgain'));
          await rawAuditSql(location, 'UPDATE audit_events SET mac = NULL WHERE seq = 3');
          await assert.rejects(coffer.audit.seal(), /not written by Coffer/);
        } finally {
          await other.close();
          await done();
        }
      },
    );

    it('commits a write and its event together: an outbox that refuses the event undoes the write', async () =>
      withTrail(backend, async (coffer, _sql, storeSql) => {
        const draft = new AuditDraft(() => event('PutParameter'));
        await runWithDraft(draft, () =>
          coffer.parameters.putParameter(ctx, { Name: '/t/together', Value: 'v', Type: 'String' }),
        );
        assert.equal(draft.appended?.record.eventName, 'PutParameter');
        await draft.carried;
        const [last] = await trailRows(coffer).listEvents({ descending: true, limit: 1 });
        assert.equal(last!.eventName, 'PutParameter', 'carried to the chain once committed');
        await coffer.audit.maintainOutbox(undefined);
        assert.deepEqual(
          await coffer.storage.listAuditOutbox(Number.MAX_SAFE_INTEGER, 10),
          [],
          'and its outbox row gone',
        );
        await storeSql(
          backend === 'sqlite'
            ? `CREATE TRIGGER outbox_refuses BEFORE INSERT ON audit_outbox BEGIN SELECT RAISE(ABORT, 'outbox ` +
                `refuses'); END`
            : `CREATE FUNCTION outbox_refuses() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'outbox refuses'; END $$
               LANGUAGE plpgsql;
           CREATE TRIGGER outbox_refuses BEFORE INSERT ON audit_outbox FOR EACH ROW EXECUTE FUNCTION outbox_refuses()`,
        );
        const refused = new AuditDraft(() => event('PutParameter'));
        await assert.rejects(
          runWithDraft(refused, () =>
            coffer.parameters.putParameter(ctx, { Name: '/t/lost', Value: 'v', Type: 'String' }),
          ),
          /outbox refuses/,
        );
        await storeSql(
          backend === 'sqlite' ? 'DROP TRIGGER outbox_refuses' : 'DROP TRIGGER outbox_refuses ON audit_outbox',
        );
        assert.equal(await coffer.storage.getLatestVersion(ctx, '/t/lost'), undefined, 'the write did not land');
        assert.equal((await coffer.audit.verify()).ok, true);
      }));

    it(
      "keeps a committed write's event in the outbox while the chain refuses it, refuses further requests, and " +
        'chains it once it can',
      async () =>
        withTrail(backend, async (coffer, sql) => {
          await coffer.audit.record(event('Before'));
          await sql(
            backend === 'sqlite'
              ? `CREATE TRIGGER chain_refuses BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'chain ` +
                  `refuses'); END`
              : `CREATE FUNCTION chain_refuses() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'chain refuses'; END $$
                 LANGUAGE plpgsql;
           CREATE TRIGGER chain_refuses BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION chain_refuses()`,
          );
          await assert.rejects(
            coffer.audit.record(event('GetParameter')),
            /chain refuses/,
            'a read whose event cannot be chained fails',
          );
          const kept = new AuditDraft(() => event('PutParameter'));
          await runWithDraft(kept, () =>
            coffer.parameters.putParameter(ctx, { Name: '/t/kept', Value: 'v', Type: 'String' }),
          );
          await kept.carried;
          assert.equal(
            coffer.audit.healthy,
            false,
            'the write landed, its event in the outbox; the trail takes no more',
          );
          assert.deepEqual(
            (await coffer.storage.listAuditOutbox(Number.MAX_SAFE_INTEGER, 10)).map((r) => r.eventId),
            [kept.appended!.record.eventID],
          );
          const next = new AuditDraft(() => event('PutParameter'));
          await assert.rejects(
            runWithDraft(next, () =>
              coffer.parameters.putParameter(ctx, { Name: '/t/next', Value: 'v', Type: 'String' }),
            ),
            /audit trail cannot chain/,
          );
          assert.equal(
            await coffer.storage.getLatestVersion(ctx, '/t/next'),
            undefined,
            'refused before it changed anything',
          );
          await assert.rejects(coffer.audit.record(event('Refused')), /audit trail cannot chain/);
          await coffer.audit.maintainOutbox(Number.MAX_SAFE_INTEGER);
          assert.equal(coffer.audit.healthy, false, 'still refused: maintenance could not carry it either');
          await sql(backend === 'sqlite' ? 'DROP TRIGGER chain_refuses' : 'DROP TRIGGER chain_refuses ON audit_events');
          await coffer.audit.maintainOutbox(Number.MAX_SAFE_INTEGER);
          assert.equal(coffer.audit.healthy, true);
          assert.deepEqual(await coffer.storage.listAuditOutbox(Number.MAX_SAFE_INTEGER, 10), []);
          const names = (await trailRows(coffer).listEvents({ descending: false, limit: 10 })).map((r) => r.eventName);
          assert.deepEqual(names, ['Before', 'PutParameter'], 'the kept event chained, once');
          await coffer.audit.record(event('After'));
          assert.equal((await coffer.audit.verify()).ok, true);
        }),
    );

    it('carries an outbox row left behind (a crash) to the chain once, however many times it is carried', async () =>
      withTrail(backend, async (coffer) => {
        const left = event('LeftBehind');
        await coffer.storage.transaction((tx) =>
          tx.insertAuditOutbox({
            eventId: left.record.eventID,
            createdAt: left.time,
            record: JSON.stringify(left.record),
            names: JSON.stringify(left.resourceNames),
          }),
        );
        const other = await openCoffer(coffer.settings, {});
        try {
          // Two processes carry it at once, as a restarted node and another node's recovery might.
          await Promise.all([
            coffer.audit.maintainOutbox(Number.MAX_SAFE_INTEGER),
            other.audit.maintainOutbox(Number.MAX_SAFE_INTEGER),
          ]);
        } finally {
          await other.close();
        }
        const events = await trailRows(coffer).listEvents({ descending: false, limit: 10 });
        assert.deepEqual(
          events.map((e) => e.eventId),
          [left.record.eventID],
        );
        assert.deepEqual(await coffer.storage.listAuditOutbox(Number.MAX_SAFE_INTEGER, 10), []);
        assert.equal((await coffer.audit.verify()).ok, true);
      }));

    it('never chains an outbox row changed or forged behind its back, and says so', async () =>
      withTrail(backend, async (coffer, _sql, storeSql) => {
        const forged = event('Forged');
        await storeSql(`INSERT INTO audit_outbox (event_id, created_at, record, names)
          VALUES ('${forged.record.eventID}', ${forged.time},
        '${JSON.stringify(forged.record).replace(/'/g, "''")}', '[]')`);
        const problems: unknown[] = [];
        await coffer.audit.maintainOutbox(Number.MAX_SAFE_INTEGER, (error) => problems.push(error));
        assert.match(String(problems[0]), /audit_outbox row .* does not match its integrity check/);
        assert.equal(await trailRows(coffer).head(), undefined, 'nothing chained');
        assert.deepEqual(
          await coffer.storage.listAuditOutbox(Number.MAX_SAFE_INTEGER, 10),
          [],
          'and the row removed, so it holds nothing up',
        );
      }));

    it('reports an altered event, a deleted one and an inserted one', async () =>
      withTrail(backend, async (coffer, sql) => {
        for (let i = 0; i < 6; i++) await coffer.audit.record(event(`E${i}`));
        await coffer.audit.seal();
        await sql(`UPDATE audit_events SET record = replace(record, 'E2', 'EX') WHERE seq = 3`);
        let report = await coffer.audit.verify();
        assert.equal(report.ok, false);
        assert.deepEqual([report.problem!.kind, report.problem!.seq], ['altered', 3]);
        await sql(`UPDATE audit_events SET record = replace(record, 'EX', 'E2') WHERE seq = 3`);
        assert.equal((await coffer.audit.verify()).ok, true, 'restored to what it was, the row verifies again');

        await sql('DELETE FROM audit_events WHERE seq = 4');
        report = await coffer.audit.verify();
        assert.deepEqual([report.problem!.kind, report.problem!.seq], ['deleted', 4]);
      }));

    it(
      'indexes resources behind the chain, caught up before every read of the index, and verify checks the index ' +
        'against the events',
      async () =>
        withTrail(backend, async (coffer, sql) => {
          for (let i = 0; i < 4; i++) await coffer.audit.record(event(`E${i}`));
          assert.equal(await indexRows(coffer), 0, 'nothing indexed with the events themselves');
          const byName = await coffer.audit.lookup({
            attribute: { name: 'ResourceName', value: '/t/E2' },
            descending: true,
            limit: 10,
          });
          assert.deepEqual(
            byName.map((f) => f.event.eventName),
            ['E2'],
            'a lookup by resource catches the index up first',
          );
          assert.equal(await indexRows(coffer), 4);
          await coffer.audit.record(event('E4'));
          await coffer.audit.readActivity(ctx.account, '/t/', 0, 0);
          assert.equal(await indexRows(coffer), 5, 'the report catches it up too');
          assert.equal((await coffer.audit.verify()).ok, true);

          await sql(`UPDATE audit_resources SET resource_name = '/t/hidden' WHERE resource_name = '/t/E1'`);
          let report = await coffer.audit.verify();
          assert.deepEqual([report.ok, report.problem?.kind], [false, 'index']);
          await sql(`UPDATE audit_resources SET resource_name = '/t/E1' WHERE resource_name = '/t/hidden'`);
          assert.equal((await coffer.audit.verify()).ok, true, 'restored, the index verifies again');
          await sql(`DELETE FROM audit_resources WHERE resource_name = '/t/E3'`);
          report = await coffer.audit.verify();
          assert.deepEqual([report.ok, report.problem?.kind], [false, 'index'], 'a removed row');
          assert.match(report.problem!.message, /4 rows, 5 expected/);
        }),
    );

    it(
      'indexes a resource named with a lone surrogate or a NUL (a JSON request can carry both) so that the index ' +
        'still verifies',
      async () =>
        withTrail(backend, async (coffer) => {
          // Only resources carry a caller's text into the row's columns: the event's name is Coffer's.
          await coffer.audit.record(
            serviceEvent(
              {
                source: 'ssm.amazonaws.com',
                name: 'GetParameter',
                account: ctx.account,
                region: ctx.region,
                arns: [`arn:aws:ssm:${ctx.region}:${ctx.account}:parameter/t/odd\ud800name\u0000`],
                details: {},
              },
              Date.now(),
            ),
          );
          await coffer.audit.record(event('Plain'));
          await coffer.audit.indexResources();
          assert.equal(await indexRows(coffer), 2, 'both indexed: the odd name did not stop the batch');
          assert.equal((await coffer.audit.verify()).ok, true);
        }),
    );

    it('indexes in batches bounded in rows as well as events, and the index verifies', async () =>
      withTrail(backend, async (coffer) => {
        for (let e = 0; e < 60; e++) {
          const arns = Array.from(
            { length: 100 },
            (_, r) => `arn:aws:ssm:${ctx.region}:${ctx.account}:parameter/wide/e${e}/r${r}`,
          );
          await coffer.audit.record(
            serviceEvent(
              {
                source: 'ssm.amazonaws.com',
                name: 'GetParameters',
                account: ctx.account,
                region: ctx.region,
                arns,
                details: {},
              },
              Date.now(),
            ),
          );
        }
        await coffer.auditStorage!.transaction(async (tx) => {
          await tx.lockChain();
          assert.equal(await indexBatch(tx), true, 'the first batch stops at 5,000 rows, with events left');
        });
        assert.equal(await trailRows(coffer).indexedThrough(), 50);
        await coffer.audit.indexResources();
        assert.equal(await trailRows(coffer).indexedThrough(), 60);
        assert.equal((await coffer.audit.verify()).ok, true);
      }));

    it(
      "refuses, in lookups, a record changed while its row's MAC still holds: the MAC covers the hash, the hash the " +
        'record',
      async () =>
        withTrail(backend, async (coffer, sql) => {
          for (let i = 0; i < 3; i++) await coffer.audit.record(event(`E${i}`));
          await sql(`UPDATE audit_events SET record = replace(record, 'E1', 'EZ') WHERE seq = 2`);
          await assert.rejects(coffer.audit.lookup({ descending: true, limit: 10 }), /changed outside Coffer/);
          const report = await coffer.audit.verify();
          assert.deepEqual([report.ok, report.problem?.kind, report.problem?.seq], [false, 'altered', 2]);
        }),
    );

    it('reports a row inserted at the tail with a correct hash: Coffer did not write it', async () =>
      withTrail(backend, async (coffer, sql) => {
        for (let i = 0; i < 3; i++) await coffer.audit.record(event(`E${i}`));
        const [head] = await trailRows(coffer).listEvents({ descending: true, limit: 1 });
        const record = JSON.stringify(event('Forged').record);
        const hash = chainHash(4, head!.hash, record);
        await sql(`INSERT INTO audit_events (seq, event_id, event_time, account, event_source, event_name, read_only,
        username,
        access_key_id, error_code, prev_hash, hash, record)
        VALUES (4, 'x', ${Date.now()}, '${ctx.account}', 'ssm.amazonaws.com', 'Forged', 0, NULL, NULL, NULL,
        '${head!.hash}', '${hash}', '${record.replace(/'/g, "''")}')`);
        const report = await coffer.audit.verify();
        assert.deepEqual([report.ok, report.problem?.kind, report.problem?.seq], [false, 'inserted', 4]);
        // And no digest signs it.
        await assert.rejects(coffer.audit.seal(), /not written by Coffer/);
        await assert.rejects(coffer.audit.lookup({ descending: true, limit: 10 }), /changed outside Coffer/);
        // Exported, the row is marked: a verify of the export with the public key alone reports it.
        const lines: Record<string, unknown>[] = [];
        for await (const line of coffer.audit.exportLines()) lines.push(JSON.parse(line) as Record<string, unknown>);
        const exported = lines.filter((l) => l.type === 'event') as unknown as ChainedEvent[];
        assert.equal(exported.at(-1)!.intact, false);
        const offline = await verifyChain(fromArray(exported), [], { publicKeyPem: coffer.audit.publicKeyPem });
        assert.deepEqual([offline.ok, offline.problem?.kind, offline.problem?.seq], [false, 'inserted', 4]);
      }));

    it(
      'a chain rewritten after its digest was signed fails against the digest; an export verifies with the public ' +
        'key alone',
      async () =>
        withTrail(backend, async (coffer) => {
          for (let i = 0; i < 4; i++) await coffer.audit.record(event(`E${i}`));
          await coffer.audit.seal();
          const lines = [];
          for await (const line of coffer.audit.exportLines()) lines.push(JSON.parse(line) as Record<string, unknown>);
          const digests = lines.filter((l) => l.type === 'digest') as never[];
          const events = lines.filter((l) => l.type === 'event') as unknown as ChainedEvent[];
          assert.equal(
            (await verifyChain(fromArray(events), digests, { publicKeyPem: coffer.audit.publicKeyPem })).ok,
            true,
          );
          // Rewrite event 2 and re-hash everything after it: every link holds, the signed head does not.
          const forged = events.map((e) => ({ ...e }));
          forged[1] = { ...forged[1]!, record: forged[1]!.record.replace('E1', 'EY') };
          for (let i = 1; i < forged.length; i++) {
            const prevHash = forged[i - 1]!.hash;
            forged[i] = { ...forged[i]!, prevHash, hash: chainHash(forged[i]!.seq, prevHash, forged[i]!.record) };
          }
          const report = await verifyChain(fromArray(forged), digests, { publicKeyPem: coffer.audit.publicKeyPem });
          assert.deepEqual([report.ok, report.problem?.kind], [false, 'altered']);
          assert.match(report.problem!.message, /signed digest 1/);
          // A digest signed by another key is refused.
          const other = await freshCoffer(backend);
          try {
            const foreign = await verifyChain(fromArray(events), digests, {
              publicKeyPem: other.coffer.audit.publicKeyPem,
            });
            assert.deepEqual([foreign.ok, foreign.problem?.kind], [false, 'digest']);
          } finally {
            await other.done();
          }
        }),
    );

    it('prunes events past retention behind a signed checkpoint, and what remains verifies', async () =>
      withTrail(backend, async (coffer) => {
        for (let i = 0; i < 3; i++) await coffer.audit.record(event(`Old${i}`));
        coffer.clock.advance(100 * DAY);
        for (let i = 0; i < 2; i++) await coffer.audit.record(event(`New${i}`));
        assert.equal(await coffer.audit.prune(), 3);
        const rows = await trailRows(coffer).listEvents({ descending: false, limit: 10 });
        assert.deepEqual(
          rows.map((r) => r.eventName),
          ['New0', 'New1'],
        );
        const report = await coffer.audit.verify();
        assert.deepEqual([report.ok, report.firstSeq, report.lastSeq, report.unsignedTail], [true, 4, 5, 0]);
        const digests = await trailRows(coffer).listDigests(0, 10);
        assert.deepEqual(
          digests.map((d) => d.kind),
          ['digest', 'checkpoint'],
        );
        assert.equal(await coffer.audit.prune(), 0);
      }));

    it('refuses to prune by a time changed behind its back, and to verify or export a range by one', async () =>
      withTrail(backend, async (coffer, sql) => {
        for (let i = 0; i < 3; i++) await coffer.audit.record(event(`Recent${i}`));
        // Backdated: recent events made to look past retention, to have them pruned.
        await sql('UPDATE audit_events SET event_time = 1000 WHERE seq = 3');
        await assert.rejects(coffer.audit.prune(), /changed outside Coffer/);
        assert.equal(
          (await trailRows(coffer).listEvents({ descending: false, limit: 10 })).length,
          3,
          'nothing pruned',
        );
        const ranged = await coffer.audit.verify({ from: Date.now() - DAY });
        assert.deepEqual([ranged.ok, ranged.problem?.kind, ranged.problem?.seq], [false, 'inserted', 3]);
        await assert.rejects(async () => {
          for await (const line of coffer.audit.exportLines({ from: Date.now() - DAY })) void line;
        }, /changed outside Coffer/);
      }));

    it("records a purge at the end of a recovery window in the purge's own transaction", async () =>
      withTrail(backend, async (coffer) => {
        await coffer.secrets.store.createSecret(ctx, { Name: 'audit/purged', SecretString: 'gone-soon' });
        await coffer.secrets.store.deleteSecret(ctx, { SecretId: 'audit/purged', RecoveryWindowInDays: 7 });
        coffer.clock.advance(8 * DAY);
        assert.equal(await coffer.secrets.store.records.sweep(100, coffer.audit), 1);
        const [purge] = await coffer.audit.lookup({
          descending: true,
          limit: 1,
          attribute: { name: 'EventName', value: 'EndSecretDeletion' },
        });
        const record = purge!.record as AuditEvent['record'];
        assert.equal(record.eventType, 'AwsServiceEvent');
        assert.equal(record.userIdentity.invokedBy, 'secretsmanager.amazonaws.com');
        assert.match(record.resources![0]!.ARN, /:secret:audit\/purged-/);
        assert.ok(!JSON.stringify(record).includes('gone-soon'));
      }));
  });
}

describe('audit ledger: a store that refuses transactions', () => {
  it('fails the events waiting for it instead of retrying for ever', async () => {
    let attempts = 0;
    const refusing = {
      transaction: async () => {
        attempts++;
        throw new Error('no connection to the store');
      },
    } as unknown as AuditStorage;
    const ledger = new AuditLedger(
      refusing,
      { sign: () => '', keyedHash: () => Buffer.alloc(32), publicKeyPem: '' },
      { retentionDays: 90 },
    );
    const entry = (name: string) => ledgerEntry(event(name));
    const outcomes = await Promise.allSettled([
      ledger.append([entry('A')], false),
      ledger.append([entry('B')], false),
      ledger.append([entry('C')], false),
    ]);
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['rejected', 'rejected', 'rejected'],
    );
    assert.match(String((outcomes[0] as PromiseRejectedResult).reason), /no connection/);
    assert.ok(attempts <= 3, `${attempts} attempts`);
  });
});
