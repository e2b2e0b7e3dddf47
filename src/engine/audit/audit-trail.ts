/**
 * The audit trail: every request's event, and every action Coffer takes by itself, appended to
 * one hash chain in the store, fail-closed. A request's first transaction carries its event (the
 * storage transaction hook), so a write and its event commit together; events of work that
 * wrote nothing are group-committed, many to a transaction, before the response leaves. Digests
 * are signed every interval with events and at shutdown; retention prunes behind a checkpoint.
 */
import type { AuditDigestRow, AuditEventQuery, ResourceReadRow, StoredAuditEvent } from '../../storage/audit-rows.js';
import { TamperedRowError } from '../../storage/row-integrity.js';
import type { Storage, StorageWriter } from '../../storage/storage.js';
import { appendEvents, appendRun, chainHash } from './audit-chain.js';
import { OwnAppends } from './own-appends.js';
import { appendDigest, type DigestSigner } from './audit-digests.js';
import { IndexRowSum, indexBatch, storedIndexSum } from './audit-resource-index.js';
import type { AuditEvent } from './audit-record.js';
import { currentDraft, runOutsideDrafts } from './audit-scope.js';
import type { ServiceEventSink } from './service-events.js';
import { verifyChain, type ChainedEvent, type VerifyReport } from './audit-verifier.js';

/** Told of every event once it is committed (alerts, the file sink). Must not throw. */
export type AuditListener = (event: AuditEvent) => void;

export interface AuditTrailOptions {
  /** COFFER_AUDIT=off turns the trail off (benchmarks and tests only). */
  readonly enabled: boolean;
  readonly retentionDays: number;
  /**
   * Whether events recorded on their own (reads, failures) wait for the disk: by default they
   * reach the database's log before the response leaves, surviving a crash of the process but
   * not a power loss (COFFER_AUDIT_SYNC=full makes them wait; writes' events always do).
   */
  readonly syncReads?: boolean;
  readonly now?: () => number;
}

interface Queued {
  event: AuditEvent;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Refused to sign: the chain since the last digest does not hold. */
export class AuditChainError extends Error {
  readonly code = 'AUDIT_CHAIN_BROKEN';
  constructor(message: string) {
    super(message);
    this.name = 'AuditChainError';
  }
}

const PAGE = 1000;

/** Event `seq` as stored, without its record (for its MAC and columns), if there is one. */
async function eventAt(reader: Pick<Storage, 'audit'>, seq: number): Promise<StoredAuditEvent | undefined> {
  const [row] = await reader.audit.listEvents({ afterSeq: seq - 1, beforeSeq: seq + 1, descending: false, limit: 1, withoutRecord: true });
  return row;
}
/** How often the resource index catches up with the chain on its own. */
const INDEX_INTERVAL_MS = 2000;
const MAX_GROUP = 500;

export class AuditTrail implements ServiceEventSink {
  readonly enabled: boolean;
  private readonly listeners: AuditListener[] = [];
  private readonly queue: Queued[] = [];
  private flushing = false;
  private timer: NodeJS.Timeout | undefined;
  private indexTimer: NodeJS.Timeout | undefined;
  private indexing: Promise<void> | undefined;
  /** What this process appended and saw committed: ranges a seal need not read back. */
  private readonly own = new OwnAppends();
  private readonly now: () => number;
  private writeListener: ((seconds: number) => void) | undefined;

  constructor(private readonly storage: Storage, private readonly signer: DigestSigner, private readonly options: AuditTrailOptions) {
    this.enabled = options.enabled;
    this.now = options.now ?? Date.now;
    if (this.enabled) storage.useTransactionHook((tx) => this.appendDraft(tx));
  }

  get publicKeyPem(): string {
    return this.signer.publicKeyPem;
  }

  subscribe(listener: AuditListener): void {
    this.listeners.push(listener);
  }

