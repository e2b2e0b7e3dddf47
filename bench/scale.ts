/**
 * `BENCH_ONLY=scale npm run bench`: Parameter Store at 1,000 and at BENCH_SCALE_PARAMS (default
 * 1,000,000) stored parameters, on SQLite and on PostgreSQL: GetParameter, GetParametersByPath
 * paging, DescribeParameters with filters (engine calls, as a request runs them), then a
 * `coffer serve --workers 1` start on the large store (time to "listening", RSS after reads).
 *
 * Rows are written through the storage layer in big transactions, values sealed by the barrier
 * and rows MACed as PutParameter would (what GetParameter reads back is real). The SQLite store
 * is cached in BENCH_SCALE_DIR between runs; PostgreSQL gets a database of its own, dropped after.
 * Targets: reads within 1.5x (GetParameter) and 2x (paging, filters) of the 1,000 figures; start
 * under 2 s; RSS under 300 MB. Every loop is bounded.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openCoffer, type Coffer } from '../src/bootstrap/open-coffer.js';
import { settingsFromEnv } from '../src/bootstrap/settings.js';
import { DEFAULT_SSM_KEY_ALIAS } from '../src/crypto/keyring.js';
import { ValueBarrier } from '../src/crypto/value-barrier.js';
import { valueContext } from '../src/engine/ssm/parameter-views.js';
import { fmt, measure, type Timing } from './measure.js';

const LARGE = Number(process.env.BENCH_SCALE_PARAMS ?? 1_000_000);
const SMALL = 1_000;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const PG_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const CACHE = process.env.BENCH_SCALE_DIR ?? join(tmpdir(), 'coffer-scale-cache');
const BATCH = 5_000;
const ROOT = { accessKeyId: 'AKIACOFFERSCALEROOT1', secretAccessKey: 'coffer-scale-root-secret-0123456789abcdef' };
const ctx = { account: '000000000000', region: 'us-east-1', principalArn: 'arn:aws:iam::000000000000:root' };
/** Ten to a folder, a hundred folders to a team: paths of every depth. */
const nameOf = (i: number) => `/scale/team${Math.floor(i / 1000)}/app${Math.floor(i / 10) % 100}/p${i % 10}`;
const BIN = join(import.meta.dirname, '..', 'bin', 'coffer.js');

interface Figures {
  get: Timing;
  byPath: Timing;
  describeBegins: Timing;
  describeType: Timing;
}

/** Writes parameters [from, to) through the storage layer, sealed as PutParameter seals them. */
async function populate(coffer: Coffer, from: number, to: number, parallel: number): Promise<void> {
  const barrier = new ValueBarrier(coffer.keyring);
  const key = await coffer.keyring.resolve(ctx, undefined, DEFAULT_SSM_KEY_ALIAS);
  const started = performance.now();
  let next = from;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < to) {
        const start = next;
        const end = Math.min(to, start + BATCH);
        next = end;
        await coffer.storage.transaction(async (tx) => {
          for (let i = start; i < end; i++) {
            const name = nameOf(i);
            const secure = i % 5 === 0;
            await tx.insertVersion(ctx, {
              name,
              version: 1,
              type: secure ? 'SecureString' : 'String',
              keyId: null,
              tier: 'Standard',
              dataType: 'text',
              description: null,
              allowedPattern: null,
              policies: null,
              value: barrier.seal(`value-${i}`, key.keyId, valueContext(ctx, name, 1)),
              lastModifiedDate: Date.now(),
              lastModifiedUser: ctx.principalArn,
            });
            await tx.setLatestVersion(ctx, name, 1);
          }
        });
        if (end % 100_000 === 0) console.log(`  ... ${fmt(end)} stored`);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  console.log(`  populated ${fmt(to - from)} in ${seconds.toFixed(1)} s (${fmt((to - from) / seconds)}/s)`);
}

/** The reads the targets name, spread over the `count` stored parameters. */
async function readFigures(coffer: Coffer, count: number): Promise<Figures> {
  const figures = await readFiguresOnce(coffer, count, 1);
  // The first pass warms the caches (a store just filled, or opened cold); the second counts.
  return SECONDS > 1 ? readFiguresOnce(coffer, count, SECONDS) : figures;
}

