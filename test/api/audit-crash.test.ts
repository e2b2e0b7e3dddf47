/**
 * The audit trail across a crash (SIGKILL) of a server on the embedded store: every read whose
 * response left is in the trail after a restart (its event was in the process's journal), every
 * committed write too (its event in the store's outbox), each exactly once, the dead process's
 * journal taken over and removed, and the chain verifies.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CloudTrailClient, LookupEventsCommand, type Event } from '@aws-sdk/client-cloudtrail';
import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { openCoffer } from '../../src/bootstrap/open-coffer.js';
import { ROOT, startServer, type RunningServer } from '../helpers/server-process.js';
import { testLocation } from '../helpers/test-stores.js';
import { until } from '../helpers/until.js';

async function allEvents(server: RunningServer): Promise<Event[]> {
  const ct = new CloudTrailClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: ROOT,
    maxAttempts: 1,
  });
  try {
    const events: Event[] = [];
    let token: string | undefined;
    do {
      const page = await ct.send(new LookupEventsCommand({ MaxResults: 50, ...(token ? { NextToken: token } : {}) }));
      events.push(...(page.Events ?? []));
      token = page.NextToken;
    } while (token);
    return events;
  } finally {
    ct.destroy();
  }
}

const requestIdOf = (e: Event) => (JSON.parse(e.CloudTrailEvent!) as { requestID: string }).requestID;

describe('audit trail across a crash (SQLite)', () => {
  const location = testLocation('sqlite');
  after(() => location.destroy());

  it(
    "chains every answered request's event once after a SIGKILL and a restart, and takes over the dead " + 'journal',
    async () => {
      const first = await startServer({ location });
      const answered: string[] = [];
      const client = first.client();
      const put = await client.send(
        new PutParameterCommand({ Name: '/crash/p', Value: 'crash-value', Type: 'SecureString' }),
      );
      answered.push(put.$metadata.requestId!);
      for (let i = 0; i < 40; i++)
        answered.push(
          (await client.send(new GetParameterCommand({ Name: '/crash/p', WithDecryption: true }))).$metadata.requestId!,
        );
      const last = await client.send(
        new PutParameterCommand({ Name: '/crash/p', Value: 'crash-value-2', Type: 'SecureString', Overwrite: true }),
      );
      answered.push(last.$metadata.requestId!);
      first.child.kill('SIGKILL');
      await new Promise((resolve) => first.child.once('exit', resolve));
      const journal = join(location.dataDir, 'audit-journal');
      assert.ok(existsSync(journal) && readdirSync(journal).length > 0, 'the dead server left its journal');

      const second = await startServer({ location });
      try {
        await until('the dead journal taken over', async () =>
          readdirSync(journal).every((f) => !f.startsWith(`${first.child.pid}.`)) ? true : undefined,
        );
        const events = await allEvents(second);
        const ids = events.map(requestIdOf);
        for (const id of answered) assert.equal(ids.filter((x) => x === id).length, 1, `request ${id} chained once`);
        assert.equal(new Set(events.map((e) => e.EventId)).size, events.length, 'no event twice');
      } finally {
        await second.stop({ keepStore: true });
      }
      const coffer = await openCoffer(location.settings(), {});
      try {
        const report = await coffer.audit.verify();
        assert.equal(report.ok, true, report.problem?.message);
        assert.deepEqual(await coffer.storage.listAuditOutbox(Number.MAX_SAFE_INTEGER, 10), [], 'the outbox is empty');
      } finally {
        await coffer.close();
      }
    },
  );
});
