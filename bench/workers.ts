/**
 * `BENCH_ONLY=workers npm run bench`: `coffer serve --workers 1` against `--workers 2` on the
 * same store, GetParameter (SecureString, decrypted) and a mixed set with 1 write in 10, through
 * wrk at 16 connections for BENCH_WORKERS_SECONDS (default 8) each. wrk (and this process) is
 * pinned to the last core, the server to all of them: on a 2-core machine the second worker
 * competes with wrk, so the figure is a floor of what a core adds, not a projection.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { ROOT, startServer } from '../test/helpers/server-process.js';
import { testLocation } from '../test/helpers/test-stores.js';
import { drive, prepare, type PreparedRequest } from './load-generator.js';
import { fmt } from './measure.js';

const SECONDS = Number(process.env.BENCH_WORKERS_SECONDS ?? 8);
const CONNECTIONS = 16;
const cores = availableParallelism();

function pin(pid: number, cpus: string): void {
  execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
}

async function requestSets(endpoint: string): Promise<{ reads: PreparedRequest[]; mixed: PreparedRequest[] }> {
  const reads: PreparedRequest[] = [];
  const mixed: PreparedRequest[] = [];
  for (let i = 0; i < 50; i++) {
    const get = await prepare(endpoint, ROOT, 'AmazonSSM.GetParameter', { Name: `/w/p${i}`, WithDecryption: true });
    reads.push(get);
    mixed.push(
      i % 10 === 0
        ? await prepare(endpoint, ROOT, 'AmazonSSM.PutParameter', {
            Name: `/w/p${i}`,
            Value: `v${i}`,
            Type: 'SecureString',
            Overwrite: true,
          })
        : get,
    );
  }
  return { reads, mixed };
}

export async function runWorkersBench(): Promise<void> {
  console.log(
    `\nworkers: ${cores} cores, wrk pinned to core ${cores - 1}, ${CONNECTIONS} connections, ${SECONDS} s each`,
  );
  pin(process.pid, String(cores - 1));
  const location = testLocation('sqlite');
  try {
    for (const workers of ['1', '2']) {
      const server = await startServer({ location, env: { COFFER_WORKERS: workers, COFFER_AUDIT_DIGEST_MS: '60000' } });
      try {
        pin(server.child.pid!, `0-${cores - 1}`);
        const pid = server.child.pid!;
        const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/);
        for (const child of children.filter(Boolean)) pin(Number(child), `0-${cores - 1}`);
        const client = server.client();
        for (let i = 0; i < 50; i++)
          await client.send(
            new PutParameterCommand({ Name: `/w/p${i}`, Value: `v${i}`, Type: 'SecureString', Overwrite: true }),
          );
        const { reads, mixed } = await requestSets(server.endpoint);
        for (const [label, set] of [
          ['GetParameter (decrypted)', reads],
          ['mixed, 1 PutParameter in 10', mixed],
        ] as const) {
          const r = await drive(server.endpoint, set, CONNECTIONS, SECONDS);
          console.log(
            `--workers ${workers}  ${label.padEnd(30)} ${fmt(r.perSecond)}/s, p50 ${fmt(r.p50Ms)} ms, p99 ` +
              `${fmt(r.p99Ms)} ms, ${r.errors} errors`,
          );
        }
      } finally {
        await server.stop({ keepStore: true });
      }
    }
  } finally {
    await location.destroy();
  }
}