async function readFiguresOnce(coffer: Coffer, count: number, seconds: number): Promise<Figures> {
  const store = coffer.parameters;
  const pick = (i: number) => (i * 7919) % count;
  const get = await measure(seconds, 20_000, (i) => store.getParameter(ctx, { Name: nameOf(pick(i)) }));
  const byPath = await measure(seconds, 5_000, async (i) => {
    // Three pages of a team's folder, recursive, 10 at a time (keyset cursors).
    const team = `/scale/team${Math.floor(pick(i) / 1000)}`;
    let token: string | undefined;
    for (let page = 0; page < 3; page++) {
      const out = await store.getParametersByPath(ctx, {
        Path: team,
        Recursive: true,
        MaxResults: 10,
        ...(token ? { NextToken: token } : {}),
      });
      token = out.NextToken;
      if (!token) break;
    }
  });
  const describeBegins = await measure(seconds, 5_000, (i) =>
    store.describeParameters(ctx, {
      ParameterFilters: [{ Key: 'Name', Option: 'BeginsWith', Values: [nameOf(pick(i)).slice(0, -3)] }],
      MaxResults: 50,
    }),
  );
  const describeType = await measure(seconds, 5_000, (i) =>
    store.describeParameters(ctx, {
      ParameterFilters: [
        { Key: 'Type', Values: ['SecureString'] },
        { Key: 'Path', Option: 'Recursive', Values: [`/scale/team${Math.floor(pick(i) / 1000)}`] },
      ],
      MaxResults: 50,
    }),
  );
  return { get, byPath, describeBegins, describeType };
}

function report(backend: string, small: Figures, large: Figures): void {
  const rows: [string, keyof Figures, number][] = [
    ['GetParameter', 'get', 1.5],
    ['GetParametersByPath, 3 pages of 10', 'byPath', 2],
    ['DescribeParameters Name BeginsWith', 'describeBegins', 2],
    ['DescribeParameters Type + Path', 'describeType', 2],
  ];
  // Judged on the median: on a shared machine the mean and p99 carry other tenants' load.
  for (const [label, key, target] of rows) {
    const ratio = large[key].p50Us / small[key].p50Us;
    console.log(
      `${backend.padEnd(9)} ${label.padEnd(36)} p50 ${fmt(small[key].p50Us)} -> ${fmt(large[key].p50Us)} µs ` +
        `x${ratio.toFixed(2)} ${ratio <= target ? 'ok' : `OVER ${target}x`} (mean ${fmt(small[key].meanUs)} -> ` +
        `${fmt(large[key].meanUs)} µs, p99 ${fmt(small[key].p99Us)} -> ${fmt(large[key].p99Us)} µs)`,
    );
  }
}

