/**
 * The audit trail as the rest of Coffer sees it: every request's event, and every action Coffer
 * takes by itself, handed to the ledger (audit-ledger.ts), fail-closed.
 *
 * - A write's event goes in the store's outbox inside the write's own transaction (the storage
 *   hook), so the two commit together or neither does; once committed it is carried to the
 *   chain (reads of the trail wait for that; the response does not need to). An outbox row left
 *   behind (a crash, a chain that refused it) is carried by maintenance; while one cannot be,
 *   requests are refused rather than left outside the chain.
 * - Events of work that wrote nothing (reads, failures), many at a time, go in this process's
 *   audit journal (storage/audit-journal.ts), one write, before the responses leave; the
 *   ledger's thread tails the journal into the chain. Without a journal (PostgreSQL, where a
 *   node's disk is no place for the trail; the CLI) they are sent to the ledger, and the
 *   requests wait until they are committed.
 * - If the chain refuses events (a failing disk, a broken audit store), requests are refused
 *   until it takes them again: the trail fails closed.
 * Listeners (alerts, the file sink) hear of each event once it is durable.
 */
import type { AuditJournalWriter } from '../../storage/audit-journal.js';
import type { AuditDigestRow, AuditEventQuery, ResourceReadRow, StoredAuditEvent } from '../../storage/audit-rows.js';
import { TamperedRowError } from '../../storage/row-integrity.js';
import type { Storage, StorageWriter } from '../../storage/storage.js';
import { transactionNotes } from '../../storage/transaction-scope.js';
import { cloudTrailTime, journalLine, ledgerEntry, type LedgerEntry } from './audit-chain.js';
import type { AuditEvent, CloudTrailRecord, NamedResource } from './audit-record.js';
import { AuditDraft, currentDraft, runOutsideDrafts, runWithDraft } from './audit-scope.js';
import type { EventRange, Ledger } from './audit-ledger.js';
import type { ServiceEventSink } from './service-events.js';
import type { VerifyReport } from './audit-verifier.js';

export { AuditChainError } from './audit-ledger.js';

/** Told of every event once it is durable (alerts, the file sink). Must not throw. */
export type AuditListener = (event: AuditEvent) => void;

export interface AuditTrailOptions {
  /** COFFER_AUDIT=off turns the trail off (benchmarks and tests only). */
  readonly enabled: boolean;
  /**
   * Whether events recorded on their own (reads, failures) wait for the disk: by default they
   * reach the trail's log before the response leaves, surviving a crash of the process but not
   * a power loss (COFFER_AUDIT_SYNC=full makes them wait; a write's event is in the store's
   * outbox, committed with the write, before its response leaves).
   */
  readonly syncReads?: boolean;
  readonly now?: () => number;
  /** This process's audit journal, which the ledger tails (absent: events are sent to the ledger). */
  readonly journal?: AuditJournalWriter;
}

/** Refused: the trail cannot chain events, so it takes no more until it can (fail closed). */
export class AuditUnavailableError extends Error {
  readonly code = 'AUDIT_UNAVAILABLE';
  constructor() {
    super('the audit trail cannot chain events: requests are refused until it can');
    this.name = 'AuditUnavailableError';
  }
}

interface Pending {
  readonly event: AuditEvent;
  resolve(): void;
  reject(error: unknown): void;
}

/** How often outbox rows left behind by another process are looked for (those of this one are carried at once). */
const RECOVER_INTERVAL_MS = 30_000;
const MAINTENANCE_INTERVAL_MS = 1000;
/** How often the resource index catches up with the chain on its own. */
const INDEX_INTERVAL_MS = 2000;
const OUTBOX_PAGE = 500;

export class AuditTrail implements ServiceEventSink {
  readonly enabled: boolean;
  private readonly listeners: AuditListener[] = [];
  /** The trail's time (the engines' clock): events are stamped with it, and lookups default to it. */
  readonly now: () => number;
  private writeListener: ((seconds: number) => void) | undefined;
  /** Events recorded on their own, waiting for the next call to the ledger. */
  private pending: Pending[] = [];
  private sending = false;
  /** Calls to the ledger not answered yet: reads of the trail wait for them. */
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Outbox events of this process on their way to the chain (recovery leaves them alone). */
  private readonly carrying = new Set<string>();
  /** Outbox events in the chain, whose rows are to go. */
  private chained: string[] = [];
  /** An outbox event could not be chained (why): requests are refused until maintenance carries it. */
  private stuck = false;
  private stuckBy: unknown;
  private stuckReported = false;
  /** The ledger cannot chain the journal: requests are refused until it can. */
  private chainFailing = false;
  /** Problems found before start() said where they go wait here. */
  private early: unknown[] = [];
  private onError: (error: unknown) => void = (error) => {
    if (this.early.length < 100) this.early.push(error);
  };
  private timers: NodeJS.Timeout[] = [];
  private maintaining: Promise<void> | undefined;

