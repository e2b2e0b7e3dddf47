/**
 * The primary of `coffer serve --workers N`: forks N workers (node:cluster: they share one
 * port, the primary handing out connections in turn on Linux), waits until each listens, relays
 * what one worker must tell the others (a commit, for their change feeds; a --dev clock move,
 * acknowledged by all before the move is answered), replaces a worker that dies, and stops them
 * all, each finishing its in-flight requests.
 */
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { Clock } from '../engine/clock.js';
import { UsageError } from './cli-command.js';
import { isCofferMessage, type FromWorker, type ToWorker } from './worker-messages.js';

const MAX_WORKERS = 64;
/** A worker that dies is replaced after this long (a worker that cannot start is not retried in a tight loop). */
const RESTART_DELAY_MS = 1000;

/** The number of worker processes: --workers, else COFFER_WORKERS, else one per core. */
export function workerCount(option: string | undefined, env: NodeJS.ProcessEnv): number {
  const text = option ?? (env.COFFER_WORKERS || undefined);
  if (text === undefined) return Math.min(availableParallelism(), MAX_WORKERS);
  const count = Number(text);
  if (!Number.isInteger(count) || count < 1 || count > MAX_WORKERS)
    throw new UsageError(`--workers must be a whole number from 1 to ${MAX_WORKERS}, not ${text}`);
  return count;
}

interface ClockMove {
  readonly origin: Worker;
  readonly originId: number;
  readonly waiting: Set<Worker>;
}

/** The workers of one server. */
export class WorkerPool {
  private readonly ready = new Set<Worker>();
  private readonly moves = new Map<number, ClockMove>();
  private nextMove = 1;
  /** How far --dev moved the clock since start: a replacement worker is moved as far. */
  private advancedMs = 0;
  private rootFile: string | undefined;
  private stopping = false;

  constructor(
    private readonly count: number,
    private readonly clock: Clock,
    private readonly err: (text: string) => void,
  ) {}

  /** Forks the workers; resolves with their port once all listen, rejects if one exits first. */
  async start(): Promise<number> {
    const ports = await Promise.all(Array.from({ length: this.count }, () => this.fork()));
    return ports[0]!;
  }

  /** Tells every worker (and every later one) where the root credentials are, for its error hints. */
  setRootFile(file: string): void {
    this.rootFile = file;
    this.broadcast({ coffer: 'root-file', file });
  }

  /** Passes a signal on (SIGHUP: reload the TLS certificate). */
  signal(name: NodeJS.Signals): void {
    for (const worker of this.ready) worker.process.kill(name);
  }

  /**
   * Asks every worker to finish its in-flight requests and exit; resolves when all have. One
   * still starting (it may not listen to its channel yet) gets SIGTERM, which stops it either way.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    const exits = Object.values(cluster.workers ?? {}).map((worker) => {
      if (!worker || worker.isDead()) return Promise.resolve();
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      if (this.ready.has(worker)) this.send(worker, { coffer: 'stop' });
      else worker.process.kill('SIGTERM');
      return exited;
    });
    await Promise.all(exits);
  }

  private fork(): Promise<number> {
    const worker = cluster.fork();
    return new Promise<number>((resolve, reject) => {
      worker.on('message', (message: unknown) => {
        if (!isCofferMessage<FromWorker>(message)) return;
        if (message.coffer === 'ready') {
          this.ready.add(worker);
          if (this.rootFile) this.send(worker, { coffer: 'root-file', file: this.rootFile });
          if (this.advancedMs > 0) this.send(worker, { coffer: 'clock', id: 0, ms: this.advancedMs });
          resolve(message.port);
        } else this.relay(worker, message);
      });
      worker.on('exit', (code, signal) => {
        const wasReady = this.ready.delete(worker);
        for (const [id, move] of this.moves) {
          move.waiting.delete(worker);
          this.settle(id, move);
        }
        if (!wasReady) reject(new Error(`a worker exited before listening (${signal ?? `exit code ${code}`})`));
        else if (!this.stopping) this.replace(worker, code, signal);
      });
    });
  }

  private replace(worker: Worker, code: number | null, signal: string | null): void {
    this.err(
      `coffer: worker ${worker.process.pid} died (${signal ?? `exit code ${code}`}); starting another in ` +
        `${RESTART_DELAY_MS} ms\n`,
    );
    setTimeout(() => {
      if (this.stopping) return;
      this.fork().catch((error: unknown) =>
        this.err(`coffer: a replacement worker failed: ${(error as Error).message}\n`),
      );
    }, RESTART_DELAY_MS).unref();
  }

  private relay(from: Worker, message: FromWorker): void {
    if (message.coffer === 'changed') {
      for (const worker of this.ready) if (worker !== from) this.send(worker, { coffer: 'changed' });
    } else if (message.coffer === 'clock') {
      this.clock.advance(message.ms);
      this.advancedMs += message.ms;
      const id = this.nextMove++;
      const move = { origin: from, originId: message.id, waiting: new Set([...this.ready].filter((w) => w !== from)) };
      this.moves.set(id, move);
      for (const worker of move.waiting) this.send(worker, { coffer: 'clock', id, ms: message.ms });
      this.settle(id, move);
    } else if (message.coffer === 'clock-moved') {
      const move = this.moves.get(message.id);
      if (!move) return;
      move.waiting.delete(from);
      this.settle(message.id, move);
    }
  }

  /** Answers the worker that asked for a clock move once every other worker made it. */
  private settle(id: number, move: ClockMove): void {
    if (move.waiting.size > 0) return;
    this.moves.delete(id);
    if (!move.origin.isDead()) this.send(move.origin, { coffer: 'clock-done', id: move.originId });
  }

  private broadcast(message: ToWorker): void {
    for (const worker of this.ready) this.send(worker, message);
  }

  private send(worker: Worker, message: ToWorker): void {
    // A worker that is exiting may have closed its channel: its exit is handled on 'exit'.
    if (worker.isConnected()) worker.send(message, (error: Error | null) => void error);
  }
}
