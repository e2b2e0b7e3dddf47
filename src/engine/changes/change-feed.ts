/**
 * The change feed: every committed change of the change log, delivered in order to subscribers,
 * from any node. It reads the log after each commit it hears of (Storage.watchChanges: this
 * process's commits on SQLite, every node's on PostgreSQL through LISTEN/NOTIFY) and on a timer
 * (the CLI or another process writing to the same SQLite file, a lost listening connection).
 *
 * On PostgreSQL sequence numbers are taken before commit, so a later number can commit first;
 * a number the feed saw skipped is reread for a while (GAP_MS) and delivered late if it turns
 * up (a rolled-back write's number never does). Subscribers resume after a sequence number;
 * one from before the oldest kept change is told to start over (`reset`).
 */
import type { ChangeRow, Storage } from '../../storage/storage.js';

/** What a subscriber hears: a change, or that it may have missed some. */
export type FeedMessage =
  | { readonly type: 'change'; readonly change: ChangeRow; readonly late?: boolean }
  | { readonly type: 'reset'; readonly seq: number }
  /** History (if any) has been replayed: from here on, changes after `seq` as they commit. */
  | { readonly type: 'ready'; readonly seq: number };

export interface FeedOptions {
  /** How often to read the log without being told (ms). */
  readonly pollMs?: number;
  /** How long changes are kept for resuming (ms). */
  readonly retentionMs?: number;
  /** How long a skipped sequence number is looked for (ms). */
  readonly gapMs?: number;
  readonly now?: () => number;
}

const PAGE = 500;
const MAX_GAPS = 10_000;
/** Most changes one subscription replays; further back, it is told to start over (`reset`). */
const MAX_REPLAY = 10_000;
/** How far below the head a new reader looks for numbers not yet committed (PostgreSQL). */
const START_WINDOW = 1000;
const PRUNE_EVERY_MS = 3_600_000;

interface Subscriber {
  readonly listener: (message: FeedMessage) => void;
  /** Messages that arrived while its history was being replayed. */
  buffer: FeedMessage[] | undefined;
}

/** A subscription: live from `seq`. */
export interface FeedSubscription {
  readonly seq: number;
  close(): void;
}

/** One process's view of the change log. */
export class ChangeFeed {
  private readonly subscribers = new Set<Subscriber>();
  private cursor: number | undefined;
  private readonly gaps = new Map<number, number>();
  private polling: Promise<void> | undefined;
  private starting: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private pruner: NodeJS.Timeout | undefined;
  private unwatch: (() => void) | undefined;
  private readonly pollMs: number;
  private readonly retentionMs: number;
  private readonly gapMs: number;
  private readonly now: () => number;