  constructor(
    private readonly storage: Storage,
    private readonly ledger: Ledger,
    readonly publicKeyPem: string,
    private readonly options: AuditTrailOptions,
  ) {
    this.enabled = options.enabled;
    this.now = options.now ?? Date.now;
    if (this.enabled) storage.useTransactionHook((tx) => this.intoOutbox(tx));
  }

  subscribe(listener: AuditListener): void {
    this.listeners.push(listener);
  }

  /** Whether requests are taken (the chain takes events). */
  get healthy(): boolean {
    return !this.stuck && !this.chainFailing;
  }

  /** What the ledger's thread says unasked: chaining the journal fails (or works again), or a problem it found. */
  ledgerNotice(notice: { readonly failing?: boolean; readonly problem?: Error }): void {
    if (notice.failing !== undefined) this.chainFailing = notice.failing;
    if (notice.problem) this.onError(notice.problem);
  }

  private publish(event: AuditEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A listener's fault is its own; the event is already in the chain.
      }
    }
  }

  /**
   * The transaction hook: the running request's event (its first transaction's), and the events
   * of actions noted in this transaction (appendIn), go in the outbox; once the transaction
   * commits they are carried to the chain.
   */
  private async intoOutbox(tx: StorageWriter): Promise<((committed: boolean) => void) | undefined> {
    const draft = currentDraft();
    const now = this.now();
    const events = (transactionNotes() ?? []).flatMap((note) =>
      note instanceof ServiceEventNote ? [stamped(note.event, now)] : [],
    );
    const carriesDraft = draft?.open === true;
    if (carriesDraft) events.unshift(stamped(draft!.build(), now));
    if (events.length === 0) return;
    if (!this.healthy) throw new AuditUnavailableError();
    if (carriesDraft) draft!.pending = true;
    try {
      const entries = events.map((event) => ledgerEntry(event));
      for (const [i, event] of events.entries()) {
        await tx.insertAuditOutbox({
          eventId: event.record.eventID,
          createdAt: event.time,
          record: entries[i]!.record,
          names: JSON.stringify(event.resourceNames),
        });
      }
      return (committed) => {
        if (carriesDraft) draft!.pending = false;
        if (!committed) return;
        const carried = this.carry(events, entries);
        if (carriesDraft) {
          draft!.appended = events[0];
          draft!.carried = carried;
        }
      };
    } catch (error) {
      if (carriesDraft) draft!.pending = false;
      throw error;
    }
  }

  /**
   * Runs `work`, an action Coffer takes by itself through engines that know nothing of the trail
   * (a key rotation), with `event` committed in its first transaction; resolves once the event
   * is in the chain. Work that commits nothing records nothing.
   */
  async recordDuring<T>(event: AuditEvent, work: () => Promise<T>): Promise<T> {
    if (!this.enabled) return work();
    const draft = new AuditDraft(() => event);
    try {
      const result = await runWithDraft(draft, work);
      await draft.carried;
      return result;
    } finally {
      draft.close();
    }
  }

  /** Notes `event` in `tx`, the transaction of an action Coffer takes by itself: it commits with the action. */
  async appendIn(_tx: StorageWriter, event: AuditEvent): Promise<void> {
    if (!this.enabled) return;
    const notes = transactionNotes();
    if (!notes) throw new Error('appendIn needs the transaction of the action it records');
    notes.push(new ServiceEventNote(event));
  }

  /** Carries committed outbox events to the chain; never rejects (a failure leaves them for maintenance). */
  private carry(events: readonly AuditEvent[], entries: readonly LedgerEntry[]): Promise<void> {
    for (const e of events) this.carrying.add(e.record.eventID);
    const carried = this.callLedger(() => this.ledger.append(entries, false))
      .then(
        (times) => {
          this.stuck = false;
          for (const [i, event] of events.entries()) this.chain(event, times[i] ?? null);
        },
        (error: unknown) => {
          this.stuck = true;
          this.stuckBy = error;
        },
      )
      .finally(() => {
        for (const e of events) this.carrying.delete(e.record.eventID);
      });
    return carried;
  }

  /** An outbox event is in the chain (at `time`; null: it was already): its row can go, listeners hear of it. */
  private chain(event: AuditEvent, time: number | null): void {
    this.chained.push(event.record.eventID);
    if (time !== null) this.publish(event);
  }

  /**
   * Records `event` with the others of this turn of the event loop (one journal write, or one
   * call to the ledger); resolves once it is durable.
   */
  record(event: AuditEvent): Promise<void> {
    if (!this.enabled) return Promise.resolve();
    if (!this.healthy) return Promise.reject(new AuditUnavailableError());
    return new Promise<void>((resolve, reject) => {
      // The trail's clock (the engines', which --dev can move), not the builder's, says when.
      this.pending.push({ event: stamped(event, this.now()), resolve, reject });
      if (!this.sending) {
        this.sending = true;
        setImmediate(() => this.send());
      }
    });
  }

  private send(): void {
    this.sending = false;
    const batch = this.pending;
    this.pending = [];
    const started = performance.now();
    const written = () => {
      this.writeListener?.((performance.now() - started) / 1000);
      for (const p of batch) {
        this.publish(p.event);
        p.resolve();
      }
    };
    const failed = (error: unknown) => {
      for (const p of batch) p.reject(error);
    };
    const journal = this.options.journal;
    if (journal) {
      try {
        journal.append(batch.map((p) => journalLine(p.event)));
      } catch (error) {
        failed(error);
        return;
      }
      written();
      return;
    }
    void this.callLedger(() =>
      this.ledger.append(
        batch.map((p) => ledgerEntry(p.event)),
        this.options.syncReads === true,
      ),
    ).then(written, failed);
  }

  /** Runs a ledger call outside any request's draft, counted until it is answered. */
  private callLedger<T>(call: () => Promise<T>): Promise<T> {
    const promise = runOutsideDrafts(call);
    this.inFlight.add(promise);
    const done = () => {
      this.inFlight.delete(promise);
    };
    promise.then(done, done);
    return promise;
  }

  /** Resolves once every event recorded or committed so far has been answered by the ledger. */
  async drain(): Promise<void> {
    while (this.pending.length > 0 || this.sending || this.inFlight.size > 0) {
      if (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
      else await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /**
   * Removes the outbox rows of chained events; given `createdBefore`, first carries the rows
   * created by then that no call of this process is carrying (a crash's, another process's, a
   * chain that refused them). A row whose MAC fails is never chained; it is reported. The trail
   * getting stuck, and why, is reported once.
   */
  async maintainOutbox(createdBefore: number | undefined, onError: (error: unknown) => void = () => {}): Promise<void> {
    this.maintaining ??= runOutsideDrafts(async () => {
      try {
        if (createdBefore !== undefined) await this.carryLeftBehind(createdBefore, onError);
        await this.removeChained();
      } finally {
        this.maintaining = undefined;
        if (this.stuck && !this.stuckReported) onError(this.stuckBy);
        this.stuckReported = this.stuck;
      }
    });
    return this.maintaining;
  }

  /**
   * A row changed or forged outside Coffer is never chained: it is reported (by its event id) and
   * removed, so it can neither hold the trail stuck nor fill the pages real rows are found in.
   */
  private async carryLeftBehind(createdBefore: number, onError: (error: unknown) => void): Promise<void> {
    const rows = (await this.storage.listAuditOutbox(createdBefore, OUTBOX_PAGE)).filter(
      (row) => !this.carrying.has(row.eventId),
    );
    const events: AuditEvent[] = [];
    const tampered: string[] = [];
    for (const row of rows) {
      const event = row.intact ? outboxEvent(row.record, row.names, row.createdAt) : undefined;
      if (event) events.push(event);
      else tampered.push(row.eventId);
    }
    if (tampered.length > 0) {
      for (const id of tampered) onError(new TamperedRowError('audit_outbox', id));
      await this.storage.transaction((tx) => tx.deleteAuditOutbox(tampered));
    }
    if (events.length > 0)
      await this.carry(
        events,
        events.map((event) => ledgerEntry(event)),
      );
    // Nothing of this process's is left to carry: whatever held the trail stuck has been carried.
    else if (this.stuck && rows.length === tampered.length) this.stuck = false;
  }

  private async removeChained(): Promise<void> {
    if (this.chained.length === 0) return;
    const ids = this.chained;
    this.chained = [];
    try {
      // The rows go only once the chain's copies are on disk.
      await this.callLedger(() => this.ledger.sync());
      await this.storage.transaction((tx) => tx.deleteAuditOutbox(ids));
    } catch (error) {
      this.chained.push(...ids);
      throw error;
    }
  }

  /** Brings the resource index up to the chain's head (on a timer, and before every read of it). */
  async indexResources(): Promise<void> {
    if (this.enabled) await this.callLedger(() => this.ledger.indexResources());
  }

  /** Successful reads of resources under `prefix` (the access report). */
  async readActivity(
    account: string,
    prefix: string,
    since: number,
    recentSince: number,
    within?: { first: string; last: string },
  ): Promise<ResourceReadRow[]> {
    await this.drain();
    return this.callLedger(() => this.ledger.readActivity(account, prefix, since, recentSince, within));
  }

  /** Events matching `query`, with their records; a row changed outside Coffer is refused, never shown. */
  async lookup(query: AuditEventQuery): Promise<{ event: StoredAuditEvent; record: object }[]> {
    await this.drain();
    const rows = await this.callLedger(() => this.ledger.lookup(query));
    return rows.map((event) => ({ event, record: JSON.parse(event.record) as object }));
  }

  /** Signs a digest of the events since the last one, if there are any. */
  async seal(): Promise<AuditDigestRow | undefined> {
    await this.drain();
    return this.callLedger(() => this.ledger.seal(this.now()));
  }

  /** Removes events older than the retention period, behind a signed checkpoint; returns how many. */
  async prune(): Promise<number> {
    await this.drain();
    return this.callLedger(() => this.ledger.prune(this.now()));
  }

  /** Recomputes the chain and checks every digest, every row's MAC and the resource index. */
  async verify(range: EventRange = {}): Promise<VerifyReport> {
    await this.drain();
    return this.callLedger(() => this.ledger.verify(range));
  }

  /** The export: digests, then events in chain order, one JSON object per line. */
  async *exportLines(range: EventRange = {}): AsyncGenerator<string> {
    await this.drain();
    let page = await this.callLedger(() => this.ledger.exportPage(range, undefined));
    for (;;) {
      yield* page.lines;
      const next = page.next;
      if (!next) return;
      page = await this.callLedger(() => this.ledger.exportPage(range, next));
    }
  }

  /**
   * Signs every `intervalMs` (when there are new events), prunes daily, keeps the resource index
   * caught up, and carries and clears the outbox: everything this process left there at once,
   * others' rows every half minute, and a stuck row every second until it goes.
   */
  start(intervalMs: number, onError: (error: unknown) => void): void {
    if (!this.enabled || this.timers.length > 0) return;
    this.onError = onError;
    for (const error of this.early.splice(0)) onError(error);
    let ticks = 0;
    const perDay = Math.max(1, Math.round(86_400_000 / intervalMs));
    const every = (ms: number, work: () => Promise<unknown>) => {
      const timer = setInterval(() => void work().catch(onError), ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(intervalMs, () => (ticks++ % perDay === 0 ? this.prune().then(() => this.seal()) : this.seal()));
    every(INDEX_INTERVAL_MS, () => this.indexResources());
    let lastRecovery = this.now();
    every(MAINTENANCE_INTERVAL_MS, () => {
      const recover = this.stuck || this.now() - lastRecovery >= RECOVER_INTERVAL_MS;
      if (recover) lastRecovery = this.now();
      return this.maintainOutbox(recover ? this.now() - (this.stuck ? 0 : RECOVER_INTERVAL_MS) : undefined, onError);
    });
    void this.maintainOutbox(this.now(), onError).catch(onError);
  }

  /** Stops the timers, clears the outbox and signs what is left (a server's shutdown). */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    if (!this.enabled) return;
    await this.drain();
    this.options.journal?.close();
    await this.callLedger(() => this.ledger.catchUp());
    await this.maintaining;
    await this.removeChained().catch(() => {});
    await this.seal();
  }

  /** Tells `listener` how long each call with recorded events took to commit (metrics). */
  observeWrites(listener: (seconds: number) => void): void {
    this.writeListener = listener;
  }

  /** Stops the ledger (its thread, or its storage). */
  async close(): Promise<void> {
    await this.drain();
    this.options.journal?.close();
    await this.ledger.close();
  }
}

/** An action's event noted in its transaction (AuditTrail.appendIn), for the hook to put in the outbox. */
class ServiceEventNote {
  constructor(readonly event: AuditEvent) {}
}

/** `event` at `time` (its record's eventTime too: the record is the trail's to stamp, before it is written). */
function stamped(event: AuditEvent, time: number): AuditEvent {
  if (time === event.time) return event;
  (event.record as { eventTime: string }).eventTime = cloudTrailTime(time);
  return { ...event, time };
}

/** The event an outbox row holds; undefined if its text is not one (its MAC vouched for the bytes, not their shape). */
function outboxEvent(record: string, names: string, time: number): AuditEvent | undefined {
  try {
    const parsed = JSON.parse(record) as CloudTrailRecord;
    const resourceNames = JSON.parse(names) as NamedResource[];
    if (
      typeof parsed !== 'object' ||
      parsed === null ||
      typeof parsed.eventID !== 'string' ||
      !Array.isArray(resourceNames)
    )
      return undefined;
    return { record: parsed, time, resourceNames };
  } catch {
    return undefined;
  }
}
