/**
 * `coffer sync` of BENCH_SYNC_PARAMS parameters (default 10,000), with --verify: from one Coffer
 * server to another, and from a JSON file to Coffer; against a plain loop of PutParameter calls
 * to the same kind of server in the same run (the floor any copy pays). Bounded by its count.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { runCli } from '../src/cli/main.js';
import { ROOT, startServer } from '../test/helpers/server-process.js';
import { fmt } from './measure.js';

const COUNT = Number(process.env.BENCH_SYNC_PARAMS ?? 10_000);
const name = (prefix: string, i: number) => `${prefix}/team${Math.floor(i / 100)}/p${i % 100}`;
const value = (i: number) => `value-${i}-${'x'.repeat(32)}`;

/** Runs `coffer sync` in process, quietly; returns seconds taken. */
async function sync(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  let err = '';
  const io = { out: () => {}, err: (t: string) => void (err += t), errIsTty: false, readStdin: async () => '' };
  const started = performance.now();
  const code = await runCli(['sync', ...args, '--verify'], env, io);
  if (code !== 0) throw new Error(`coffer sync exited ${code}: ${err.slice(0, 500)}`);
  return (performance.now() - started) / 1000;
}

export async function runSyncBench(): Promise<void> {
  console.log(`\nSync: ${COUNT.toLocaleString('en-US')} parameters, --verify, against a plain PutParameter loop\n`);
  const source = await startServer({ args: ['--quiet'] });
  const target = await startServer({ args: ['--quiet'] });
  const dir = mkdtempSync(join(tmpdir(), 'coffer-sync-bench-'));
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: ROOT.accessKeyId,
    AWS_SECRET_ACCESS_KEY: ROOT.secretAccessKey,
    AWS_REGION: 'us-east-1',
    COFFER_DATA_DIR: join(dir, 'cli'),
  };
  try {
    const seed = source.client();
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < COUNT) {
          const i = next++;
          await seed.send(new PutParameterCommand({ Name: name('/bench', i), Value: value(i), Type: 'SecureString' }));
        }
      }),
    );
    const plainClient = target.client();
    const plainStarted = performance.now();
    for (let i = 0; i < COUNT; i++)
      await plainClient.send(
        new PutParameterCommand({ Name: name('/plain', i), Value: value(i), Type: 'SecureString' }),
      );
    const plain = COUNT / ((performance.now() - plainStarted) / 1000);
    console.log(`plain   ${'PutParameter loop, one at a time'.padEnd(46)} ${fmt(plain).padStart(8)} params/s`);

    const served = await sync(
      ['ssm:/bench', 'ssm:/copied', '--src-endpoint', source.endpoint, '--dst-endpoint', target.endpoint],
      env,
    );
    console.log(
      `sync    ${'server to server, plan + apply + verify'.padEnd(46)} ${fmt(COUNT / served).padStart(8)} params/s  ` +
        `(${(COUNT / served / plain).toFixed(2)}x the plain loop)`,
    );
    const again = await sync(
      ['ssm:/bench', 'ssm:/copied', '--src-endpoint', source.endpoint, '--dst-endpoint', target.endpoint],
      env,
    );
    console.log(
      `sync    ${'again, nothing to do (plan + verify)'.padEnd(46)} ${fmt(COUNT / again).padStart(8)} params/s`,
    );

    const file = join(dir, 'params.json');
    const tree: Record<string, Record<string, string>> = {};
    for (let i = 0; i < COUNT; i++) (tree[`team${Math.floor(i / 100)}`] ??= {})[`p${i % 100}`] = value(i);
    writeFileSync(file, JSON.stringify(tree));
    const fromFile = await sync([`file:${file}`, 'ssm:/from-file', '--dst-endpoint', target.endpoint], env);
    console.log(
      `sync    ${'JSON file to server, plan + apply + verify'.padEnd(46)} ` +
        `${fmt(COUNT / fromFile).padStart(8)} params/s  ` +
        `(${(COUNT / fromFile / plain).toFixed(2)}x the plain loop)`,
    );
  } finally {
    await source.stop();
    await target.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
