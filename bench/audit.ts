/**
 * What the audit trail costs: the same `coffer serve` with the trail on and off
 * (COFFER_AUDIT=off exists only for this comparison and for tests), driven with the same signed
 * requests in one run. The issue's bar: GetParameter with the trail on keeps at least 85% of
 * the throughput with it off.
 */
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { ROOT, startServer } from '../test/helpers/server-process.js';
import { drive, prepare, type LoadResult } from './load-generator.js';
import { fmt } from './measure.js';

const SECONDS = Number(process.env.BENCH_WIRE_SECONDS ?? 5);
const STORED = 200;
const name = (i: number) => `/bench/audit/p${String(i).padStart(4, '0')}`;

const SCENARIOS = [
  { label: 'GetParameter SecureString decrypted, 8 conn', connections: 8, target: 'AmazonSSM.GetParameter', input: (i: number) => ({ Name: name((i * 37) % STORED), WithDecryption: true }) },
  { label: 'GetParameter SecureString decrypted, 32 conn', connections: 32, target: 'AmazonSSM.GetParameter', input: (i: number) => ({ Name: name((i * 37) % STORED), WithDecryption: true }) },
  { label: 'PutParameter SecureString overwrite, 8 conn', connections: 8, target: 'AmazonSSM.PutParameter', input: (i: number) => ({ Name: `/bench/put/c${i}`, Value: 'v'.repeat(64), Type: 'SecureString', Overwrite: true }) },
];

async function measureServer(audit: 'on' | 'off'): Promise<Map<string, LoadResult>> {
  const server = await startServer({ args: ['--quiet'], env: { COFFER_AUDIT: audit } });
  const out = new Map<string, LoadResult>();
  try {
    const client = server.client();
    for (let i = 0; i < STORED; i++) await client.send(new PutParameterCommand({ Name: name(i), Value: `secret-value-${i}`, Type: 'SecureString' }));
    for (const s of SCENARIOS) {
      const requests = await Promise.all(Array.from({ length: s.connections }, (_, i) => prepare(server.endpoint, ROOT, s.target, s.input(i))));
      const r = await drive(server.endpoint, requests, s.connections, SECONDS);
      out.set(s.label, r);
      console.log(`audit ${audit.padEnd(3)} ${s.label.padEnd(46)} ${fmt(r.perSecond).padStart(8)} req/s  p50 ${fmt(r.p50Ms)} ms  p99 ${fmt(r.p99Ms)} ms${r.errors ? `  (${r.errors} errors)` : ''}`);
    }
  } finally {
    await server.stop();
  }
  return out;
}

export async function runAuditBench(): Promise<void> {
  console.log(`\nAudit trail cost: ${SECONDS}s per scenario, the same server with COFFER_AUDIT on and off\n`);
  const off = await measureServer('off');
  const on = await measureServer('on');
  console.log('\nRatios: req/s with the audit trail on over req/s with it off (the bar for GetParameter: 85%)');
  for (const s of SCENARIOS) console.log(`  ${s.label.padEnd(46)} ${Math.round((on.get(s.label)!.perSecond / off.get(s.label)!.perSecond) * 100)}%`);
}
