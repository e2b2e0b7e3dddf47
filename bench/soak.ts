/**
 * `npm run soak`: SOAK_SECONDS (default 600) of mixed reads and writes at 8 connections against
 * `coffer serve` (SOAK_WORKERS workers, one per core by default), sampling the server's memory
 * (RSS of the primary and its workers) and wrk's latency every SOAK_SAMPLE_SECONDS (60); then the
 * crash check: SIGKILL during acknowledged writes, a restart on the same store, every
 * acknowledged write read back, the audit chain verified and the outbox empty.
 *
 * Each interval replays a freshly signed set of distinct requests in turn (wrk, bench/
 * load-generator.ts): 60% GetParameter, 20% PutParameter (Overwrite, a value of its own per
 * request and interval), 10% GetParametersByPath, 10% DescribeParameters. Coffer accepts a
 * signature for 15 minutes, and each set lives one interval. Growth of RSS by more than 30% and
 * 48 MB, or of p99 latency by more than 3x and 20 ms, from the first sample to the last, is a
 * failure, as is any failed request or lost write: the exit code says so.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { openCoffer } from '../src/bootstrap/open-coffer.js';
import { ROOT, startServer, type RunningServer } from '../test/helpers/server-process.js';
import { testLocation } from '../test/helpers/test-stores.js';
import { drive, prepare, type PreparedRequest } from './load-generator.js';
import { fmt } from './measure.js';

const TOTAL_SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const SAMPLE_SECONDS = Math.min(Number(process.env.SOAK_SAMPLE_SECONDS ?? 60), TOTAL_SECONDS);
const WORKERS = process.env.SOAK_WORKERS ?? String(availableParallelism());
const CONNECTIONS = 8;
const NAMES = 200;
const nameOf = (i: number) => `/soak/app${i % 20}/p${i}`;

interface Sample {
  readonly minute: number;
  readonly rssMb: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
}

/** Resident memory of a process and of each of its children (the workers), in MB. */
function treeRssMb(pid: number): number[] {
  const rss = (p: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    children = [];
  }
  return [pid, ...children].map(rss);
}

/** One interval's requests, signed now, with values of their own. */
async function requestSet(endpoint: string, interval: number): Promise<PreparedRequest[]> {
  const requests: Promise<PreparedRequest>[] = [];
  for (let i = 0; i < 100; i++) {
    const name = nameOf((i * 37 + interval * 11) % NAMES);
    const kind = i % 10;
    if (kind < 6)
      requests.push(prepare(endpoint, ROOT, 'AmazonSSM.GetParameter', { Name: name, WithDecryption: true }));
    else if (kind < 8)
      requests.push(
        prepare(endpoint, ROOT, 'AmazonSSM.PutParameter', {
          Name: name,
          Value: `soak-${interval}-${i}`,
          Type: 'SecureString',
          Overwrite: true,
        }),
      );
    else if (kind === 8)
      requests.push(prepare(endpoint, ROOT, 'AmazonSSM.GetParametersByPath', { Path: `/soak/app${i % 20}` }));
    else requests.push(prepare(endpoint, ROOT, 'AmazonSSM.DescribeParameters', { MaxResults: 50 }));
  }
  return Promise.all(requests);
}

/** Writes until the server dies under it; returns the names whose writes were acknowledged. */
async function writeUntilKilled(server: RunningServer): Promise<string[]> {
  const client = server.client();
  const acknowledged: string[] = [];
  let stop = false;
  const writers = Array.from({ length: 4 }, async (_, w) => {
    for (let i = 0; !stop; i++) {
      const name = `/soak-crash/w${w}/p${i}`;
      try {
        await client.send(new PutParameterCommand({ Name: name, Value: `acked-${i}`, Type: 'SecureString' }));
        acknowledged.push(name);
      } catch {
        return;
      }
    }
  });
  await new Promise((resolve) => setTimeout(resolve, 1500));
  server.child.kill('SIGKILL');
  await Promise.all(writers);
  stop = true;
  return acknowledged;
}

