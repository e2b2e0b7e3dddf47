/**
 * Wire-level benchmark: the real `coffer serve` process, moto_server and a bare Node HTTP server
 * (the ceiling: a fixed 200-byte JSON answer to every POST) driven by the same load generator
 * with the same signed requests, in one run, and Coffer again with its audit trail off as a
 * reference. Prints req/s, p50/p99, ratios, and for Coffer its CPU time per request (main thread,
 * all threads: steadier than req/s on a shared machine).
 */
import { spawn } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { startMoto } from '../test/helpers/moto-server.js';
import { ROOT, startServer } from '../test/helpers/server-process.js';
import { drive, prepare, type LoadResult, type PreparedRequest } from './load-generator.js';
import { fmt, processCpuUs } from './measure.js';

const SECONDS = Number(process.env.BENCH_WIRE_SECONDS ?? 5);
const STORED = 1000;
/** The reference target: Coffer with its audit trail off. */
const AUDIT_OFF = 'no-audit';
const name = (i: number) => `/bench/app/p${String(i).padStart(4, '0')}`;

export async function startBareServer(): Promise<{ endpoint: string; stop(): void }> {
  const script = `const body = JSON.stringify({ Parameter: { Name: '/x', Value: 'y'.repeat(150) } })
      .slice(0, 200).padEnd(200, ' ');
    const headers = { 'content-type': 'application/x-amz-json-1.1', 'content-length': 200 };
    const answer = (s) => { s.writeHead(200, headers); s.end(body); };
    require('http').createServer((q, s) => { q.resume(); q.on('end', () => answer(s)); })
      .listen(0, '127.0.0.1', function () { console.log(this.address().port); });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) =>
    child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))),
  );
  return { endpoint: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

async function seed(
  client: SSMClient,
  endpoint: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
): Promise<void> {
  const sm = new SecretsManagerClient({ endpoint, region: 'us-east-1', credentials });
  for (let i = 0; i < 8; i++)
    await sm.send(
      new CreateSecretCommand({
        Name: `bench/secret-${i}`,
        SecretString: JSON.stringify({ username: 'app', password: `pw-${i}` }),
      }),
    );
  sm.destroy();
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < STORED) {
        const i = next++;
        await client.send(new PutParameterCommand({ Name: name(i), Value: `secret-value-${i}`, Type: 'SecureString' }));
      }
    }),
  );
}

type Scenario = { label: string; connections: number; requests: (endpoint: string) => Promise<PreparedRequest[]> };

const sign = (endpoint: string, target: string, input: object) => prepare(endpoint, ROOT, target, input);
const SCENARIOS: Scenario[] = [
  ...[1, 8, 32].map((connections) => ({
    label: `GetParameter SecureString decrypted, ${connections} conn`,
    connections,
    requests: (e: string) =>
      Promise.all(
        Array.from({ length: connections }, (_, i) =>
          sign(e, 'AmazonSSM.GetParameter', { Name: name((i * 37) % STORED), WithDecryption: true }),
        ),
      ),
  })),
  {
    label: 'PutParameter SecureString overwrite, 8 conn',
    connections: 8,
    requests: (e) =>
      Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          sign(e, 'AmazonSSM.PutParameter', {
            Name: `/bench/put/c${i}`,
            Value: 'v'.repeat(64),
            Type: 'SecureString',
            Overwrite: true,
          }),
        ),
      ),
  },
  {
    label: 'Secrets Manager GetSecretValue, 8 conn',
    connections: 8,
    requests: (e) =>
      Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          prepare(e, ROOT, 'secretsmanager.GetSecretValue', { SecretId: `bench/secret-${i}` }, 'secretsmanager'),
        ),
      ),
  },
  {
    label: `GetParametersByPath over ${STORED}, 8 conn`,
    connections: 8,
    requests: (e) =>
      Promise.all([
        sign(e, 'AmazonSSM.GetParametersByPath', {
          Path: '/bench/app',
          Recursive: true,
          WithDecryption: true,
          MaxResults: 10,
        }),
      ]),
  },
];

/** The server's CPU per request over a run: its main thread's, and all its threads' (the audit ledger's too). */
function cpuPerRequest(before: { main: number; all: number }, after: { main: number; all: number }, n: number): string {
  return `  CPU/request ${fmt((after.main - before.main) / n)} µs main, ${fmt((after.all - before.all) / n)} µs all`;
}

function line(target: string, label: string, r: LoadResult, cpu = ''): void {
  console.log(
    `${target.padEnd(8)} ${label.padEnd(46)} ${fmt(r.perSecond).padStart(8)} req/s  p50 ${fmt(r.p50Ms)} ms  p99 ` +
      `${fmt(r.p99Ms)} ms${r.errors ? `  (${r.errors} errors)` : ''}${cpu}`,
  );
}

/** A server under test (undefined from `start` when it cannot run here: moto_server missing). */
interface Target {
  readonly name: string;
  start(): Promise<
    | {
        endpoint: string;
        client: SSMClient;
        credentials: { accessKeyId: string; secretAccessKey: string };
        pid?: number;
        stop(): unknown;
      }
    | undefined
  >;
}

const coffer = (env: Record<string, string>) => async () => {
  const server = await startServer({ args: ['--quiet'], env });
  return { ...server, client: server.client(), credentials: ROOT, pid: server.child.pid, stop: () => server.stop() };
};

/**
 * Coffer, the same server with its audit trail off (COFFER_AUDIT=off, which exists for benchmarks
 * and tests), and moto_server. The second is a reference, never a way to run: it shows how much of
 * each bar the trail's work stands between (BENCHMARKS.md).
 */
const TARGETS: Target[] = [
  { name: 'coffer', start: coffer({}) },
  { name: AUDIT_OFF, start: coffer({ COFFER_AUDIT: 'off' }) },
  {
    name: 'moto',
    start: async () => {
      const moto = await startMoto();
      return moto && { ...moto, credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } };
    },
  },
];

type Started = { name: string; endpoint: string; pid?: number };

/**
 * After a run, until the server is quiet (under a tenth of a core for 100 ms, at most 3 s): its
 * audit ledger chains the run's last events and its timers index them after the load stops, and
 * that work belongs to its own figures, not to the next target's run.
 */
async function settle(target: Started): Promise<void> {
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  await pause(300);
  if (target.pid === undefined) return;
  for (const until = Date.now() + 3_000; Date.now() < until; ) {
    const before = processCpuUs(target.pid)?.all;
    await pause(100);
    const after = processCpuUs(target.pid)?.all;
    if (before === undefined || after === undefined || after - before < 10_000) return;
  }
}

/**
 * Each scenario on every target in turn (all started and seeded first), so a slow stretch of the
 * machine falls on the targets of one scenario alike rather than on whichever ran then; the two
 * Coffer servers swap places from one scenario to the next, so neither always runs first.
 */
async function runScenarios(targets: readonly Started[]): Promise<Map<string, Map<string, LoadResult>>> {
  const results = new Map(targets.map((t) => [t.name, new Map<string, LoadResult>()]));
  for (const [i, scenario] of SCENARIOS.entries()) {
    const order = i % 2 === 0 || targets.length < 2 ? targets : [targets[1]!, targets[0]!, ...targets.slice(2)];
    for (const target of order) {
      const requests = await scenario.requests(target.endpoint);
      const before = target.pid === undefined ? undefined : processCpuUs(target.pid);
      const r = await drive(target.endpoint, requests, scenario.connections, SECONDS);
      // CPU until the server is quiet again: the work its run left behind is counted as its own.
      await settle(target);
      const after = target.pid === undefined ? undefined : processCpuUs(target.pid);
      results.get(target.name)!.set(scenario.label, r);
      line(target.name, scenario.label, r, before && after && cpuPerRequest(before, after, r.requests));
    }
  }
  return results;
}

export async function runWireBench(): Promise<void> {
  console.log(`\nWire benchmark: ${SECONDS}s per scenario, same signed requests for every target\n`);
  const bare = await startBareServer();
  const ceiling = new Map<number, LoadResult>();
  for (const connections of [1, 8, 32]) {
    const r = await drive(
      bare.endpoint,
      [{ headers: { 'content-type': 'application/x-amz-json-1.1' }, body: '{}' }],
      connections,
      SECONDS,
    );
    ceiling.set(connections, r);
    line('bare', `fixed 200-byte answer, ${connections} conn`, r);
  }
  bare.stop();
  const running: (Started & { stop(): unknown })[] = [];
  let results: Map<string, Map<string, LoadResult>>;
  try {
    for (const target of TARGETS) {
      const server = await target.start();
      if (!server) continue;
      running.push({ ...server, name: target.name });
      await seed(server.client, server.endpoint, server.credentials);
    }
    results = await runScenarios(running);
  } finally {
    await Promise.allSettled(running.map((server) => server.stop()));
  }
  console.log(
    '\nRatios: Coffer req/s over moto_server req/s, and over the bare-server ceiling at the same connections' +
      ` (in brackets: ${AUDIT_OFF}, the reference)`,
  );
  for (const scenario of SCENARIOS) {
    const m = results.get('moto')?.get(scenario.label);
    // Reads only: a durable write or a listing is not the bare server's kind of answer.
    const bare = /^(GetParameter |Secrets Manager GetSecretValue)/.test(scenario.label)
      ? ceiling.get(scenario.connections)
      : undefined;
    const ratios = (target: string) => {
      const c = results.get(target)?.get(scenario.label);
      if (!c) return 'not run';
      return `${m ? `${fmt(c.perSecond / m.perSecond)}x moto` : 'moto not run'}${
        bare ? `  ${(c.perSecond / bare.perSecond).toFixed(2)}x bare` : ''
      }`;
    };
    console.log(`  ${scenario.label.padEnd(46)} ${ratios('coffer')}  (${ratios(AUDIT_OFF)})`);
  }
  printTargets(results, ceiling);
}

/** Issue 15's bars, each said met or not, from this run's figures (and where the reference stands). */
function printTargets(results: Map<string, Map<string, LoadResult>>, ceiling: Map<number, LoadResult>): void {
  const bare8 = ceiling.get(8)!.perSecond;
  const get8 = 'GetParameter SecureString decrypted, 8 conn';
  const get32 = 'GetParameter SecureString decrypted, 32 conn';
  const secret = 'Secrets Manager GetSecretValue, 8 conn';
  const put = 'PutParameter SecureString overwrite, 8 conn';
  const byPath = `GetParametersByPath over ${STORED}, 8 conn`;
  const of = (target: string, label: string) => results.get(target)?.get(label);
  const overMoto = (target: string, label: string) => {
    const c = of(target, label);
    const m = of('moto', label);
    return c && m ? c.perSecond / m.perSecond : Number.NaN;
  };
  const overBare = (target: string, label: string) => (of(target, label)?.perSecond ?? Number.NaN) / bare8;
  // What each bar reads from a target's figures, its unit, and whether a figure meets it.
  const bars: [string, (target: string) => number, string, (value: number) => boolean][] = [
    [`${get8}: x bare (bar 0.3)`, (t) => overBare(t, get8), '', (v) => v >= 0.3],
    [`${get32}: p99 (bar 5 ms)`, (t) => of(t, get32)?.p99Ms ?? Number.NaN, ' ms', (v) => v < 5],
    [`${secret}: x bare (bar 0.3)`, (t) => overBare(t, secret), '', (v) => v >= 0.3],
    [`${byPath}: x moto (bar 40)`, (t) => overMoto(t, byPath), '', (v) => v >= 40],
    [`${put}: x moto (bar 20)`, (t) => overMoto(t, put), '', (v) => v >= 20],
  ];
  const [load] = loadavg();
  console.log(
    `\nIssue 15 bars (this run; load average ${load!.toFixed(1)} on ${availableParallelism()} cores` +
      `${load! > availableParallelism() ? ': other processes shared the cores, so every figure is low' : ''})` +
      `; last column: ${AUDIT_OFF}, the reference`,
  );
  const shown = (value: number, unit: string, met: (value: number) => boolean) =>
    Number.isNaN(value) ? 'not run' : `${value.toFixed(2)}${unit}  ${met(value) ? 'met' : 'NOT met'}`;
  for (const [what, figure, unit, met] of bars) {
    console.log(
      `  ${what.padEnd(66)} ${shown(figure('coffer'), unit, met).padEnd(18)} (${shown(figure(AUDIT_OFF), unit, met)})`,
    );
  }
}
