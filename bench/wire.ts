/**
 * Wire-level benchmark: the real `coffer serve` process, moto_server and a bare Node HTTP server
 * (the ceiling: a fixed 200-byte JSON answer to every POST) driven by the same load generator
 * with the same signed requests, in one run. Prints req/s, p50/p99, ratios, and for Coffer its CPU
 * time per request (main thread, all threads: steadier than req/s on a shared machine).
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
    `${target.padEnd(7)} ${label.padEnd(46)} ${fmt(r.perSecond).padStart(8)} req/s  p50 ${fmt(r.p50Ms)} ms  p99 ` +
      `${fmt(r.p99Ms)} ms${r.errors ? `  (${r.errors} errors)` : ''}${cpu}`,
  );
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
  const results = new Map<string, Map<string, LoadResult>>();
  const coffer = await startServer({ args: ['--quiet'] });
  const moto = await startMoto();
  try {
    const targets: [string, string, SSMClient][] = [['coffer', coffer.endpoint, coffer.client()]];
    if (moto) targets.push(['moto', moto.endpoint, moto.client]);
    for (const [target, endpoint, client] of targets) {
      await seed(client, endpoint, target === 'coffer' ? ROOT : { accessKeyId: 'bench', secretAccessKey: 'bench' });
      const byScenario = new Map<string, LoadResult>();
      for (const scenario of SCENARIOS) {
        const requests = await scenario.requests(endpoint);
        const pid = target === 'coffer' ? coffer.child.pid : undefined;
        const before = pid === undefined ? undefined : processCpuUs(pid);
        const r = await drive(endpoint, requests, scenario.connections, SECONDS);
        const after = pid === undefined ? undefined : processCpuUs(pid);
        byScenario.set(scenario.label, r);
        line(target, scenario.label, r, before && after && cpuPerRequest(before, after, r.requests));
      }
      results.set(target, byScenario);
    }
  } finally {
    moto?.stop();
    await coffer.stop();
  }
  console.log(
    '\nRatios: Coffer req/s over moto_server req/s, and over the bare-server ceiling at the same connections',
  );
  for (const scenario of SCENARIOS) {
    const c = results.get('coffer')!.get(scenario.label)!;
    const m = results.get('moto')?.get(scenario.label);
    // Reads only: a durable write or a listing is not the bare server's kind of answer.
    const bare = /^(GetParameter |Secrets Manager GetSecretValue)/.test(scenario.label)
      ? ceiling.get(scenario.connections)
      : undefined;
    const bareShare = bare ? `  ${(c.perSecond / bare.perSecond).toFixed(2)}x bare` : '';
    console.log(
      `  ${scenario.label.padEnd(46)} ${m ? `${fmt(c.perSecond / m.perSecond)}x moto` : 'moto not run'}${bareShare}`,
    );
  }
  printTargets(results, ceiling);
}

/** Issue 15's bars, each said met or not, from this run's figures. */
function printTargets(results: Map<string, Map<string, LoadResult>>, ceiling: Map<number, LoadResult>): void {
  const coffer = (label: string) => results.get('coffer')!.get(label)!;
  const moto = (label: string) => results.get('moto')?.get(label);
  const bare8 = ceiling.get(8)!.perSecond;
  const get8 = 'GetParameter SecureString decrypted, 8 conn';
  const get32 = 'GetParameter SecureString decrypted, 32 conn';
  const secret = 'Secrets Manager GetSecretValue, 8 conn';
  const put = 'PutParameter SecureString overwrite, 8 conn';
  const byPath = `GetParametersByPath over ${STORED}, 8 conn`;
  const overMoto = (label: string) => {
    const m = moto(label);
    return m ? coffer(label).perSecond / m.perSecond : Number.NaN;
  };
  const bars: [string, number, string, boolean][] = [
    [`${get8}: x bare (bar 0.3)`, coffer(get8).perSecond / bare8, '', coffer(get8).perSecond / bare8 >= 0.3],
    [`${get32}: p99 (bar 5 ms)`, coffer(get32).p99Ms, ' ms', coffer(get32).p99Ms < 5],
    [`${secret}: x bare (bar 0.3)`, coffer(secret).perSecond / bare8, '', coffer(secret).perSecond / bare8 >= 0.3],
    [`${byPath}: x moto (bar 40)`, overMoto(byPath), '', overMoto(byPath) >= 40],
    [`${put}: x moto (bar 20)`, overMoto(put), '', overMoto(put) >= 20],
  ];
  const [load] = loadavg();
  console.log(
    `\nIssue 15 bars (this run; load average ${load!.toFixed(1)} on ${availableParallelism()} cores` +
      `${load! > availableParallelism() ? ': other processes shared the cores, so every figure is low' : ''})`,
  );
  for (const [what, value, unit, met] of bars) {
    const figure = Number.isNaN(value) ? 'moto not run' : `${value.toFixed(2)}${unit}  ${met ? 'met' : 'NOT met'}`;
    console.log(`  ${what.padEnd(66)} ${figure}`);
  }
}