/** SIGKILL during writes, restart: every acknowledged write is there and the audit chain verifies. */
async function crashCheck(first: RunningServer): Promise<string[]> {
  const problems: string[] = [];
  const acknowledged = await writeUntilKilled(first);
  const child = first.child;
  await new Promise((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once('exit', resolve),
  );
  // The workers leave once their primary is gone; give them a moment before the restart.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const second = await startServer({ location: first.location, env: { COFFER_WORKERS: WORKERS } });
  try {
    const client = second.client();
    let missing = 0;
    for (const name of acknowledged) {
      const got = await client
        .send(new GetParameterCommand({ Name: name, WithDecryption: true }))
        .catch(() => undefined);
      if (!got?.Parameter?.Value?.startsWith('acked-')) missing++;
    }
    console.log(`crash: ${acknowledged.length} writes acknowledged before SIGKILL, ${missing} missing after restart`);
    if (acknowledged.length === 0) problems.push('no write was acknowledged before the kill');
    if (missing > 0) problems.push(`${missing} acknowledged writes lost`);
  } finally {
    await second.stop({ keepStore: true });
  }
  const coffer = await openCoffer(first.location.settings(), {});
  try {
    const report = await coffer.audit.verify();
    console.log(`crash: audit chain ${report.ok ? 'verifies' : `FAILS: ${report.problem?.message}`}`);
    if (!report.ok) problems.push('the audit chain does not verify');
    const outbox = await coffer.storage.listAuditOutbox(Number.MAX_SAFE_INTEGER, 10);
    if (outbox.length > 0) problems.push(`${outbox.length} events left in the outbox`);
  } finally {
    await coffer.close();
  }
  return problems;
}

function growthProblems(samples: readonly Sample[]): string[] {
  const problems: string[] = [];
  const first = samples[0]!;
  const last = samples.at(-1)!;
  if (last.rssMb > first.rssMb * 1.3 && last.rssMb - first.rssMb > 48)
    problems.push(`RSS grew from ${fmt(first.rssMb)} MB to ${fmt(last.rssMb)} MB`);
  if (last.p99Ms > first.p99Ms * 3 && last.p99Ms - first.p99Ms > 20)
    problems.push(`p99 grew from ${fmt(first.p99Ms)} ms to ${fmt(last.p99Ms)} ms`);
  const errors = samples.reduce((sum, s) => sum + s.errors, 0);
  if (errors > 0) problems.push(`${errors} requests failed`);
  return problems;
}

async function soak(): Promise<number> {
  const location = testLocation('sqlite');
  const server = await startServer({ location, env: { COFFER_WORKERS: WORKERS, COFFER_AUDIT_DIGEST_MS: '60000' } });
  const samples: Sample[] = [];
  let problems: string[] = [];
  try {
    const client = server.client();
    for (let i = 0; i < NAMES; i++)
      await client.send(new PutParameterCommand({ Name: nameOf(i), Value: `seed-${i}`, Type: 'SecureString' }));
    console.log(
      `soak: ${TOTAL_SECONDS} s at ${CONNECTIONS} connections, ${WORKERS} workers, ` +
        `a sample every ${SAMPLE_SECONDS} s (a shared machine: figures are noisy)`,
    );
    const intervals = Math.max(1, Math.round(TOTAL_SECONDS / SAMPLE_SECONDS));
    for (let interval = 0; interval < intervals; interval++) {
      const load = await drive(
        server.endpoint,
        await requestSet(server.endpoint, interval),
        CONNECTIONS,
        SAMPLE_SECONDS,
      );
      const each = treeRssMb(server.child.pid!);
      const sample = { minute: interval + 1, rssMb: each.reduce((a, b) => a + b, 0), ...load };
      samples.push(sample);
      console.log(
        `  ${String(sample.minute).padStart(3)}: RSS ${fmt(sample.rssMb)} MB (${each.map(fmt).join(' + ')}), ` +
          `${fmt(sample.perSecond)}/s, p50 ${fmt(sample.p50Ms)} ms, p99 ${fmt(sample.p99Ms)} ms, ` +
          `${sample.errors} errors`,
      );
    }
    problems = growthProblems(samples);
    problems.push(...(await crashCheck(server)));
  } finally {
    if (server.child.exitCode === null && server.child.signalCode === null) await server.stop({ keepStore: true });
    await location.destroy();
  }
  for (const problem of problems) console.log(`SOAK FAILURE: ${problem}`);
  if (problems.length === 0) console.log('soak: no growth beyond noise, no failed request, no lost write');
  return problems.length === 0 ? 0 : 1;
}

process.exitCode = await soak();