/** Starts `coffer serve --workers 1` on the store; the time to its "listening" line and its RSS after reads. */
async function serverStart(env: Record<string, string>): Promise<{ startMs: number; rssMb: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--workers', '1', '--quiet'], {
    env: {
      ...process.env,
      ...env,
      COFFER_ROOT_ACCESS_KEY_ID: ROOT.accessKeyId,
      COFFER_ROOT_SECRET_ACCESS_KEY: ROOT.secretAccessKey,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (d: Buffer) => {
    output += d.toString();
  });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start: ${output}`)), 60_000);
      child.stderr.on('data', () => {
        const m = /listening on http:\/\/[^:]+:(\d+)/.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      child.on('exit', () => reject(new Error(`server exited: ${output}`)));
    });
    const startMs = performance.now() - started;
    // Reads through the wire (health probes touch the store): then the resident size.
    for (let i = 0; i < 200; i++) await fetch(`http://127.0.0.1:${port}/ready`).then((r) => r.arrayBuffer());
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    return { startMs, rssMb: rssKb / 1024 };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

/** Opens the store `env` names, runs `work`, closes it. */
async function withCoffer<T>(env: Record<string, string>, work: (coffer: Coffer) => Promise<T>): Promise<T> {
  const coffer = await openCoffer(settingsFromEnv(env), env, {});
  try {
    return await work(coffer);
  } finally {
    await coffer.close();
  }
}

/**
 * A PostgreSQL store just filled in bulk is not one that has been running: none of its rows has
 * been vacuumed, so the first read of each heap page sets its hint bits (a write) and the planner
 * has no statistics. Autovacuum does this on a running store in its own time; here it is done
 * before the reads, so they measure the store as it runs (BENCHMARKS.md: the fill's effect).
 */
async function settle(env: Record<string, string>): Promise<void> {
  if (!env.COFFER_DATABASE_URL || process.env.BENCH_SCALE_VACUUM === 'off') return;
  const client = new pg.Client({ connectionString: env.COFFER_DATABASE_URL });
  await client.connect();
  try {
    await client.query('VACUUM (ANALYZE)');
  } finally {
    await client.end();
  }
}

/** `largeEnv` holds `cached` parameters already (a cached SQLite store), or none. */
async function scaleOn(
  backend: 'sqlite' | 'postgres',
  smallEnv: Record<string, string>,
  largeEnv: Record<string, string>,
  cached: number,
): Promise<void> {
  const small = await withCoffer(smallEnv, async (coffer) => {
    await populate(coffer, 0, SMALL, 1);
    await settle(smallEnv);
    return readFigures(coffer, SMALL);
  });
  const large = await withCoffer(largeEnv, async (coffer) => {
    if (cached < LARGE) await populate(coffer, cached, LARGE, backend === 'postgres' ? 6 : 1);
    await settle(largeEnv);
    return readFigures(coffer, LARGE);
  });
  report(backend, small, large);
  // Node's own start is most of it on a busy machine: the small store's start says how much.
  const baseline = await serverStart(smallEnv);
  const start = await serverStart(largeEnv);
  console.log(
    `${backend.padEnd(9)} coffer serve start: ${fmt(SMALL)}: ${fmt(baseline.startMs)} ms, ${fmt(LARGE)}: ` +
      `${fmt(start.startMs)} ms (${start.startMs < 2000 ? 'ok' : 'OVER 2 s'}); RSS ${fmt(baseline.rssMb)} -> ` +
      `${fmt(start.rssMb)} MB (${start.rssMb < 300 ? 'ok' : 'OVER 300 MB'})`,
  );
}

/** A fresh PostgreSQL database for the run: its URL, and how to drop it. */
async function scratchDatabase(name: string): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

export async function runScaleBench(): Promise<void> {
  console.log(`\nscale: ${fmt(SMALL)} vs ${fmt(LARGE)} parameters (engine calls, ${SECONDS} s each)`);
  const backends = process.env.BENCH_SCALE_BACKENDS ?? 'sqlite,postgres';
  const scratch = mkdtempSync(join(tmpdir(), 'coffer-scale-'));
  try {
    if (backends.includes('sqlite')) {
      const dir = join(CACHE, `sqlite-${LARGE}`);
      const done = join(dir, 'populated');
      // A store left by an interrupted run is started over.
      if (existsSync(dir) && !existsSync(done)) rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      const cached = existsSync(done) ? LARGE : 0;
      await scaleOn('sqlite', { COFFER_DATA_DIR: join(scratch, 'small') }, { COFFER_DATA_DIR: dir }, cached);
      writeFileSync(done, `${LARGE}\n`);
    }
    if (backends.includes('postgres')) {
      const small = await scratchDatabase(`coffer_scale_small_${process.pid}`);
      const large = await scratchDatabase(`coffer_scale_${process.pid}`);
      try {
        await scaleOn(
          'postgres',
          { COFFER_DATA_DIR: join(scratch, 'pg-small'), COFFER_DATABASE_URL: small.url },
          { COFFER_DATA_DIR: join(scratch, 'pg-large'), COFFER_DATABASE_URL: large.url },
          0,
        );
      } finally {
        await small.drop();
        await large.drop();
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
