/**
 * `coffer serve --workers 2`: two processes on one port behave as one server. Each check uses
 * fresh connections so that node:cluster hands requests to both workers in turn: a --dev clock
 * move holds on every worker, an access key deleted or a KMS key scheduled for deletion through
 * one is refused by all at once, a
 * write through one reaches a change stream held by the other without waiting for the poll, and
 * SIGTERM stops them all with exit code 0.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { DeleteAccessKeyCommand } from '@aws-sdk/client-iam';
import { CreateKeyCommand, EncryptCommand, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { openChangeStream } from '../helpers/change-stream-reader.js';
import { clientsFor, userWithKey, type Credentials } from '../helpers/identity-clients.js';
import { ROOT, startServer, type RunningServer } from '../helpers/server-process.js';

/** The pids of a process's children (its workers). */
function childrenOf(pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

/** A client of its own: a new connection, so consecutive calls land on different workers. */
async function once<T>(server: RunningServer, credentials: Credentials, work: (ssm: SSMClient) => Promise<T>) {
  const ssm = new SSMClient({ endpoint: server.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
  try {
    return await work(ssm);
  } finally {
    ssm.destroy();
  }
}

describe('coffer serve --workers 2 --dev', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ dev: true, env: { COFFER_WORKERS: '2' } });
  });
  after(() => server.stop());

  it('moves every worker clock before answering POST /_coffer/clock', async () => {
    const nows: number[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await fetch(`${server.endpoint}/_coffer/clock`, {
        method: 'POST',
        body: JSON.stringify({ advanceSeconds: 3600 }),
        headers: { connection: 'close' },
      });
      nows.push(Date.parse(((await response.json()) as { now: string }).now));
    }
    // Each answer is an hour past the previous one, whichever worker gave it.
    for (let i = 1; i < nows.length; i++) {
      const step = nows[i]! - nows[i - 1]!;
      assert.ok(step >= 3_600_000 && step < 3_660_000, `step ${step} ms`);
    }
  });
});

describe('coffer serve --workers 2', () => {
  let server: RunningServer;
  before(async () => {
    // The poll is a minute: a change must reach the other worker through the primary, not the poll.
    server = await startServer({ env: { COFFER_WORKERS: '2', COFFER_CHANGES_POLL_MS: '60000' } });
  });
  after(async () => {
    if (server.child.exitCode === null) await server.stop();
  });

  it('says so and runs two workers under the primary', () => {
    assert.match(server.output(), /listening on http:\/\/127\.0\.0\.1:\d+ \(.*, 2 workers\)/);
    assert.equal(childrenOf(server.child.pid!).length, 2);
  });

  it('refuses a deleted access key on every worker at once', async () => {
    const clients = clientsFor(server);
    try {
      const key = await userWithKey(clients.iam, 'worker-user', {
        read: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ssm:*', Resource: '*' }] },
      });
      await once(server, ROOT, (ssm) =>
        ssm.send(new PutParameterCommand({ Name: '/w/p', Value: 'v', Type: 'String' })),
      );
      // Both workers verify the key (and cache it) before it is deleted.
      for (let i = 0; i < 4; i++) await once(server, key, (ssm) => ssm.send(new GetParameterCommand({ Name: '/w/p' })));
      await clients.iam.send(new DeleteAccessKeyCommand({ UserName: 'worker-user', AccessKeyId: key.accessKeyId }));
      for (let i = 0; i < 4; i++)
        await assert.rejects(
          once(server, key, (ssm) => ssm.send(new GetParameterCommand({ Name: '/w/p' }))),
          (error: Error) => error.name === 'UnrecognizedClientException',
        );
    } finally {
      clients.destroy();
    }
  });

  it('refuses a key scheduled for deletion on every worker at once', async () => {
    const clients = clientsFor(server);
    try {
      const key = (await clients.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
      // A client of its own each time: a new connection, so the calls land on both workers.
      const encrypt = async () => {
        const fresh = clientsFor(server);
        try {
          return await fresh.kms.send(new EncryptCommand({ KeyId: key.KeyId!, Plaintext: Buffer.from('x') }));
        } finally {
          fresh.destroy();
        }
      };
      for (let i = 0; i < 4; i++) await encrypt();
      await clients.kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId!, PendingWindowInDays: 7 }));
      for (let i = 0; i < 4; i++)
        await assert.rejects(encrypt(), (error: Error) => error.name === 'KMSInvalidStateException');
    } finally {
      clients.destroy();
    }
  });

  it('tells a stream on one worker of writes made through the other long before the poll', async () => {
    const stream = await openChangeStream(server.endpoint, ROOT, { prefix: '/relay/' });
    try {
      await stream.next((e) => e.event === 'ready');
      const started = Date.now();
      for (let i = 0; i < 4; i++)
        await once(server, ROOT, (ssm) =>
          ssm.send(new PutParameterCommand({ Name: `/relay/p${i}`, Value: 'v', Type: 'String' })),
        );
      for (let i = 0; i < 4; i++) await stream.next((e) => e.data.name === `/relay/p${i}`, 5000);
      assert.ok(Date.now() - started < 5000);
    } finally {
      stream.close();
    }
  });

  it('stops every worker on SIGTERM and exits 0', async () => {
    const workers = childrenOf(server.child.pid!);
    const code = await server.stop();
    assert.equal(code, 0);
    for (const pid of workers) assert.throws(() => process.kill(pid, 0), /ESRCH/);
  });
});
