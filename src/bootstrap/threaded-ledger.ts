/**
 * The audit ledger on a thread of its own (audit-ledger-thread.ts), as a Ledger: each call is a
 * message, answered when the ledger has done it. If the thread dies, the calls waiting on it
 * fail (so do their requests: the trail fails closed) and the next call starts it again.
 */
import { Worker } from 'node:worker_threads';
import type { AuditDigestRow, AuditEventQuery, ResourceReadRow, StoredAuditEvent } from '../storage/audit-rows.js';
import type { LedgerEntry } from '../engine/audit/audit-chain.js';
import type { EventRange, ExportCursor, ExportPage, Ledger } from '../engine/audit/audit-ledger.js';
import type { VerifyReport } from '../engine/audit/audit-verifier.js';
import type { LedgerThreadData } from './audit-ledger-thread.js';
import {
  describeError,
  rebuildError,
  type LedgerMethod,
  type LedgerNotice,
  type LedgerReply,
} from './ledger-messages.js';

/** How long a closing thread may take to finish. */
const CLOSE_MS = 10_000;

interface Waiting {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/**
 * Starts the thread's entry point: the compiled file, or under the test runner (tsx, which a
 * worker does not inherit) the TypeScript source, through tsx's loader registered first.
 */
function startWorker(data: LedgerThreadData): Worker {
  const source = import.meta.url.endsWith('.ts');
  const entry = new URL(`./audit-ledger-thread.${source ? 'ts' : 'js'}`, import.meta.url);
  if (!source) return new Worker(entry, { workerData: data });
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap =
    `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return ` + `import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: data });
}

export class ThreadedLedger implements Ledger {
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private closed = false;

  private constructor(
    private readonly data: LedgerThreadData,
    private readonly onNotice: (notice: LedgerNotice) => void,
  ) {}

  /**
   * Starts the thread; resolves once its storage is open and migrated. `onNotice` hears what the
   * thread says unasked (chaining the journal failed or works again, a problem it found), and
   * that chaining stopped while no thread runs (it died) and works again once one is ready.
   */
  static async start(
    data: LedgerThreadData,
    onNotice: (notice: LedgerNotice) => void = () => {},
  ): Promise<ThreadedLedger> {
    const ledger = new ThreadedLedger(data, onNotice);
    await ledger.started();
    return ledger;
  }

  private started(): Promise<void> {
    if (this.ready) return this.ready;
    const worker = startWorker(this.data);
    this.worker = worker;
    this.ready = new Promise<void>((resolve, reject) => {
      const gone = (error: Error) => {
        if (this.worker === worker) {
          this.worker = undefined;
          this.ready = undefined;
          // Nothing chains the journal until a thread runs again (the next call starts one).
          if (!this.closed && this.data.journal) this.onNotice({ notice: 'chain-failed', error: describeError(error) });
        }
        reject(error);
        for (const [id, w] of this.waiting) {
          this.waiting.delete(id);
          w.reject(error);
        }
      };
      worker.on('message', (reply: LedgerReply) => {
        if ('notice' in reply) {
          this.onNotice(reply);
          return;
        }
        if ('ready' in reply) {
          this.idle();
          if (reply.ready) {
            // A thread (re)started: whatever the last one said of chaining, this one says anew.
            if (this.data.journal) this.onNotice({ notice: 'chain-ok' });
            resolve();
          } else gone(rebuildError(reply.error));
          return;
        }
        const w = this.waiting.get(reply.id);
        if (!w) return;
        this.waiting.delete(reply.id);
        this.idle();
        if ('error' in reply) w.reject(rebuildError(reply.error));
        else w.resolve(reply.value);
      });
      worker.on('error', (error) => gone(error));
      worker.on('exit', (code) => gone(new Error(`the audit ledger's thread stopped (exit code ${code})`)));
    });
    return this.ready;
  }

  /** An idle thread does not keep the process alive (the server's own work does); one with calls waiting does. */
  private idle(): void {
    if (this.waiting.size === 0) this.worker?.unref();
  }

  private async call<T>(method: LedgerMethod, ...args: unknown[]): Promise<T> {
    if (this.closed) throw new Error('the audit ledger is closed');
    await this.started();
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.worker!.ref();
      this.worker!.postMessage({ id, method, args });
    });
  }

  append(entries: readonly LedgerEntry[], sync: boolean): Promise<(number | null)[]> {
    return this.call('append', entries, sync);
  }

  catchUp(): Promise<void> {
    return this.call('catchUp');
  }

  sync(): Promise<void> {
    return this.call('sync');
  }

  seal(now: number): Promise<AuditDigestRow | undefined> {
    return this.call('seal', now);
  }

  prune(now: number): Promise<number> {
    return this.call('prune', now);
  }

  indexResources(): Promise<void> {
    return this.call('indexResources');
  }

  readActivity(
    account: string,
    prefix: string,
    since: number,
    recentSince: number,
    within?: { first: string; last: string },
  ): Promise<ResourceReadRow[]> {
    return this.call('readActivity', account, prefix, since, recentSince, within);
  }

  lookup(query: AuditEventQuery): Promise<StoredAuditEvent[]> {
    return this.call('lookup', query);
  }

  verify(range: EventRange): Promise<VerifyReport> {
    return this.call('verify', range);
  }

  exportPage(range: EventRange, cursor: ExportCursor | undefined): Promise<ExportPage> {
    return this.call('exportPage', range, cursor);
  }

  /** Asks the thread to finish (chain the journal, close its storage) and stop: at most CLOSE_MS, then it is stopped
   * anyway. */
  async close(): Promise<void> {
    if (this.closed) return;
    const worker = this.worker;
    if (worker) {
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CLOSE_MS);
      });
      await Promise.race([this.call('close').catch(() => {}), deadline]);
      this.closed = true;
      worker.ref();
      await Promise.race([exited, deadline]);
      clearTimeout(timer);
      await worker.terminate();
    }
    this.closed = true;
  }
}
