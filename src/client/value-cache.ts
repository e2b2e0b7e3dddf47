/**
 * The client's cache, generic so `coffer agent` can keep its own: values in memory only, each
 * entry with a jittered max age (a fleet started together does not refresh together), loads
 * single-flighted (a thousand readers of a cold key cause one load), refresh-ahead (a read late
 * in an entry's life is served at once and refreshes it in the background), stale-if-error
 * (while the store cannot be asked, an expired value is served for a bounded time), negative
 * caching (a not-found or denied answer is remembered briefly), and an LRU bound on entries and
 * bytes. Invalidation by name reaches every entry that depends on the name and every load in
 * flight for it, which then never stores what it read before the change.
 */
import { EventEmitter } from 'node:events';
import { errorCode, isNegativeAnswer, isUnavailable } from './client-error.js';
import { SYSTEM_CLOCK, type Clock } from './clock.js';
import { DependencyIndex, dependsOnName, type Dependencies } from './dependency-index.js';
import { estimateBytes } from './value-size.js';

/** How the cache behaves; every field has a default. */
export interface ValueCacheSettings<V> {
  /** How long an entry is fresh (0 or less: nothing is kept). */
  maxAgeMs: number;
  /** Each entry's age limit is cut by a random fraction up to this. */
  jitter: number;
  /** A read past this fraction of an entry's life refreshes it in the background (1: never). */
  refreshAheadRatio: number;
  /** How long past its expiry an entry may be served while loads fail for unavailability. */
  staleIfErrorMs: number;
  /** How long a not-found or denied answer is remembered. */
  negativeMaxAgeMs: number;
  maxEntries: number;
  maxBytes: number;
  clock: Clock;
  random: () => number;
  sizeOf: (value: V) => number;
  /** Errors remembered as negative entries. */
  isNegative: (error: unknown) => boolean;
  /** Errors that let a stale value be served instead. */
  canServeStale: (error: unknown) => boolean;
}

export const DEFAULT_CACHE_SETTINGS: ValueCacheSettings<unknown> = {
  maxAgeMs: 300_000,
  jitter: 0.1,
  refreshAheadRatio: 0.75,
  staleIfErrorMs: 3_600_000,
  negativeMaxAgeMs: 5_000,
  maxEntries: 10_000,
  maxBytes: 64 * 1024 * 1024,
  clock: SYSTEM_CLOCK,
  random: Math.random,
  sizeOf: estimateBytes,
  isNegative: isNegativeAnswer,
  canServeStale: isUnavailable,
};

/** Per-read choices. */
export interface CacheGetOptions {
  /** This entry's max age, instead of the cache's. */
  maxAgeMs?: number;
  /** Names the entry depends on (known before loading). */
  names?: readonly string[];
  /** Paths whose every name the entry depends on (a listing). */
  paths?: readonly string[];
  /** An epoch-ms time the entry must not outlive. */
  notAfter?: number;
  /** Skips the stored entry (a load already in flight is joined: it began after any invalidation). */
  forceFetch?: boolean;
  /** Hears, for this read alone, that it was served an expired value, and why (the `stale` event is for all reads). */
  onStale?: (code: string) => void;
}

/** What a loader may tell the cache about the value it is loading. */
export interface LoadContext {
  /** More names the entry depends on (found in the answer: a secret's ARN and name). */
  dependsOn(...names: string[]): void;
  /** The entry must not outlive this epoch-ms time (a secret's next rotation). */
  expireBy(epochMs: number): void;
}

export type CacheLoader<V> = (context: LoadContext) => Promise<V>;

/** Counters since the cache was made, and its current size. */
export interface CacheStats {
  hits: number;
  misses: number;
  staleServes: number;
  refreshes: number;
  errors: number;
  negativeHits: number;
  entries: number;
  bytes: number;
}

/** What the cache reports as it works: keys and codes, never values. */
export interface ValueCacheEvents {
  hit: [{ key: string; negative?: boolean }];
  miss: [{ key: string }];
  stale: [{ key: string; code: string }];
  refresh: [{ key: string }];
}

