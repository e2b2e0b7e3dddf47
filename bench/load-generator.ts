/**
 * A closed-loop HTTP load generator for the wire benchmarks: one keep-alive connection per
 * worker, each replaying one request signed once (SigV4 signatures stay valid for 15 minutes,
 * so the figures measure the server, not the client's signing). Loopback only; bounded in time.
 */
import { Agent, request } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../test/helpers/node-sha256.js';

/** One request ready to send again and again. */
export interface PreparedRequest {
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Results of one load run. */
export interface LoadResult {
  readonly requests: number;
  readonly errors: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** Signs a JSON 1.1 request for `endpoint` once. */
export async function prepare(endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string }, target: string, input: object,
  service = 'ssm'): Promise<PreparedRequest> {
  const url = new URL(endpoint);
  if (!/^(127\.|localhost$|\[::1\]$)/.test(url.hostname)) throw new Error('benchmarks only send load to loopback addresses');
  const body = JSON.stringify(input);
  const signer = new SignatureV4({ credentials, region: 'us-east-1', service, sha256: NodeSha256 });
  const signed = await signer.sign({
    method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', query: {},
    headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target }, body,
  });
  return { headers: signed.headers as Record<string, string>, body };
}

function once(endpoint: URL, agent: Agent, prepared: PreparedRequest): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(endpoint, { method: 'POST', agent, headers: prepared.headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(prepared.body);
  });
}

/** Runs `connections` workers for `seconds`, worker i replaying requests[i % length]. */
export async function drive(endpoint: string, requests: readonly PreparedRequest[], connections: number, seconds: number): Promise<LoadResult> {
  const url = new URL(endpoint);
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(Array.from({ length: connections }, async (_, i) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const prepared = requests[i % requests.length]!;
    while (performance.now() < deadline) {
      const t = performance.now();
      const status = await once(url, agent, prepared).catch(() => 0);
      latencies.push(performance.now() - t);
      if (status !== 200) errors++;
    }
    agent.destroy();
  }));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pick = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { requests: latencies.length, errors, perSecond: latencies.length / elapsed, p50Ms: pick(0.5), p99Ms: pick(0.99) };
}
