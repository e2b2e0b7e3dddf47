/**
 * Runs the real `coffer serve` process for end-to-end tests: a fresh store, fixed root
 * credentials, a free port, every line it prints kept for leak checks.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { SSMClient } from '@aws-sdk/client-ssm';
import { testLocation, type BackendName, type TestLocation } from './test-stores.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'coffer.js');

export const ROOT = {
  accessKeyId: 'AKIACOFFERTESTROOT01',
  secretAccessKey: 'coffer-test-root-secret-0123456789abcdef',
};

/** A running server. */
export interface RunningServer {
  readonly endpoint: string;
  readonly port: number;
  readonly location: TestLocation;
  readonly child: ChildProcess;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  client(credentials?: { accessKeyId: string; secretAccessKey: string }, region?: string): SSMClient;
  /** Stops the process (SIGTERM) and, unless `keepStore`, removes its store. */
  stop(options?: { keepStore: boolean }): Promise<number | null>;
}

/**
 * Starts `coffer serve --port 0` on a fresh store (or on `location`, to restart on a kept one),
 * as one process, or as COFFER_TEST_WORKERS workers (COFFER_TEST_WORKERS=2 node --test ...).
 */
export async function startServer(
  options: {
    backend?: BackendName;
    dev?: boolean;
    env?: Record<string, string>;
    args?: string[];
    nodeArgs?: string[];
    location?: TestLocation;
  } = {},
): Promise<RunningServer> {
  const location = options.location ?? testLocation(options.backend ?? 'sqlite');
  const args = [
    ...(options.nodeArgs ?? []),
    BIN,
    'serve',
    '--port',
    '0',
    ...(options.dev ? ['--dev'] : []),
    ...(options.args ?? []),
  ];
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      ...location.env(),
      COFFER_ROOT_ACCESS_KEY_ID: ROOT.accessKeyId,
      COFFER_ROOT_SECRET_ACCESS_KEY: ROOT.secretAccessKey,
      // One process unless COFFER_TEST_WORKERS asks for more: per-process limits (streams,
      // failed-authentication budgets) and /metrics are what the end-to-end tests check.
      COFFER_WORKERS: process.env.COFFER_TEST_WORKERS ?? '1',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${output}`)), 20_000);
    const poll = setInterval(() => {
      const m = /listening on https?:\/\/(?:\[[^\]]+\]|[^:]+):(\d+)/.exec(output);
      if (m) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    }, 20);
    void exited.then(() => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`server exited: ${output}`));
    });
  });
  const endpoint = `${/listening on https/.test(output) ? 'https' : 'http'}://127.0.0.1:${port}`;
  const clients: SSMClient[] = [];
  return {
    endpoint,
    port,
    location,
    child,
    output: () => output,
    client(credentials = ROOT, region = 'us-east-1') {
      const client = new SSMClient({ endpoint, region, credentials, maxAttempts: 1 });
      clients.push(client);
      return client;
    },
    async stop(options = { keepStore: false }) {
      for (const client of clients) client.destroy();
      child.kill('SIGTERM');
      const code = await exited;
      if (!options.keepStore) await location.destroy();
      return code;
    },
  };
}
