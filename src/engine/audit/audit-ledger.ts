/**
 * The ledger: the one hash chain of the audit trail and everything that reads or writes it,
 * over the trail's own storage (audit-storage.ts). Appends are group-committed, many calls to a
 * transaction; digests are signed over what was checked; retention prunes behind a checkpoint;
 * the resource index is built behind the chain. A server runs its ledger on a thread of its
 * own (bootstrap/audit-ledger-thread.ts), so none of this costs the requests' thread; the CLI and the
 * engine's tests run it inline. Either way the AuditTrail (audit-trail.ts) talks to it through
 * `Ledger`, whose arguments and results are plain data that can cross a thread.
 */
import type {
  AuditDigestRow,
  AuditEventQuery,
  AuditReader,
  ResourceReadRow,
  StoredAuditEvent,
} from '../../storage/audit-rows.js';
import type { AuditStorage } from '../../storage/audit-storage.js';
import { TamperedRowError } from '../../storage/row-integrity.js';
import { appendRun, chainHash, type LedgerEntry } from './audit-chain.js';
import { appendDigest, type DigestSigner } from './audit-digests.js';
import { IndexRowSum, indexBatch, storedIndexSum } from './audit-resource-index.js';
import { verifyChain, type ChainedEvent, type VerifyReport } from './audit-verifier.js';
import { OwnAppends } from './own-appends.js';

/** Refused to sign: the chain since the last digest does not hold. */
export class AuditChainError extends Error {
  readonly code = 'AUDIT_CHAIN_BROKEN';
  constructor(message: string) {
    super(message);
    this.name = 'AuditChainError';
  }
}

/** A time range of events (ms), for verify and export. */
export interface EventRange {
  readonly from?: number;
  readonly to?: number;
}

/** Where an export resumes: digests first, then events after `afterSeq`. */
export interface ExportCursor {
  readonly digestsDone: boolean;
  readonly afterSeq: number;
}

export interface ExportPage {
  readonly lines: string[];
  readonly next: ExportCursor | undefined;
}

/** The ledger as the trail sees it, inline or on its thread: plain data in and out. */
export interface Ledger {
  /**
   * Appends `entries` (group-committed with other calls); each one's time in the chain, null where
   * already chained. With `sync`, the commit waits for the disk.
   */
  append(entries: readonly LedgerEntry[], sync: boolean): Promise<(number | null)[]>;
  /** Chains what this process's audit journal holds so far (nothing to do for a ledger without one). */
  catchUp(): Promise<void>;
  /** Makes every append so far durable (before the outbox rows or journal files they came from go). */
  sync(): Promise<void>;
  /** Signs a digest of the events since the last one, if there are any. */
  seal(now: number): Promise<AuditDigestRow | undefined>;
  /** Removes events older than the retention period behind a signed checkpoint; returns how many. */
  prune(now: number): Promise<number>;
  /** Brings the resource index up to the chain's head. */
  indexResources(): Promise<void>;
  readActivity(
    account: string,
    prefix: string,
    since: number,
    recentSince: number,
    within?: { first: string; last: string },
  ): Promise<ResourceReadRow[]>;
  /** Events matching `query`, each checked against its MAC and hash (a changed one is refused). */
  lookup(query: AuditEventQuery): Promise<StoredAuditEvent[]>;
  verify(range: EventRange): Promise<VerifyReport>;
  /** One page of the export (digests, then events in chain order, one JSON object per line). */
  exportPage(range: EventRange, cursor: ExportCursor | undefined): Promise<ExportPage>;
  close(): Promise<void>;
}

export interface LedgerOptions {
  readonly retentionDays: number;
}

interface Queued {
  readonly entries: readonly LedgerEntry[];
  readonly sync: boolean;
  resolve(times: (number | null)[]): void;
  reject(error: unknown): void;
}

const PAGE = 1000;
/** Entries per group commit at most. */
const MAX_GROUP = 500;

