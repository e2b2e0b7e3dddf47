/**
 * `coffer audit` and `coffer report`: against a server (tail, search, report over the wire) and
 * on its store (export, verify with the store's key, verify an export with the public key
 * alone, and a tampered export failing with exit code 1). Never a value in any output.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { runCli } from '../../src/cli/main.js';
import { parseTime } from '../../src/cli/commands/audit.js';
import { CapturedIo } from '../helpers/captured-io.js';
import { ROOT, startServer, type RunningServer } from '../helpers/server-process.js';

const VALUE = 'cli-audit-value-7f3e9a';

describe('coffer audit and coffer report', () => {
  let server: RunningServer;
  let remote: Record<string, string>;
  let dir: string;
  const run = async (args: string[], env: Record<string, string>) => {
    const io = new CapturedIo();
    return { code: await runCli(args, env, io), io };
  };

  before(async () => {
    server = await startServer();
    remote = {
      COFFER_ENDPOINT: server.endpoint,
      AWS_ACCESS_KEY_ID: ROOT.accessKeyId,
      AWS_SECRET_ACCESS_KEY: ROOT.secretAccessKey,
      AWS_REGION: 'us-east-1',
    };
    dir = mkdtempSync(join(tmpdir(), 'coffer-audit-cli-'));
    const ssm = server.client();
    await ssm.send(new PutParameterCommand({ Name: '/cli/app/db', Value: VALUE, Type: 'SecureString' }));
    for (let i = 0; i < 3; i++) await ssm.send(new GetParameterCommand({ Name: '/cli/app/db', WithDecryption: true }));
    await assert.rejects(ssm.send(new GetParameterCommand({ Name: '/cli/app/missing' })));
  });
  after(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("tails and searches a server's trail through LookupEvents", async () => {
    const tail = await run(['audit', 'tail', '-n', '3'], remote);
    assert.equal(tail.code, 0, tail.io.stderr);
    assert.equal(tail.io.stdout.trim().split('\n').length, 3);
    const byName = await run(['audit', 'search', '--name', '/cli/app/db', '--json'], remote);
    const records = byName.io.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { eventName: string });
    assert.deepEqual(
      records.map((r) => r.eventName),
      ['PutParameter', 'GetParameter', 'GetParameter', 'GetParameter'],
    );
    const failed = await run(
      ['audit', 'search', '--prefix', '/cli/', '--action', 'GetParameter', '--since', '1h'],
      remote,
    );
    assert.match(failed.io.stdout, /ssm:GetParameter {2}ParameterNotFound {2}arn:aws:iam::\d+:root/);
    assert.equal((await run(['audit', 'search', '--denied'], remote)).io.stdout, '');
    for (const output of [tail, byName, failed]) assert.ok(!output.io.stdout.includes(VALUE));
  });

  it('reports reads and readers under a prefix, never a value', async () => {
    const report = await run(['report', '/cli/', '--json'], remote);
    assert.equal(report.code, 0, report.io.stderr);
    const [item] = JSON.parse(report.io.stdout) as {
      Name: string;
      Reads24h: number;
      Reads7d: number;
      Readers: { Principal: string; Reads7d: number }[];
    }[];
    assert.equal(item!.Name, '/cli/app/db');
    assert.equal(item!.Reads24h, 3);
    assert.equal(item!.Reads7d, 3);
    assert.match(item!.Readers[0]!.Principal, /:root$/);
    assert.ok(!report.io.stdout.includes(VALUE));
  });

  it("exports the store's trail and verifies it with the store's key and with the public key alone", async () => {
    const local = server.location.env();
    const exportFile = join(dir, 'trail.jsonl');
    const keyFile = join(dir, 'audit.pem');
    assert.equal((await run(['audit', 'export', '--out', exportFile], local)).code, 0);
    const key = await run(['audit', 'public-key'], local);
    assert.match(key.io.stdout, /BEGIN PUBLIC KEY/);
    writeFileSync(keyFile, key.io.stdout);
    const verified = await run(['audit', 'verify'], local);
    assert.equal(verified.code, 0, verified.io.stdout);
    assert.match(verified.io.stdout, /^ok: \d+ events/);
    const ranged = await run(['audit', 'verify', '--from', '1h'], local);
    assert.equal(ranged.code, 0, ranged.io.stdout);
    assert.match(ranged.io.stdout, /^ok: \d+ events/, '--from is --since');
    assert.equal((await run(['audit', 'verify', '--from', '1h', '--since', '2h'], local)).code, 2, 'not both');
    const offline = await run(['audit', 'verify', '--file', exportFile, '--public-key', keyFile], local);
    assert.equal(offline.code, 0, offline.io.stdout);
    const text = readFileSync(exportFile, 'utf8');
    assert.ok(!text.includes(VALUE));
    // One event's record changed in the export: verify names it and fails.
    const lines = text.trim().split('\n');
    const at = lines.findIndex((l) => l.includes('"type":"event"') && l.includes('GetParameter'));
    lines[at] = lines[at]!.replace('GetParameter', 'GetParameters');
    writeFileSync(exportFile, `${lines.join('\n')}\n`);
    const tampered = await run(['audit', 'verify', '--file', exportFile, '--public-key', keyFile], local);
    assert.equal(tampered.code, 1);
    assert.match(tampered.io.stdout, /^FAILED: event \d+ was altered/);
    assert.equal(
      (await run(['audit', 'verify', '--file', exportFile], local)).code,
      2,
      'an export needs the public key',
    );
  });

  it('reads times as ISO 8601 or as ages', () => {
    assert.equal(parseTime('2026-01-02T03:04:05Z'), Date.UTC(2026, 0, 2, 3, 4, 5));
    assert.equal(parseTime('2h', 10_000_000), 10_000_000 - 7_200_000);
    assert.throws(() => parseTime('yesterday'), /not a time/);
  });
});

describe('a serving store signs a digest every interval with new events', () => {
  it('signs digest after digest while serving, and each verifies', async () => {
    const server = await startServer({ env: { COFFER_AUDIT_DIGEST_MS: '150' } });
    try {
      const ssm = server.client();
      await ssm.send(new PutParameterCommand({ Name: '/digests/p', Value: VALUE, Type: 'SecureString' }));
      for (let burst = 0; burst < 3; burst++) {
        for (let i = 0; i < 3; i++)
          await ssm.send(new GetParameterCommand({ Name: '/digests/p', WithDecryption: true }));
        await new Promise((resolve) => setTimeout(resolve, 400));
      }
    } finally {
      await server.stop({ keepStore: true });
    }
    try {
      assert.doesNotMatch(server.output(), /audit-trail/, 'no digest (nor anything else of the trail) failed');
      const io = new CapturedIo();
      assert.equal(await runCli(['audit', 'verify'], server.location.env(), io), 0, io.stdout);
      const digests = Number(/(\d+) signed digests/.exec(io.stdout)?.[1]);
      assert.ok(digests >= 3, `a digest after each burst and at shutdown: ${io.stdout}`);
      assert.match(io.stdout, /signed through event \d+;?\n$/, 'and nothing left unsigned after shutdown');
      assert.doesNotMatch(io.stdout, /not yet signed/);
    } finally {
      await server.location.destroy();
    }
  });
});
