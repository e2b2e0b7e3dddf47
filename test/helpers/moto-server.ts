/**
 * moto_server as a peer for tests and benchmarks: started on a free loopback port, reached with
 * the real @aws-sdk/client-ssm, stopped at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { SSMClient } from '@aws-sdk/client-ssm';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** A running moto_server and an SSM client pointed at it. */
export interface MotoPeer {
  endpoint: string;
  client: SSMClient;
  stop(): void;
}

/** Starts moto_server, or returns undefined when it is not installed. */
export async function startMoto(): Promise<MotoPeer | undefined> {
  const port = await freePort();
  let child: ChildProcess;
  try {
    child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  const failed = new Promise<undefined>((resolve) => child.on('error', () => resolve(undefined)));
  const endpoint = `http://127.0.0.1:${port}`;
  const ready = (async () => {
    for (let i = 0; i < 100; i++) {
      try {
        await fetch(`${endpoint}/moto-api/`);
        return true;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    return false;
  })();
  if (!(await Promise.race([ready, failed]))) {
    child.kill();
    return undefined;
  }
  const client = new SSMClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  return {
    endpoint,
    client,
    stop: () => {
      client.destroy();
      child.kill();
    },
  };
}