  /** Tells listeners of a committed event. */
  published(event: AuditEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A listener's fault is its own; the event is already durable.
      }
    }
  }

  /**
   * The transaction hook: the running work's event goes into its first transaction, and counts
   * as written once that commits (if it does not, the next transaction or the end of the work
   * writes it).
   */
  private async appendDraft(tx: StorageWriter): Promise<((committed: boolean) => void) | void> {
    const draft = currentDraft();
    if (!draft?.open) return;
    draft.pending = true;
    try {
      const { written: [event], run } = await appendRun(tx, [draft.build()], this.now());
      return (committed) => {
        draft.pending = false;
        if (!committed) return;
        draft.appended = event;
        if (run) this.own.add(run);
      };
    } catch (error) {
      draft.pending = false;
      throw error;
    }
  }

  /** Appends `event` inside `tx` (a service action's own transaction). */
  async appendIn(tx: StorageWriter, event: AuditEvent): Promise<AuditEvent> {
    return this.enabled ? (await appendEvents(tx, [event], this.now()))[0]! : event;
  }

  /**
   * Appends `event` (group-committed with others); resolves once it is durable. Events take
   * their group when the transaction's work starts, not when it is asked for: those recorded
   * while it waits for its turn (SQLite's next batch, a PostgreSQL connection) join it, so many
   * reads share one chain lookup and one savepoint.
   */
  record(event: AuditEvent): Promise<void> {
    if (!this.enabled) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ event, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  /** Appends events in one transaction of their own, then tells listeners. */
  private async append(take: () => readonly AuditEvent[]): Promise<void> {
    const started = performance.now();
    const { written, run } = await runOutsideDrafts(() => this.storage.transaction((tx) => appendRun(tx, take(), this.now()), { sync: this.options.syncReads === true }));
    if (run) this.own.add(run);
    this.writeListener?.((performance.now() - started) / 1000);
    for (const event of written) this.published(event);
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        let group: Queued[] | undefined;
        // Taken once: a store that ran the work again would append the same events.
        const take = () => (group ??= this.queue.splice(0, MAX_GROUP)).map((q) => q.event);
        try {
          await this.append(take);
        } catch (error) {
          // A transaction that failed before its work ran (no connection, a busy lock) took
          // nothing: its events fail now rather than wait on a store that refuses them.
          for (const q of group ?? this.queue.splice(0, MAX_GROUP)) q.reject(error);
          continue;
        }
        for (const q of group ?? []) q.resolve();
      }
    } finally {
      this.flushing = false;
    }
  }

  /**
   * Brings the resource index up to the chain's head (audit-resource-index.ts): on a timer, and
   * before every read of it. Concurrent callers share one run.
   */
  indexResources(): Promise<void> {
    this.indexing ??= runOutsideDrafts(async () => {
      try {
        while (await this.storage.transaction(async (tx) => {
          await tx.audit.lockChain();
          return indexBatch(tx);
        })) {
          // Requests go between batches.
          await new Promise((resolve) => setImmediate(resolve));
        }
      } finally {
        this.indexing = undefined;
      }
    });
    return this.indexing;
  }

  /** Successful reads of resources under `prefix` (the access report), from an index caught up first. */
  async readActivity(account: string, prefix: string, since: number, recentSince: number, within?: { first: string; last: string }): Promise<ResourceReadRow[]> {
    if (this.enabled) await this.indexResources();
    return this.storage.audit.readActivity(account, prefix, since, recentSince, within);
  }

  /** Events matching `query`; a row changed outside Coffer is refused, never shown. */
  async lookup(query: AuditEventQuery): Promise<{ event: StoredAuditEvent; record: object }[]> {
    const byResource = query.resourcePrefix !== undefined || query.attribute?.name === 'ResourceName' || query.attribute?.name === 'ResourceType';
    if (byResource && this.enabled) await this.indexResources();
    const rows = await this.storage.audit.listEvents(query);
    return rows.map((row) => {
      // The MAC covers the hash, the hash covers the record.
      if (!row.intact || chainHash(row.seq, row.prevHash, row.record) !== row.hash) throw new TamperedRowError('audit_events', String(row.seq));
      return { event: row, record: JSON.parse(row.record) as object };
    });
  }


  /**
   * Signs a digest of the events since the last one (none if there are none). They are checked
   * first outside any transaction, a page at a time with turns of the event loop between, so a
   * minute of events never holds the store (nor, on SQLite, the thread) at once; the digest then
   * signs exactly the range checked, in a short transaction.
   */
  seal(): Promise<AuditDigestRow | undefined> {
    return runOutsideDrafts(async () => {
      const last = await this.storage.audit.lastDigest();
      const head = await this.storage.audit.head();
      const firstSeq = (last?.lastSeq ?? 0) + 1;
      if (!head || head.seq < firstSeq) return undefined;
      // All written here and seen committed: the hash this process computed is what gets signed.
      if (!this.own.covers(firstSeq, head)) await this.checkUnsigned(this.storage, head.seq, last);
      const digest = await this.storage.transaction(async (tx) => {
        await tx.audit.lockChain();
        // Another node signed meanwhile: its digest covers these events, or the next one will.
        if ((await tx.audit.lastDigest())?.digestNo !== last?.digestNo) return undefined;
        const row = await eventAt(tx, head.seq);
        if (!row?.intact || row.hash !== head.hash) throw new AuditChainError(`event ${head.seq} changed while it was being checked`);
        return appendDigest(tx, this.signer, 'digest', { firstSeq, lastSeq: head.seq, headHash: head.hash }, this.now());
      });
      if (digest) this.own.forgetBefore(digest.lastSeq);
      return digest;
    });
  }

  /** seal() inside `tx`, which holds the chain lock (pruning signs what it is about to remove). */
  private async sealIn(tx: StorageWriter): Promise<AuditDigestRow | undefined> {
    const head = await tx.audit.head();
    const last = await tx.audit.lastDigest();
    const firstSeq = (last?.lastSeq ?? 0) + 1;
    if (!head || head.seq < firstSeq) return undefined;
    await this.checkUnsigned(tx, head.seq, last);
    return appendDigest(tx, this.signer, 'digest', { firstSeq, lastSeq: head.seq, headHash: head.hash }, this.now());
  }

  /**
   * Never sign what Coffer did not write: the rows after the last digest, through `throughSeq`,
   * must be intact and chained on from the last digest's head.
   */
  private async checkUnsigned(reader: Pick<Storage, 'audit'>, throughSeq: number, last: AuditDigestRow | undefined): Promise<void> {
    const digests = last ? [last] : [];
    const after = last ? { seq: last.lastSeq, hash: last.headHash } : undefined;
    const events = this.pages(reader, last?.lastSeq ?? 0, undefined, true, throughSeq);
    const report = await verifyChain(events, digests, { publicKeyPem: this.signer.publicKeyPem, linksOnly: true, ...(after ? { after } : {}) });
    // Any problem, the last digest's own included, stops the signing: a bad digest must not let unchecked rows through.
    if (!report.ok) throw new AuditChainError(report.problem!.message);
    if (report.lastSeq !== throughSeq) throw new AuditChainError(`events up to ${throughSeq} were to be signed; the chain ends at ${report.lastSeq ?? 'none'}`);
  }

  /** Removes events older than the retention period, behind a signed checkpoint; returns how many. */
  prune(): Promise<number> {
    const cutoff = this.now() - this.options.retentionDays * 86_400_000;
    return runOutsideDrafts(() => this.storage.transaction(async (tx) => {
      await tx.audit.lockChain();
      const through = await tx.audit.lastEventBefore(cutoff);
      if (!through) return 0;
      // The cutoff was found by a column storage could have changed: the row must be Coffer's.
      const row = await eventAt(tx, through.seq);
      if (!row?.intact || row.eventTime > cutoff) throw new TamperedRowError('audit_events', String(through.seq));
      // Everything is signed before anything goes, so verify still vouches for what remains.
      await this.sealIn(tx);
      const removed = await tx.audit.deleteEventsThrough(through.seq);
      await appendDigest(tx, this.signer, 'checkpoint', { firstSeq: 1, lastSeq: through.seq, headHash: through.hash }, this.now());
      return removed;
    }));
  }

  /** Signs every `intervalMs` (when there are new events) and prunes daily. */
  start(intervalMs: number, onError: (error: unknown) => void): void {
    if (!this.enabled || this.timer) return;
    let ticks = 0;
    const perDay = Math.max(1, Math.round(86_400_000 / intervalMs));
    this.timer = setInterval(() => {
      const work = ticks++ % perDay === 0 ? this.prune().then(() => this.seal()) : this.seal();
      work.catch(onError);
    }, intervalMs);
    this.timer.unref();
    this.indexTimer = setInterval(() => this.indexResources().catch(onError), INDEX_INTERVAL_MS);
    this.indexTimer.unref();
  }

  /** Stops the timer and signs what is left (a server's shutdown). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.indexTimer) clearInterval(this.indexTimer);
    this.timer = undefined;
    this.indexTimer = undefined;
    await this.indexing;
    await this.drain();
    if (this.enabled) await this.seal();
  }

  /** Resolves once every event recorded so far is written. */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.flushing) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  /** Tells `listener` how long each group commit took (metrics). */
  observeWrites(listener: (seconds: number) => void): void {
    this.writeListener = listener;
  }

  /**
   * Recomputes the chain and checks every digest and every row's MAC; over the whole trail, also
   * that the resource index holds exactly the rows the events say it should.
   */
  async verify(range: { from?: number; to?: number } = {}): Promise<VerifyReport> {
    const whole = range.from === undefined && range.to === undefined;
    const keyed = (text: string) => this.signer.keyedHash(text);
    const pass = async () => {
      const digests = await this.allDigests();
      const stored = whole ? await storedIndexSum(this.storage, keyed) : undefined;
      const expected = new IndexRowSum(keyed);
      const events = this.pages(this.storage, 0, (e) => {
        if (stored && e.resources !== null && e.seq <= stored.through) expected.addEvent({ ...e, resources: e.resources });
      });
      const report = await verifyChain(events, digests, { publicKeyPem: this.signer.publicKeyPem, ...range });
      return { report, stored, expected };
    };
    let result = await pass();
    // A prune that committed between reading the index and reading the events looks like a
    // tampered index: a second look tells the two apart.
    if (result.report.ok && result.stored && !result.stored.sum.equals(result.expected)) result = await pass();
    const { report, stored, expected } = result;
    if (!report.ok || !stored || stored.sum.equals(expected)) return report;
    return { ...report, ok: false, problem: { kind: 'index', message: `the resource index does not match the events it was built from: rows were added, removed or changed (${stored.sum.count} rows, ${expected.count} expected)` } };
  }


  /** The export: digests, then events in chain order, one JSON object per line. */
  async *exportLines(range: { from?: number; to?: number } = {}): AsyncGenerator<string> {
    for (const d of await this.allDigests()) yield JSON.stringify({ type: 'digest', ...d });
    const ranged = range.from !== undefined || range.to !== undefined;
    for await (const e of this.pages(this.storage, 0)) {
      // A range is chosen by each row's time, which only an intact row vouches for.
      if (ranged && e.intact === false) throw new TamperedRowError('audit_events', String(e.seq));
      if (range.from !== undefined && e.eventTime < range.from) continue;
      if (range.to !== undefined && e.eventTime > range.to) break;
      // A row whose MAC fails is exported marked, so a verify of the export alone still reports it.
      yield JSON.stringify({ type: 'event', seq: e.seq, eventTime: e.eventTime, prevHash: e.prevHash, hash: e.hash, record: e.record, ...(e.intact === false ? { intact: false } : {}) });
    }
  }

  private async allDigests(): Promise<AuditDigestRow[]> {
    const all: AuditDigestRow[] = [];
    for (;;) {
      const page = await this.storage.audit.listDigests(all.at(-1)?.digestNo ?? 0, PAGE);
      all.push(...page);
      if (page.length < PAGE) return all;
    }
  }

  /** Events after `afterSeq` (through `throughSeq`) in chain order, a page at a time. */
  private async *pages(reader: Pick<Storage, 'audit'>, afterSeq: number, tap?: (event: StoredAuditEvent) => void, withoutRecord = false,
    throughSeq?: number): AsyncGenerator<ChainedEvent> {
    let after = afterSeq;
    for (;;) {
      const page = await reader.audit.listEvents({ afterSeq: after, descending: false, limit: PAGE, withoutRecord,
        ...(throughSeq !== undefined ? { beforeSeq: throughSeq + 1 } : {}) });
      for (const event of page) {
        tap?.(event);
        yield event;
      }
      if (page.length < PAGE) return;
      after = page.at(-1)!.seq;
      // Requests go between pages: a long check must not hold the thread.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}
