/**
 * Small timing helpers for the benchmarks: run an async operation repeatedly for a bounded
 * time and report throughput and latency percentiles.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Latency summary of one measured operation. */
export interface Timing {
  ops: number;
  seconds: number;
  perSecond: number;
  meanUs: number;
  p50Us: number;
  p99Us: number;
}

/** Calls `op(i)` sequentially until `seconds` pass or `maxOps` calls are done. */
export async function measure(seconds: number, maxOps: number, op: (i: number) => Promise<unknown>): Promise<Timing> {
  const samples: number[] = [];
  const start = performance.now();
  const end = start + seconds * 1000;
  for (let i = 0; i < maxOps && performance.now() < end; i++) {
    const t = performance.now();
    await op(i);
    samples.push((performance.now() - t) * 1000);
  }
  const elapsed = (performance.now() - start) / 1000;
  samples.sort((a, b) => a - b);
  const pick = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? NaN;
  return {
    ops: samples.length,
    seconds: elapsed,
    perSecond: samples.length / elapsed,
    meanUs: samples.reduce((a, b) => a + b, 0) / samples.length,
    p50Us: pick(0.5),
    p99Us: pick(0.99),
  };
}

/** Runs `count` calls of `op` with `concurrency` workers; returns calls per second. */
export async function throughput(
  count: number,
  concurrency: number,
  op: (i: number) => Promise<unknown>,
): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await op(next++);
    }),
  );
  return count / ((performance.now() - start) / 1000);
}

/** Formats a number with at most one decimal. */
export function fmt(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1);
}

/**
 * CPU time a process has used so far, its main thread's and all its threads' (Linux /proc, in
 * µs; undefined elsewhere). Steadier than requests per second on a shared machine: a server
 * preempted by its neighbours answers fewer requests but spends the same CPU on each.
 */
export function processCpuUs(pid: number): { main: number; all: number } | undefined {
  const ticksToUs = 1e6 / 100; // USER_HZ is 100 on Linux
  try {
    let main = 0;
    let all = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const fields = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      const ticks = Number(fields[11]) + Number(fields[12]);
      all += ticks;
      if (tid === String(pid)) main = ticks;
    }
    return { main: main * ticksToUs, all: all * ticksToUs };
  } catch {
    return undefined;
  }
}