interface Entry<V> extends Dependencies {
  value?: V;
  error?: unknown;
  bytes: number;
  expiresAt: number;
  refreshAt: number;
  staleUntil: number;
}

interface Load<V> {
  promise: Promise<V>;
  names: Set<string>;
  paths: Set<string>;
  notAfter: number;
  cancelled: boolean;
}

/** A cache of values by key. */
export class ValueCache<V> extends EventEmitter<ValueCacheEvents> {
  private readonly settings: ValueCacheSettings<V>;
  private readonly entries = new Map<string, Entry<V>>();
  private readonly loads = new Map<string, Load<V>>();
  private readonly index = new DependencyIndex();
  private readonly counters = { hits: 0, misses: 0, staleServes: 0, refreshes: 0, errors: 0, negativeHits: 0 };
  private bytes = 0;
  private lastTouched: string | undefined;

  constructor(settings: Partial<ValueCacheSettings<V>> = {}) {
    super();
    this.settings = { ...(DEFAULT_CACHE_SETTINGS as ValueCacheSettings<V>), ...settings };
  }

  /** The value for `key`: cached, joined to a load in flight, or loaded. */
  async get(key: string, loader: CacheLoader<V>, options: CacheGetOptions = {}): Promise<V> {
    const entry = options.forceFetch ? undefined : this.entries.get(key);
    const now = this.settings.clock.now();
    if (entry && now < entry.expiresAt) return this.serveFresh(key, entry, now, loader, options);
    this.counters.misses++;
    this.emit('miss', { key });
    try {
      return await this.load(key, loader, options);
    } catch (error) {
      const stale = options.forceFetch ? undefined : this.entries.get(key);
      if (stale?.value === undefined || stale.error !== undefined) throw error;
      if (!this.settings.canServeStale(error) || this.settings.clock.now() >= stale.staleUntil) throw error;
      this.counters.staleServes++;
      this.emit('stale', { key, code: errorCode(error) });
      options.onStale?.(errorCode(error));
      return stale.value;
    }
  }

