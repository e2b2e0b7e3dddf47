/**
 * Runs the real `coffer agent` process in front of an upstream, for tests and benchmarks: its
 * own key pair and token, the upstream read with the root credentials, every line it prints kept.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './server-process.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'coffer.js');

/** The agent's credentials as its local clients present them. */
export interface AgentKeys {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly token: string;
}

export interface RunningAgent {
  readonly endpoint: string;
  output(): string;
  stop(): void;
}

/** Starts `coffer agent --upstream URL --port 0 [args]` and waits for it to listen. */
export async function startAgent(
  upstream: string,
  dataDir: string,
  keys: AgentKeys,
  args: readonly string[] = [],
): Promise<RunningAgent> {
  const child = spawn(process.execPath, [BIN, 'agent', '--upstream', upstream, '--port', '0', ...args], {
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: ROOT.accessKeyId,
      AWS_SECRET_ACCESS_KEY: ROOT.secretAccessKey,
      AWS_REGION: 'us-east-1',
      COFFER_DATA_DIR: dataDir,
      COFFER_AGENT_ACCESS_KEY_ID: keys.accessKeyId,
      COFFER_AGENT_SECRET_ACCESS_KEY: keys.secretAccessKey,
      COFFER_AGENT_TOKEN: keys.token,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (d: Buffer) => {
    output += d.toString();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const port = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`agent did not start: ${output}`)), 20_000);
    const poll = setInterval(() => {
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (m) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve(m[1]!);
      }
    }, 20);
    child.once('exit', () => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`agent exited: ${output}`));
    });
  });
  return { endpoint: `http://127.0.0.1:${port}`, output: () => output, stop: () => child.kill('SIGTERM') };
}
