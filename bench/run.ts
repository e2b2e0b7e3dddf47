/**
 * `npm run bench`: Parameter Store engine throughput and latency on SQLite and PostgreSQL with
 * BENCH_PARAMS parameters stored (default 100,000), side by side with moto_server over its
 * wire API in the same run, with ratios. Every loop is bounded in count and time.
 */
import { rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { GetParameterCommand, GetParametersByPathCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import pg from 'pg';
import { openCoffer, type Coffer } from '../src/bootstrap/open-coffer.js';
import { fmt, measure, throughput, type Timing } from './measure.js';
import { startMoto } from '../test/helpers/moto-server.js';
import { runAuthorizationBench } from './authorization.js';
import { runWireBench } from './wire.js';
import { runAuditBench } from './audit.js';
import { runClientBench } from './client.js';
import { runSyncBench } from './sync.js';
import { ensureWrk } from './load-generator.js';
import { runScaleBench } from './scale.js';
import { runWorkersBench } from './workers.js';

// The AWS SDK's notice that its 2027 releases need Node 22, printed once per client otherwise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const PARAMS = Number(process.env.BENCH_PARAMS ?? 100_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const PG_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ctx = { account: '000000000000', region: 'us-east-1', principalArn: 'arn:aws:iam::000000000000:root' };
/** Parameters live ten to a folder, so a one-level GetParametersByPath returns a full page. */
const nameOf = (i: number) => `/bench/app${Math.floor(i / 10)}/p${i % 10}`;
const results: { backend: string; metric: string; value: string; timing?: Timing }[] = [];

function record(backend: string, metric: string, value: string, timing?: Timing): void {
  results.push({ backend, metric, value, timing });
  console.log(`${backend.padEnd(10)} ${metric.padEnd(46)} ${value}`);
}

function latency(t: Timing): string {
  return (
    `mean ${fmt(t.meanUs)} µs, p50 ${fmt(t.p50Us)} µs, p99 ${fmt(t.p99Us)} µs (${fmt(t.perSecond)}/s, ${t.ops} ` +
    `ops)`
  );
}

async function benchCoffer(backend: 'sqlite' | 'postgres', coffer: Coffer): Promise<Map<string, Timing>> {
  const store = coffer.parameters;
  const put = (i: number) =>
    store.putParameter(ctx, {
      Name: nameOf(i),
      Value: `secret-${i}-${randomBytes(8).toString('hex')}`,
      Type: 'SecureString',
    });
  const firstBatch = Math.min(2000, PARAMS);
  record(backend, 'put SecureString, 1 writer', `${fmt(await throughput(firstBatch, 1, put))}/s`);
  const concurrency = backend === 'postgres' ? 8 : 1;
  const seedStart = performance.now();
  let next = firstBatch;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < PARAMS) await put(next++);
    }),
  );
  record(
    backend,
    `seed to ${PARAMS.toLocaleString('en-US')} params (${concurrency} writer${concurrency > 1 ? 's' : ''})`,
    `${fmt((PARAMS - firstBatch) / ((performance.now() - seedStart) / 1000))}/s`,
  );
  const pick = () => Math.floor(Math.random() * PARAMS);
  const timings = new Map<string, Timing>();
  const get = await measure(SECONDS, 1_000_000, () =>
    store.getParameter(ctx, { Name: nameOf(pick()), WithDecryption: true }),
  );
  timings.set('get', get);
  record(backend, 'GetParameter SecureString, decrypted', latency(get), get);
  const byPath = await measure(SECONDS, 1_000_000, () =>
    store.getParametersByPath(ctx, { Path: `/bench/app${Math.floor(pick() / 10)}`, WithDecryption: true }),
  );
  timings.set('byPath', byPath);
  record(backend, 'GetParametersByPath, 10 results, decrypted', latency(byPath), byPath);
  const version = await measure(SECONDS, 1_000_000, () =>
    store.getParameter(ctx, { Name: `${nameOf(pick())}:1`, WithDecryption: true }),
  );
  record(backend, 'GetParameter NAME:1 selector', latency(version), version);
  return timings;
}

async function main(): Promise<void> {
  console.log(`Coffer bench: ${PARAMS.toLocaleString('en-US')} parameters, ${SECONDS}s per latency measurement\n`);
  const dataDir = mkdtempSync(join(tmpdir(), 'coffer-bench-'));
  const schema = `coffer_bench_${randomBytes(4).toString('hex')}`;
  const coffers: Record<string, Map<string, Timing>> = {};
  try {
    const sqlite = await openCoffer({ dataDir, databaseUrl: undefined, account: ctx.account, region: ctx.region }, {});
    coffers.sqlite = await benchCoffer('sqlite', sqlite);
    await sqlite.close();
    const postgres = await openCoffer(
      { dataDir, databaseUrl: `${PG_URL}?schema=${schema}`, account: ctx.account, region: ctx.region },
      {},
    );
    coffers.postgres = await benchCoffer('postgres', postgres);
    await postgres.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }

  const moto = await startMoto();
  if (!moto) {
    console.log('\nmoto_server not found: no side-by-side figures');
    return;
  }
  try {
    const motoParams = Math.min(PARAMS, 2000);
    const put = (i: number) =>
      moto.client.send(new PutParameterCommand({ Name: nameOf(i), Value: `secret-${i}`, Type: 'SecureString' }));
    record(
      'moto',
      `put SecureString over HTTP (${motoParams} params)`,
      `${fmt(await throughput(motoParams, 1, put))}/s`,
    );
    const pick = () => Math.floor(Math.random() * motoParams);
    const get = await measure(SECONDS, 100_000, () =>
      moto.client.send(new GetParameterCommand({ Name: nameOf(pick()), WithDecryption: true })),
    );
    record('moto', 'GetParameter SecureString, decrypted', latency(get), get);
    const byPath = await measure(SECONDS, 100_000, () =>
      moto.client.send(
        new GetParametersByPathCommand({ Path: `/bench/app${Math.floor(pick() / 10)}`, WithDecryption: true }),
      ),
    );
    record('moto', 'GetParametersByPath, 10 results, decrypted', latency(byPath), byPath);
    console.log('\nRatios (moto_server mean latency / Coffer mean latency; >1 means Coffer is faster).');
    console.log('Coffer is measured at the engine (no HTTP yet); moto through its HTTP wire API with the AWS SDK.');
    for (const backend of ['sqlite', 'postgres']) {
      console.log(
        `  ${backend.padEnd(9)} GetParameter ${fmt(get.meanUs / coffers[backend]!.get('get')!.meanUs)}x   ` +
          `GetParametersByPath ${fmt(byPath.meanUs / coffers[backend]!.get('byPath')!.meanUs)}x`,
      );
    }
  } finally {
    moto.stop();
  }
}

// BENCH_ONLY=engine|wire|auth|audit|client|sync|scale|workers runs one part; unset runs the first six
// (scale's million-row stores take minutes to fill; workers pins processes to cores).
const only = process.env.BENCH_ONLY;
// The wire, auth, audit and client parts drive their servers with wrk: installed first if missing, or a clear
// failure before anything runs.
if (!only || ['wire', 'auth', 'audit', 'client'].includes(only)) ensureWrk();
if (!only || only === 'engine') await main();
if (!only || only === 'wire') await runWireBench();
if (!only || only === 'auth') await runAuthorizationBench();
if (!only || only === 'audit') await runAuditBench();
if (!only || only === 'client') await runClientBench();
if (!only || only === 'sync') await runSyncBench();
if (only === 'scale') await runScaleBench();
if (only === 'workers') await runWorkersBench();