  /**
   * The value for `key` if it is fresh and not yet due for refresh-ahead, counted as a hit;
   * otherwise undefined, and the caller takes get()'s path. The hot path of a cached read: no
   * promise, no allocation, an event only when someone listens.
   */
  freshValue(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined || entry.error !== undefined || this.settings.clock.now() >= entry.refreshAt)
      return undefined;
    this.touch(key, entry);
    this.counters.hits++;
    if (this.listenerCount('hit') > 0) this.emit('hit', { key });
    return entry.value;
  }

  /** The value stored for `key`, fresh or not, without counting a read. */
  peek(key: string): V | undefined {
    return this.entries.get(key)?.value;
  }

  /** Forgets every entry and load that depends on `name`; returns how many entries went. */
  invalidateName(name: string): number {
    const keys = this.index.keysFor(name);
    for (const key of keys) this.drop(key);
    for (const [key, load] of this.loads) if (dependsOnName(load, name)) this.cancel(key, load);
    return keys.size;
  }

  /**
   * Makes every entry, and every load in flight, expired but kept: each is read again on its
   * next use, and still served stale while the store cannot be asked.
   */
  expireAll(): void {
    const now = this.settings.clock.now();
    for (const entry of this.entries.values()) {
      entry.expiresAt = Math.min(entry.expiresAt, now);
      entry.refreshAt = Math.min(entry.refreshAt, now);
    }
    for (const load of this.loads.values()) load.notAfter = Math.min(load.notAfter, now);
  }

  /** Forgets everything. */
  invalidateAll(): number {
    const count = this.entries.size;
    this.entries.clear();
    this.lastTouched = undefined;
    this.index.clear();
    this.bytes = 0;
    for (const [key, load] of this.loads) this.cancel(key, load);
    return count;
  }

  stats(): CacheStats {
    return { ...this.counters, entries: this.entries.size, bytes: this.bytes };
  }

  private serveFresh(key: string, entry: Entry<V>, now: number, loader: CacheLoader<V>, options: CacheGetOptions): V {
    this.touch(key, entry);
    if (entry.error !== undefined) {
      this.counters.negativeHits++;
      this.emit('hit', { key, negative: true });
      throw entry.error;
    }
    this.counters.hits++;
    if (this.listenerCount('hit') > 0) this.emit('hit', { key });
    if (now >= entry.refreshAt && !this.loads.has(key)) {
      this.counters.refreshes++;
      this.emit('refresh', { key });
      this.load(key, loader, options).catch(() => {});
    }
    return entry.value as V;
  }

  private load(key: string, loader: CacheLoader<V>, options: CacheGetOptions): Promise<V> {
    const running = this.loads.get(key);
    if (running) return running.promise;
    const load: Load<V> = {
      promise: undefined as unknown as Promise<V>,
      names: new Set(options.names),
      paths: new Set(options.paths),
      notAfter: options.notAfter ?? Number.POSITIVE_INFINITY,
      cancelled: false,
    };
    const context: LoadContext = {
      dependsOn: (...names) => {
        for (const name of names) load.names.add(name);
      },
      expireBy: (epochMs) => {
        load.notAfter = Math.min(load.notAfter, epochMs);
      },
    };
    load.promise = this.settle(key, load, options, () => loader(context));
    // Readers await the promise; this keeps a refresh nobody awaits from being an unhandled rejection.
    load.promise.catch(() => {});
    this.loads.set(key, load);
    return load.promise;
  }

  private async settle(key: string, load: Load<V>, options: CacheGetOptions, run: () => Promise<V>): Promise<V> {
    await Promise.resolve(); // the load is registered before the loader runs, even a synchronous one
    try {
      const value = await run();
      if (!load.cancelled) this.store(key, load, { value }, options.maxAgeMs ?? this.settings.maxAgeMs);
      return value;
    } catch (error) {
      if (this.settings.isNegative(error)) {
        if (!load.cancelled) this.store(key, load, { error }, this.settings.negativeMaxAgeMs);
      } else {
        this.counters.errors++;
      }
      throw error;
    } finally {
      if (this.loads.get(key) === load) this.loads.delete(key);
    }
  }

  private store(key: string, load: Load<V>, outcome: { value?: V; error?: unknown }, maxAgeMs: number): void {
    this.drop(key);
    if (maxAgeMs <= 0) return;
    const now = this.settings.clock.now();
    const age = maxAgeMs * (1 - this.settings.jitter * this.settings.random());
    const expiresAt = Math.min(now + age, load.notAfter);
    const bytes = 2 * key.length + (outcome.error === undefined ? this.settings.sizeOf(outcome.value as V) : 64);
    const entry: Entry<V> = {
      ...outcome,
      names: load.names,
      paths: load.paths,
      bytes,
      expiresAt,
      refreshAt: now + (expiresAt - now) * this.settings.refreshAheadRatio,
      staleUntil: expiresAt + this.settings.staleIfErrorMs,
    };
    this.entries.set(key, entry);
    this.lastTouched = key;
    this.index.add(key, entry);
    this.bytes += bytes;
    this.evict();
  }

  /** Drops least recently used entries until both bounds hold (a value bigger than the byte bound is not kept). */
  private evict(): void {
    while (this.entries.size > this.settings.maxEntries || this.bytes > this.settings.maxBytes) {
      const oldest = this.entries.keys().next();
      if (oldest.done) return;
      this.drop(oldest.value);
    }
  }

  private touch(key: string, entry: Entry<V>): void {
    // Most recently used last; a Map keeps insertion order. Already last: nothing to move.
    if (this.lastTouched === key) return;
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.lastTouched = key;
  }

  private drop(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    if (this.lastTouched === key) this.lastTouched = undefined;
    this.entries.delete(key);
    this.index.remove(key, entry);
    this.bytes -= entry.bytes;
  }

  private cancel(key: string, load: Load<V>): void {
    load.cancelled = true;
    if (this.loads.get(key) === load) this.loads.delete(key);
  }
}
