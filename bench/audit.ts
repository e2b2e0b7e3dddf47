/**
 * What the audit trail costs: the same `coffer serve` with the trail on and off
 * (COFFER_AUDIT=off exists only for this comparison and for tests), driven by wrk with the same
 * signed requests in one run. The issue's bar: GetParameter with the trail on keeps at least 85%
 * of the throughput with it off.
 *
 * Both servers run at once and take the load in turns, one-second slices alternating, so a slow
 * stretch of a shared machine (these are noisy VMs: the same run varies by a fifth) falls on both
 * alike instead of on whichever happened to run then.
 */
import { readFileSync } from 'node:fs';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { ROOT, startServer, type RunningServer } from '../test/helpers/server-process.js';
import { drive, prepare, type LoadResult, type PreparedRequest } from './load-generator.js';
import { fmt } from './measure.js';

// Ten 1 s slices per server and scenario by default: fewer leave the ratio to the machine's noise.
const SECONDS = Number(process.env.BENCH_AUDIT_SECONDS ?? 10);
const SLICE_SECONDS = 1;
const SETTLE_MS = 300;
const STORED = 200;
const name = (i: number) => `/bench/audit/p${String(i).padStart(4, '0')}`;

const getParameter = (connections: number) => ({
  label: `GetParameter SecureString decrypted, ${connections} conn`,
  connections,
  target: 'AmazonSSM.GetParameter',
  input: (i: number) => ({ Name: name((i * 37) % STORED), WithDecryption: true }),
});
const SCENARIOS = [
  getParameter(8),
  getParameter(32),
  {
    label: 'PutParameter SecureString overwrite, 8 conn',
    connections: 8,
    target: 'AmazonSSM.PutParameter',
    input: (i: number) => ({ Name: `/bench/put/c${i}`, Value: 'v'.repeat(64), Type: 'SecureString', Overwrite: true }),
  },
];

type Mode = 'off' | 'on';
type Slice = LoadResult & { cpuSeconds: number };

/** CPU seconds the process has used (Linux: utime + stime, in clock ticks of 1/100 s); NaN elsewhere. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

async function seeded(audit: Mode): Promise<RunningServer> {
  // Digests every 5 s instead of every minute: the same checking work per event, spread over
  // every slice instead of landing, a few seconds of it, on whichever slices hold the minute.
  const server = await startServer({ args: ['--quiet'], env: { COFFER_AUDIT: audit, COFFER_AUDIT_DIGEST_MS: '5000' } });
  const client = server.client();
  for (let i = 0; i < STORED; i++)
    await client.send(new PutParameterCommand({ Name: name(i), Value: `secret-value-${i}`, Type: 'SecureString' }));
  return server;
}

/** Slices of load on each server in turn until each had `SECONDS`; the totals per server. */
async function alternate(
  servers: Record<Mode, { endpoint: string; pid: number; requests: PreparedRequest[] }>,
  connections: number,
): Promise<Record<Mode, Slice>> {
  const slices: Record<Mode, Slice[]> = { off: [], on: [] };
  for (let s = 0; s < Math.max(1, Math.round(SECONDS / SLICE_SECONDS)); s++) {
    // Each round starts with the other server, so neither always runs first.
    for (const mode of (s % 2 === 0 ? ['off', 'on'] : ['on', 'off']) as Mode[]) {
      const { endpoint, pid, requests } = servers[mode];
      const before = cpuSeconds(pid);
      const result = await drive(endpoint, requests, connections, SLICE_SECONDS);
      // A quiet moment: the trail's thread finishes chaining this slice's events here, not in
      // the other server's slice, where its CPU would count against the other server.
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      slices[mode].push({ ...result, cpuSeconds: cpuSeconds(pid) - before });
    }
  }
  const total = (rs: Slice[]): Slice => {
    const requests = rs.reduce((n, r) => n + r.requests, 0);
    // A slice in which nothing completed (a stalled server) still took its second.
    const seconds = rs.reduce((n, r) => n + (r.requests > 0 ? r.requests / r.perSecond : SLICE_SECONDS), 0);
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    return {
      requests,
      errors: rs.reduce((n, r) => n + r.errors, 0),
      perSecond: requests / seconds,
      p50Ms: median(rs.map((r) => r.p50Ms)),
      p99Ms: Math.max(...rs.map((r) => r.p99Ms)),
      cpuSeconds: rs.reduce((n, r) => n + r.cpuSeconds, 0),
    };
  };
  return { off: total(slices.off), on: total(slices.on) };
}

export async function runAuditBench(): Promise<void> {
  console.log(
    `\nAudit trail cost: ${SECONDS}s per scenario per server, the same server with COFFER_AUDIT on and off, load in ` +
      `alternating ${SLICE_SECONDS}s slices\n`,
  );
  const servers = { off: await seeded('off'), on: await seeded('on') };
  const ratios: string[] = [];
  try {
    for (const s of SCENARIOS) {
      const requests = async (server: RunningServer) => ({
        endpoint: server.endpoint,
        pid: server.child.pid!,
        requests: await Promise.all(
          Array.from({ length: s.connections }, (_, i) => prepare(server.endpoint, ROOT, s.target, s.input(i))),
        ),
      });
      const result = await alternate(
        { off: await requests(servers.off), on: await requests(servers.on) },
        s.connections,
      );
      for (const mode of ['off', 'on'] as Mode[]) {
        const r = result[mode];
        const cpu = Number.isNaN(r.cpuSeconds) ? '' : `  server CPU ${fmt((r.cpuSeconds * 1e6) / r.requests)} µs/req`;
        console.log(
          `audit ${mode.padEnd(3)} ${s.label.padEnd(46)} ${fmt(r.perSecond).padStart(8)} req/s  p50 ${fmt(r.p50Ms)} ` +
            `ms  p99 ${fmt(r.p99Ms)} ms${cpu}${r.errors ? `  (${r.errors} errors)` : ''}`,
        );
      }
      const ratio = Math.round((result.on.perSecond / result.off.perSecond) * 100);
      const verdict = s.target === 'AmazonSSM.GetParameter' ? (ratio >= 85 ? '  at the bar' : '  BELOW the bar') : '';
      ratios.push(`  ${s.label.padEnd(46)} ${ratio}%${verdict}`);
    }
  } finally {
    await servers.off.stop();
    await servers.on.stop();
  }
  console.log('\nRatios: req/s with the audit trail on over req/s with it off (the bar for GetParameter: 85%)');
  for (const line of ratios) console.log(line);
}
