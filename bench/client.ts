/**
 * The client SDK and `coffer agent`, side by side in one run: the SDK's cached read in process;
 * agent cache hits over the wire against the bare Node ceiling and Coffer's own server, with the
 * same load generator (wrk) and requests signed the same way; and how long after a write the
 * SDK and the agent serve the new value (change feed on). Every loop is bounded in time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { createClient } from '../src/client/index.js';
import { ROOT, startServer } from '../test/helpers/server-process.js';
import { startAgent } from '../test/helpers/agent-process.js';
import { startBareServer } from './wire.js';
import { drive, prepare, type LoadResult } from './load-generator.js';
import { fmt } from './measure.js';

const SECONDS = Number(process.env.BENCH_WIRE_SECONDS ?? 5);
const AGENT = { accessKeyId: 'AKIACOFFERAGENTBENCH', secretAccessKey: 'agent-bench-secret-0123456789', token: 'bench' };
const FEED_ROUNDS = Number(process.env.BENCH_FEED_ROUNDS ?? 40);

function line(target: string, label: string, r: LoadResult): void {
  console.log(
    `${target.padEnd(7)} ${label.padEnd(46)} ${fmt(r.perSecond).padStart(8)} req/s  p50 ${fmt(r.p50Ms)} ms  p99 ` +
      `${fmt(r.p99Ms)} ms${r.errors ? `  (${r.errors} errors)` : ''}`,
  );
}

/** Cached reads per second in process, over `seconds` at most. */
async function cachedReads(read: () => Promise<unknown>, seconds: number): Promise<number> {
  const deadline = performance.now() + seconds * 1000;
  let reads = 0;
  const started = performance.now();
  while (performance.now() < deadline) {
    for (let i = 0; i < 10_000; i++) await read();
    reads += 10_000;
  }
  return reads / ((performance.now() - started) / 1000);
}

/** Milliseconds from each write's acknowledgement until `read` returns its value; p50 and p99. */
async function freshness(
  write: (value: string) => Promise<unknown>,
  read: () => Promise<string>,
): Promise<{ p50: number; p99: number; max: number }> {
  const times: number[] = [];
  for (let round = 0; round < FEED_ROUNDS; round++) {
    const value = `fresh-${round}-${Date.now()}`;
    await write(value);
    const started = performance.now();
    // Bounded: ten seconds at most per round (the max age is five minutes: only the feed is fast).
    while ((await read()) !== value && performance.now() - started < 10_000)
      await new Promise((resolve) => setTimeout(resolve, 2));
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  return { p50: at(0.5), p99: at(0.99), max: times.at(-1)! };
}

export async function runClientBench(): Promise<void> {
  console.log(`\nClient SDK and agent: ${SECONDS}s per scenario\n`);
  const server = await startServer({ args: ['--quiet'] });
  const dataDir = mkdtempSync(join(tmpdir(), 'coffer-agent-bench-'));
  const agent = await startAgent(server.endpoint, dataDir, AGENT);
  const bare = await startBareServer();
  const admin = server.client();
  const sdk = createClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: ROOT });
  const viaAgent = new SSMClient({ endpoint: agent.endpoint, region: 'us-east-1', credentials: AGENT, maxAttempts: 1 });
  try {
    await admin.send(new PutParameterCommand({ Name: '/bench/hot', Value: 'hot-value', Type: 'SecureString' }));
    await sdk.getParameter('/bench/hot');
    const perSecond = await cachedReads(() => sdk.getParameter('/bench/hot'), Math.min(SECONDS, 3));
    console.log(`sdk     ${'cached getParameter, in process'.padEnd(46)} ${fmt(perSecond).padStart(8)} reads/s`);

    const input = { Name: '/bench/hot', WithDecryption: true };
    const ceiling = await drive(bare.endpoint, [{ headers: {}, body: '{}' }], 8, SECONDS);
    line('bare', 'fixed 200-byte answer, 8 conn', ceiling);
    const served = await drive(
      server.endpoint,
      [await prepare(server.endpoint, ROOT, 'AmazonSSM.GetParameter', input)],
      8,
      SECONDS,
    );
    line('coffer', 'GetParameter SecureString decrypted, 8 conn', served);
    await viaAgent.send(new GetParameterCommand(input));
    const hits = await drive(
      agent.endpoint,
      [await prepare(agent.endpoint, AGENT, 'AmazonSSM.GetParameter', input)],
      8,
      SECONDS,
    );
    line('agent', 'GetParameter cache hit, 8 conn', hits);
    console.log(
      `ratios: agent/bare ${(hits.perSecond / ceiling.perSecond).toFixed(2)}, agent/coffer ` +
        `${(hits.perSecond / served.perSecond).toFixed(2)}`,
    );

    const write = (value: string) =>
      admin.send(new PutParameterCommand({ Name: '/bench/hot', Value: value, Type: 'SecureString', Overwrite: true }));
    const sdkFresh = await freshness(write, () => sdk.getParameter('/bench/hot'));
    console.log(
      `sdk     ${'write to new value served (feed)'.padEnd(46)} p50 ${fmt(sdkFresh.p50)} ms  p99 ` +
        `${fmt(sdkFresh.p99)} ms  max ${fmt(sdkFresh.max)} ms (${FEED_ROUNDS} writes)`,
    );
    const agentFresh = await freshness(write, async () => {
      const answer = await viaAgent.send(new GetParameterCommand(input));
      return answer.Parameter?.Value ?? '';
    });
    console.log(
      `agent   ${'write to new value served (feed)'.padEnd(46)} p50 ${fmt(agentFresh.p50)} ms  p99 ` +
        `${fmt(agentFresh.p99)} ms  max ${fmt(agentFresh.max)} ms (${FEED_ROUNDS} writes)`,
    );
  } finally {
    viaAgent.destroy();
    await sdk.close();
    bare.stop();
    agent.stop();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
