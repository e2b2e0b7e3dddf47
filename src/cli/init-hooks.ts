/**
 * Init hooks (`COFFER_INIT_DIR`, `coffer serve --init DIR`), LocalStack's init scripts for
 * Coffer: once the server answers, every executable file and every `*.json` seed file in the
 * directory runs or is loaded, in name order. Scripts get AWS_ENDPOINT_URL, the root
 * credentials and the region in their environment, so the aws CLI, boto3 and the SDKs talk to
 * this server; their output goes to the server's log, a line at a time. Each file runs once per
 * store: one that succeeded is remembered (by name and content) and skipped at the next start;
 * one that failed is reported, with its exit code, and tried again at the next start.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Coffer } from '../bootstrap/open-coffer.js';
import type { RequestContext } from '../engine/request-context.js';
import { applySeed, readSeed, seededCounts } from './seed-file.js';

/** How long one script may run. */
const SCRIPT_TIMEOUT_MS = 5 * 60_000;

/** What a script is told: where the server is and who it is. */
export interface InitEnvironment {
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
}

/** How the init directory's files went. */
export interface InitOutcome {
  readonly ran: number;
  readonly skipped: number;
  readonly failed: string[];
}

const isExecutable = (path: string) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** The files of `dir` that init runs: executables and *.json seeds, in name order. */
interface InitFile {
  readonly name: string;
  readonly path: string;
  readonly kind: 'script' | 'seed';
}

function initFiles(dir: string): InitFile[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name): InitFile[] => {
      const path = join(dir, name);
      if (!statSync(path).isFile()) return [];
      if (name.endsWith('.json')) return [{ name, path, kind: 'seed' }];
      return isExecutable(path) ? [{ name, path, kind: 'script' }] : [];
    });
}

/**
 * The environment a script runs in: the server's, without its own settings (COFFER_*: the master
 * key, the database URL, the metrics token) or the operator's AWS ones, plus where and who to be.
 */
function scriptEnvironment(env: InitEnvironment): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(([name]) => !/^(COFFER_|AWS_)/.test(name));
  return {
    ...Object.fromEntries(inherited),
    AWS_ENDPOINT_URL: env.endpoint,
    COFFER_ENDPOINT: env.endpoint,
    AWS_ACCESS_KEY_ID: env.accessKeyId,
    AWS_SECRET_ACCESS_KEY: env.secretAccessKey,
    AWS_REGION: env.region,
    AWS_DEFAULT_REGION: env.region,
    AWS_PAGER: '',
  };
}

function runScript(path: string, env: InitEnvironment, log: (line: string) => void): Promise<number> {
  const child = spawn(path, [], { stdio: ['ignore', 'pipe', 'pipe'], env: scriptEnvironment(env) });
  for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream }).on('line', log);
  const timer = setTimeout(() => child.kill('SIGKILL'), SCRIPT_TIMEOUT_MS);
  return new Promise((resolve) => {
    child.on('error', () => resolve(127));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}

/** Runs the init directory once the server answers; `log` gets one line per event and per line of output. */
export async function runInitHooks(
  coffer: Coffer,
  ctx: RequestContext,
  dir: string,
  env: InitEnvironment,
  log: (line: string) => void,
): Promise<InitOutcome> {
  const outcome: InitOutcome = { ran: 0, skipped: 0, failed: [] };
  let files: InitFile[];
  try {
    files = initFiles(dir);
  } catch (error) {
    log(`init: cannot read ${dir} (${(error as NodeJS.ErrnoException).code ?? (error as Error).name})`);
    return { ...outcome, failed: [dir] };
  }
  for (const file of files) {
    const key = `init:${file.name}`;
    const digest = createHash('sha256').update(readFileSync(file.path)).digest();
    const done = await coffer.storage.getMeta(key);
    if (done?.equals(digest)) {
      log(`init: ${file.name} already ran on this store (skipped)`);
      (outcome as { skipped: number }).skipped++;
      continue;
    }
    log(`init: ${file.kind === 'seed' ? 'loading' : 'running'} ${file.name}`);
    let ok: boolean;
    if (file.kind === 'seed') {
      try {
        const seeded = await applySeed(coffer, ctx, readSeed(file.path), file.name);
        log(`init: ${file.name}: ${seededCounts(seeded)}`);
        ok = true;
      } catch (error) {
        log(`init: ${(error as Error).message}`);
        ok = false;
      }
    } else {
      const code = await runScript(file.path, env, (line) => log(`init: ${file.name}: ${line}`));
      ok = code === 0;
      if (!ok) log(`init: ${file.name} FAILED with exit code ${code} (it runs again at the next start)`);
    }
    if (ok) {
      await coffer.storage.transaction((tx) => tx.putMeta(key, digest));
      (outcome as { ran: number }).ran++;
    } else {
      outcome.failed.push(file.name);
    }
  }
  return outcome;
}