  constructor(
    private readonly storage: Storage,
    options: FeedOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 1000;
    this.retentionMs = options.retentionMs ?? 24 * 3_600_000;
    this.gapMs = options.gapMs ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** Keeps the log to its retention, now and hourly, whether or not anyone subscribes. */
  startPruning(): void {
    const prune = () => void this.prune().catch(() => {});
    prune();
    this.pruner = setInterval(prune, PRUNE_EVERY_MS);
    this.pruner.unref();
  }

  async prune(): Promise<number> {
    return this.storage.transaction((tx) => tx.pruneChanges(this.now() - this.retentionMs));
  }

  /** The number of subscribers now. */
  get size(): number {
    return this.subscribers.size;
  }

  /**
   * Subscribes from after `afterSeq` (replaying what was kept since, up to MAX_REPLAY changes) or,
   * without one, from now. The listener is called in order, synchronously; it must not throw.
   * `isOpen` lets a replay stop as soon as the subscriber has gone.
   */
  async subscribe(
    afterSeq: number | undefined,
    listener: (message: FeedMessage) => void,
    isOpen: () => boolean = () => true,
  ): Promise<FeedSubscription> {
    const subscriber: Subscriber = { listener, buffer: [] };
    this.subscribers.add(subscriber);
    try {
      await this.start();
      const live = this.cursor!;
      if (afterSeq !== undefined && afterSeq < live) await this.replay(afterSeq, live, listener, isOpen);
      else if (afterSeq !== undefined && afterSeq > live) listener({ type: 'reset', seq: live });
      listener({ type: 'ready', seq: live });
      const buffered = subscriber.buffer ?? [];
      subscriber.buffer = undefined;
      for (const message of buffered) listener(message);
      return { seq: live, close: () => this.unsubscribe(subscriber) };
    } catch (error) {
      this.unsubscribe(subscriber);
      throw error;
    }
  }

  /** Stops reading the log (subscribers hear nothing more) and pruning. */
  close(): void {
    clearInterval(this.pruner);
    this.subscribers.clear();
    this.stop();
  }

  private async replay(
    afterSeq: number,
    live: number,
    listener: (message: FeedMessage) => void,
    isOpen: () => boolean,
  ): Promise<void> {
    const { oldest } = await this.storage.changeBounds();
    // Changes after `afterSeq` were pruned, or are too many to replay: the subscriber starts over.
    if (oldest > afterSeq + 1 || live - afterSeq > MAX_REPLAY) {
      listener({ type: 'reset', seq: live });
      return;
    }
    let from = afterSeq;
    while (from < live && isOpen()) {
      const rows = (await this.storage.listChanges(from, PAGE)).filter((r) => r.seq <= live);
      for (const change of rows) listener({ type: 'change', change });
      if (rows.length < PAGE) break;
      from = rows.at(-1)!.seq;
    }
  }

  private start(): Promise<void> {
    this.starting ??= this.begin().catch((error: unknown) => {
      this.starting = undefined;
      throw error;
    });
    return this.starting;
  }

  private async begin(): Promise<void> {
    const { oldest, latest } = await this.storage.changeBounds();
    // On PostgreSQL a lower number may still be committing: the ones missing just below the head
    // (and above what pruning removed) are looked for as gaps, so a change committed a moment
    // after this reader began is not lost.
    const floor = Math.max(0, oldest - 1, latest - START_WINDOW);
    const present = new Set((await this.storage.listChanges(floor, START_WINDOW)).map((c) => c.seq));
    const now = this.now();
    for (let seq = floor + 1; seq < latest; seq++) if (!present.has(seq)) this.gaps.set(seq, now);
    this.cursor = latest;
    this.unwatch = this.storage.watchChanges(() => this.poll());
    this.timer = setInterval(() => this.poll(), this.pollMs);
    this.timer.unref();
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.unwatch?.();
    this.unwatch = undefined;
    this.cursor = undefined;
    this.starting = undefined;
    this.gaps.clear();
  }

  private unsubscribe(subscriber: Subscriber): void {
    this.subscribers.delete(subscriber);
    if (this.subscribers.size === 0) this.stop();
  }

  /**
   * Told that another process of this server committed a change (the workers of
   * `coffer serve --workers N` tell each other through their primary): read it now rather than
   * at the next poll.
   */
  wake(): void {
    if (this.subscribers.size > 0) this.poll();
  }

  /** Reads what is new; one read at a time, and one more if asked meanwhile. */
  private poll(): void {
    if (this.polling) {
      this.again = true;
      return;
    }
    this.polling = this.read()
      .catch(() => {
        // The store is unreachable: the timer tries again; subscribers' caches age out meanwhile.
      })
      .finally(() => {
        this.polling = undefined;
        if (this.again) {
          this.again = false;
          this.poll();
        }
      });
  }

  private async read(): Promise<void> {
    if (this.cursor === undefined) return;
    for (;;) {
      const rows = await this.storage.listChanges(this.cursor, PAGE);
      for (const change of rows) {
        // Stopped, or restarted past this read (a read from before a restart must not move back).
        if (this.cursor === undefined || change.seq <= this.cursor) return;
        for (let s = this.cursor + 1; s < change.seq && this.gaps.size < MAX_GAPS; s++) this.gaps.set(s, this.now());
        this.cursor = change.seq;
        this.deliver({ type: 'change', change });
      }
      if (rows.length < PAGE) break;
    }
    await this.readGaps();
  }

  private async readGaps(): Promise<void> {
    if (this.gaps.size === 0) return;
    const now = this.now();
    for (const [seq, since] of this.gaps) if (now - since > this.gapMs) this.gaps.delete(seq);
    const open = [...this.gaps.keys()];
    for (let i = 0; i < open.length; i += PAGE) {
      for (const change of await this.storage.listChangesBySeq(open.slice(i, i + PAGE))) {
        if (!this.gaps.delete(change.seq)) continue;
        this.deliver({ type: 'change', change, late: true });
      }
    }
  }

  private deliver(message: FeedMessage): void {
    for (const subscriber of this.subscribers) {
      if (subscriber.buffer) subscriber.buffer.push(message);
      else subscriber.listener(message);
    }
  }
}
