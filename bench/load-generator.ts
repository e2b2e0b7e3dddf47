/**
 * The benchmarks' one load generator: wrk (the Debian package), replaying requests signed once
 * (SigV4 signatures stay valid for 15 minutes, so the figures measure the server, not the
 * client's signing). wrk is C with one event loop per thread: a Node generator on the same two
 * cores took as much CPU as the server it measured. `ensureWrk` installs it when it is missing
 * and apt-get can; BENCH_WRK_BATCH=1 runs it as SCHED_BATCH (see BENCHMARKS.md: a woken wrk
 * otherwise preempts the server it measures at nearly every answer). Loopback only; bounded in time.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
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
export async function prepare(
  endpoint: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
  target: string,
  input: object,
  service = 'ssm',
): Promise<PreparedRequest> {
  const url = new URL(endpoint);
  if (!/^(127\.|localhost$|\[::1\]$)/.test(url.hostname))
    throw new Error('benchmarks only send load to loopback addresses');
  const body = JSON.stringify(input);
  const signer = new SignatureV4({ credentials, region: 'us-east-1', service, sha256: NodeSha256 });
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    query: {},
    headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
    body,
  });
  return { headers: signed.headers as Record<string, string>, body };
}

const run = promisify(execFile);

const onPath = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;

/**
 * Makes sure wrk is installed: when it is not, runs `apt-get install -y wrk` (after
 * `apt-get update` if the first try fails) where apt-get exists and this process is root; else,
 * or if that fails, throws saying how to install it. Each step bounded (five minutes).
 */
export function ensureWrk(): void {
  if (onPath('wrk')) return;
  const root = process.getuid?.() === 0;
  if (root && onPath('apt-get')) {
    console.log('wrk is not installed: apt-get install -y wrk');
    const install = () =>
      spawnSync('apt-get', ['install', '-y', 'wrk'], { stdio: 'inherit', timeout: 300_000 }).status === 0;
    if (!install()) {
      spawnSync('apt-get', ['update'], { stdio: 'inherit', timeout: 300_000 });
      install();
    }
    if (onPath('wrk')) return;
  }
  throw new Error(
    'the wire benchmarks need wrk (a C load generator), which is not installed' +
      (root ? ' and apt-get could not install' : '') +
      ': install it (Debian/Ubuntu: sudo apt-get install -y wrk; macOS: brew install wrk) and run again',
  );
}

/** wrk's command line: as SCHED_BATCH when BENCH_WRK_BATCH=1 (and chrt exists). */
function wrkCommand(args: string[]): [string, string[]] {
  if (process.env.BENCH_WRK_BATCH !== '1') return ['wrk', args];
  if (!onPath('chrt')) throw new Error('BENCH_WRK_BATCH=1 needs chrt (util-linux)');
  return ['chrt', ['--batch', '0', 'wrk', ...args]];
}

/** Lua for wrk: the requests formatted once, taken in turn; a summary line wrk's own report lacks. */
function wrkScript(requests: readonly PreparedRequest[]): string {
  const lua = (text: string) => {
    // JSON's string escapes are Lua's too, for printable ASCII (\uXXXX is not): signed requests are that.
    if (!/^[\x20-\x7e]*$/.test(text)) throw new Error('wrk requests must be printable ASCII');
    return JSON.stringify(text);
  };
  const specs = requests.map((r) => {
    const headers = Object.entries(r.headers)
      .filter(([k]) => !['host', 'content-length'].includes(k.toLowerCase()))
      .map(([k, v]) => `[${lua(k)}]=${lua(v)}`)
      .join(',');
    return `{{${headers}}, ${lua(r.body)}}`;
  });
  // Formatted in init(), where each thread's wrk table knows the host; sent in turn.
  return `local specs = {${specs.join(',\n')}}
local requests, n, i = {}, 0, 0
function init(args)
  for k, s in ipairs(specs) do requests[k] = wrk.format("POST", "/", s[1], s[2]) end
  n = #requests
end
function request() i = i % n + 1; return requests[i] end
function done(summary, latency)
  local e = summary.errors
  io.write(string.format("COFFER-WRK %d %d %d %d %.0f %.0f\\n", summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout, e.status, latency:percentile(50), latency:percentile(99)))
end
`;
}

/** Runs wrk with `connections` connections for `seconds`, replaying `requests` in turn. */
export async function drive(
  endpoint: string,
  requests: readonly PreparedRequest[],
  connections: number,
  seconds: number,
): Promise<LoadResult> {
  const url = new URL(endpoint);
  if (!/^(127\.|localhost$|\[::1\]$)/.test(url.hostname))
    throw new Error('benchmarks only send load to loopback addresses');
  const dir = mkdtempSync(join(tmpdir(), 'coffer-wrk-'));
  try {
    const script = join(dir, 'requests.lua');
    writeFileSync(script, wrkScript(requests));
    const args = [
      '-t1',
      `-c${connections}`,
      `-d${Math.max(1, Math.round(seconds))}s`,
      '--timeout',
      '10s',
      '-s',
      script,
      endpoint,
    ];
    const [command, commandArgs] = wrkCommand(args);
    const { stdout } = await run(command, commandArgs, { timeout: (seconds + 30) * 1000 }).catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') ensureWrk();
        throw error;
      },
    );
    const m = /COFFER-WRK (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)/.exec(stdout);
    if (!m) throw new Error(`wrk printed no summary: ${stdout}`);
    const [requestsDone, durationUs, socketErrors, statusErrors, p50Us, p99Us] = m.slice(1).map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    return {
      requests: requestsDone,
      errors: socketErrors + statusErrors,
      perSecond: requestsDone / (durationUs / 1e6),
      p50Ms: p50Us / 1000,
      p99Ms: p99Us / 1000,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