/** Event `seq` as stored, without its record (for its MAC and columns), if there is one. */
async function eventAt(reader: AuditReader, seq: number): Promise<StoredAuditEvent | undefined> {
  const [row] = await reader.listEvents({
    afterSeq: seq - 1,
    beforeSeq: seq + 1,
    descending: false,
    limit: 1,
    withoutRecord: true,
  });
  return row;
}

export class AuditLedger implements Ledger {
  private readonly queue: Queued[] = [];
  private flushing = false;
  private indexing: Promise<void> | undefined;
  /** What this ledger appended and saw committed: ranges a seal need not read back. */
  private readonly own = new OwnAppends();

  constructor(
    private readonly storage: AuditStorage,
    private readonly signer: DigestSigner,
    private readonly options: LedgerOptions,
  ) {}

  append(entries: readonly LedgerEntry[], sync: boolean): Promise<(number | null)[]> {
    if (entries.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.queue.push({ entries, sync, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  /**
   * Commits what is queued, a group at a time. A group is taken when its transaction's work
   * starts, so calls made while the last one committed join the next: many appends share one
   * chain lookup and one commit.
   */
  private async flush(): Promise<void> {
    this.flushing = true;
    // The loop's last check and the flag's reset run together: an append made in between would wait for ever.
    try {
      while (this.queue.length > 0) await this.commitGroup();
    } finally {
      this.flushing = false;
    }
  }

  private async commitGroup(): Promise<void> {
    // Let calls that arrived meanwhile (messages, on the ledger's thread) queue up and join this group.
    await new Promise((resolve) => setImmediate(resolve));
    let group: Queued[] | undefined;
    // A commit that waits for the disk serves everyone; one that does not, only those who need not.
    const sync = this.queue.some((q) => q.sync);
    const take = () => {
      group ??= this.takeGroup(sync);
      return group.flatMap((q) => q.entries);
    };
    try {
      const { times, run } = await this.storage.transaction((tx) => appendRun(tx, take()), { sync });
      if (run) this.own.add(run);
      let at = 0;
      for (const q of group!) {
        q.resolve(times.slice(at, at + q.entries.length));
        at += q.entries.length;
      }
    } catch (error) {
      // A transaction that failed before its work ran (no connection, a busy lock) took
      // nothing: its calls fail now rather than wait on a store that refuses them.
      for (const q of group ?? this.takeGroup(true)) q.reject(error);
    }
  }

  /** Calls from the queue's head, up to MAX_GROUP entries (at least one call), none that needs a sync unless `sync`. */
  private takeGroup(sync: boolean): Queued[] {
    let count = 0;
    let n = 0;
    while (
      n < this.queue.length &&
      (sync || !this.queue[n]!.sync) &&
      (n === 0 || count + this.queue[n]!.entries.length <= MAX_GROUP)
    ) {
      count += this.queue[n++]!.entries.length;
    }
    return this.queue.splice(0, n);
  }

  /** An AuditLedger reads no journal (the ledger's thread wraps it with one: bootstrap/audit-ledger-thread.ts). */
  async catchUp(): Promise<void> {}

  async sync(): Promise<void> {
    while (this.flushing) await new Promise((resolve) => setImmediate(resolve));
    await this.storage.sync();
  }

  /** Concurrent callers share one run. */
  indexResources(): Promise<void> {
    this.indexing ??= (async () => {
      try {
        while (
          await this.storage.transaction(async (tx) => {
            await tx.lockChain();
            return indexBatch(tx);
          })
        ) {
          // Appends go between batches.
          await new Promise((resolve) => setImmediate(resolve));
        }
      } finally {
        this.indexing = undefined;
      }
    })();
    return this.indexing;
  }

  async readActivity(
    account: string,
    prefix: string,
    since: number,
    recentSince: number,
    within?: { first: string; last: string },
  ): Promise<ResourceReadRow[]> {
    await this.indexResources();
    return this.storage.readActivity(account, prefix, since, recentSince, within);
  }

  async lookup(query: AuditEventQuery): Promise<StoredAuditEvent[]> {
    const byResource =
      query.resourcePrefix !== undefined ||
      query.attribute?.name === 'ResourceName' ||
      query.attribute?.name === 'ResourceType';
    if (byResource) await this.indexResources();
    const rows = await this.storage.listEvents(query);
    for (const row of rows) {
      // The MAC covers the hash, the hash covers the record.
      if (!row.intact || chainHash(row.seq, row.prevHash, row.record) !== row.hash)
        throw new TamperedRowError('audit_events', String(row.seq));
    }
    return rows;
  }

  /**
   * Signs a digest of the events since the last one (none if there are none). They are checked
   * first outside any transaction, a page at a time with turns of the event loop between, so a
   * minute of events never holds the store at once; the digest then signs exactly the range
   * checked, in a short transaction.
   */
  async seal(now: number): Promise<AuditDigestRow | undefined> {
    const last = await this.storage.lastDigest();
    const head = await this.storage.head();
    const firstSeq = (last?.lastSeq ?? 0) + 1;
    if (!head || head.seq < firstSeq) return undefined;
    // All written here and seen committed: the hash this ledger computed is what gets signed.
    if (!this.own.covers(firstSeq, head)) await this.checkUnsigned(this.storage, head.seq, last);
    const digest = await this.storage.transaction(async (tx) => {
      await tx.lockChain();
      // Another node signed meanwhile: its digest covers these events, or the next one will.
      if ((await tx.lastDigest())?.digestNo !== last?.digestNo) return undefined;
      const row = await eventAt(tx, head.seq);
      if (!row?.intact || row.hash !== head.hash)
        throw new AuditChainError(`event ${head.seq} changed while it was being checked`);
      return appendDigest(tx, this.signer, 'digest', { firstSeq, lastSeq: head.seq, headHash: head.hash }, now);
    });
    if (digest) this.own.forgetBefore(digest.lastSeq);
    return digest;
  }

  /**
   * Never sign what Coffer did not write: the rows after the last digest, through `throughSeq`,
   * must be intact and chained on from the last digest's head.
   */
  private async checkUnsigned(
    reader: AuditReader,
    throughSeq: number,
    last: AuditDigestRow | undefined,
  ): Promise<void> {
    const digests = last ? [last] : [];
    const after = last ? { seq: last.lastSeq, hash: last.headHash } : undefined;
    const events = this.pages(reader, last?.lastSeq ?? 0, undefined, true, throughSeq);
    const report = await verifyChain(events, digests, {
      publicKeyPem: this.signer.publicKeyPem,
      linksOnly: true,
      ...(after ? { after } : {}),
    });
    // Any problem, the last digest's own included, stops the signing: a bad digest must not let unchecked rows through.
    if (!report.ok) throw new AuditChainError(report.problem!.message);
    if (report.lastSeq !== throughSeq)
      throw new AuditChainError(
        `events up to ${throughSeq} were to be signed; the chain ends at ${report.lastSeq ?? 'none'}`,
      );
  }

  prune(now: number): Promise<number> {
    const cutoff = now - this.options.retentionDays * 86_400_000;
    return this.storage.transaction(async (tx) => {
      await tx.lockChain();
      const through = await tx.lastEventBefore(cutoff);
      if (!through) return 0;
      // The cutoff was found by a column storage could have changed: the row must be Coffer's.
      const row = await eventAt(tx, through.seq);
      if (!row?.intact || row.eventTime > cutoff) throw new TamperedRowError('audit_events', String(through.seq));
      // Everything is signed before anything goes, so verify still vouches for what remains.
      const head = await tx.head();
      const last = await tx.lastDigest();
      if (head && head.seq > (last?.lastSeq ?? 0)) {
        await this.checkUnsigned(tx, head.seq, last);
        await appendDigest(
          tx,
          this.signer,
          'digest',
          { firstSeq: (last?.lastSeq ?? 0) + 1, lastSeq: head.seq, headHash: head.hash },
          now,
        );
      }
      const removed = await tx.deleteEventsThrough(through.seq);
      await appendDigest(
        tx,
        this.signer,
        'checkpoint',
        { firstSeq: 1, lastSeq: through.seq, headHash: through.hash },
        now,
      );
      return removed;
    });
  }

  /**
   * Recomputes the chain and checks every digest and every row's MAC; over the whole trail, also
   * that the resource index holds exactly the rows the events say it should.
   */
  async verify(range: EventRange): Promise<VerifyReport> {
    const whole = range.from === undefined && range.to === undefined;
    const keyed = (text: string) => this.signer.keyedHash(text);
    const pass = async () => {
      const digests = await this.allDigests();
      const stored = whole ? await storedIndexSum(this.storage, keyed) : undefined;
      const expected = new IndexRowSum(keyed);
      const events = this.pages(this.storage, 0, (e) => {
        if (stored && e.resources !== null && e.seq <= stored.through)
          expected.addEvent({ ...e, resources: e.resources });
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
    return {
      ...report,
      ok: false,
      problem: {
        kind: 'index',
        message:
          `the resource index does not match the events it was built from: rows were added, removed or ` +
          `changed (${stored.sum.count} rows, ${expected.count} expected)`,
      },
    };
  }

  async exportPage(range: EventRange, cursor: ExportCursor | undefined): Promise<ExportPage> {
    if (!cursor?.digestsDone) {
      return {
        lines: (await this.allDigests()).map((d) => JSON.stringify({ type: 'digest', ...d })),
        next: { digestsDone: true, afterSeq: 0 },
      };
    }
    const ranged = range.from !== undefined || range.to !== undefined;
    const page = await this.storage.listEvents({ afterSeq: cursor.afterSeq, descending: false, limit: PAGE });
    const lines: string[] = [];
    for (const e of page) {
      // A range is chosen by each row's time, which only an intact row vouches for.
      if (ranged && !e.intact) throw new TamperedRowError('audit_events', String(e.seq));
      if (range.from !== undefined && e.eventTime < range.from) continue;
      if (range.to !== undefined && e.eventTime > range.to) return { lines, next: undefined };
      // A row whose MAC fails is exported marked, so a verify of the export alone still reports it.
      lines.push(
        JSON.stringify({
          type: 'event',
          seq: e.seq,
          eventTime: e.eventTime,
          prevHash: e.prevHash,
          hash: e.hash,
          record: e.record,
          ...(e.intact ? {} : { intact: false }),
        }),
      );
    }
    return { lines, next: page.length < PAGE ? undefined : { digestsDone: true, afterSeq: page.at(-1)!.seq } };
  }

  async close(): Promise<void> {
    await this.indexing;
    while (this.flushing) await new Promise((resolve) => setImmediate(resolve));
    await this.storage.close();
  }

  private async allDigests(): Promise<AuditDigestRow[]> {
    const all: AuditDigestRow[] = [];
    for (;;) {
      const page = await this.storage.listDigests(all.at(-1)?.digestNo ?? 0, PAGE);
      all.push(...page);
      if (page.length < PAGE) return all;
    }
  }

  /** Events after `afterSeq` (through `throughSeq`) in chain order, a page at a time. */
  private async *pages(
    reader: AuditReader,
    afterSeq: number,
    tap?: (event: StoredAuditEvent) => void,
    withoutRecord = false,
    throughSeq?: number,
  ): AsyncGenerator<ChainedEvent> {
    let after = afterSeq;
    for (;;) {
      const page = await reader.listEvents({
        afterSeq: after,
        descending: false,
        limit: PAGE,
        withoutRecord,
        ...(throughSeq !== undefined ? { beforeSeq: throughSeq + 1 } : {}),
      });
      for (const event of page) {
        tap?.(event);
        yield event;
      }
      if (page.length < PAGE) return;
      after = page.at(-1)!.seq;
      // Appends go between pages: a long check must not hold the thread.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}
