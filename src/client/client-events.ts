/**
 * What a client reports, as events and as stats. Payloads carry keys, names, provider labels,
 * states and error codes: never a value.
 */
import type { BreakerState } from './circuit-breaker.js';
import type { FallbackNotice } from './fallback-provider.js';
import type { CacheStats } from './value-cache.js';
import type { FeedState } from './value-provider.js';

/** The events a CofferClient emits, and their payloads. */
export interface ClientEvents {
  /** A read served from the cache (`negative`: a remembered not-found or denial). */
  hit: [{ key: string; negative?: boolean }];
  /** A read that had to load. */
  miss: [{ key: string }];
  /** An expired value served because the store could not be asked; `code` says why. */
  stale: [{ key: string; code: string }];
  /** A background refresh of an entry late in its life. */
  refresh: [{ key: string }];
  /** A circuit breaker changed state. */
  breaker: [{ provider: string; from: BreakerState; to: BreakerState }];
  /** A fallback provider answered after the one before it failed. */
  fallback: [FallbackNotice];
  /** The change feed changed state (`code`: the error that caused it). */
  feed: [{ state: FeedState; code?: string }];
  /** Entries were forgotten: for one name, or (no name) all of them. */
  invalidate: [{ name?: string; reason: 'feed' | 'manual' }];
}

/** The cache's counters, plus the primary store's breaker and the feed. */
export interface ClientStats extends CacheStats {
  breaker: BreakerState;
  feed: FeedState;
}
