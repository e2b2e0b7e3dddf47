/**
 * The options `createClient` takes, and their defaults. A client reads either a store URL or a
 * provider of your own, never both (the types refuse the combination).
 */
import type { AwsCredentials } from './aws-provider.js';
import { DEFAULT_BREAKER, type BreakerSettings } from './circuit-breaker.js';
import { SYSTEM_CLOCK, SYSTEM_TIMERS, type Clock, type Timers } from './clock.js';
import { parseDuration } from './duration.js';
import { DEFAULT_RETRY, type RetrySettings } from './retry-policy.js';
import { DEFAULT_CACHE_SETTINGS } from './value-cache.js';
import type { ValueProvider } from './value-provider.js';

/** Options every client takes. */
interface CommonOptions {
  /** Providers (or store URLs) read, in order, when the store fails: seed 003's dual read. */
  fallback?: (ValueProvider | string)[];
  /** The Coffer or AWS endpoint for `coffer:` and `aws:` stores. */
  endpoint?: string;
  region?: string;
  /** Fixed credentials or a provider of them; the AWS SDK's default chain when absent. */
  credentials?: AwsCredentials;
  /** How long a value is fresh: 300000 ms, or COFFER_CACHE_MAX_AGE (`300000`, `5m`, `30s`). */
  maxAgeMs?: number;
  /** Each entry's max age is cut by a random fraction up to this (0.1), so a fleet spreads its refreshes. */
  jitter?: number;
  /** Past this fraction of its max age (0.75), a read refreshes the entry in the background. */
  refreshAheadRatio?: number;
  /** How long past expiry a value is served while the store cannot be reached (1 hour). */
  staleIfErrorMs?: number;
  /** How long not-found and access-denied answers are remembered (5 s). */
  negativeMaxAgeMs?: number;
  maxEntries?: number;
  maxBytes?: number;
  retry?: Partial<RetrySettings>;
  breaker?: Partial<BreakerSettings>;
  /** The server's change feed: on by default for `coffer:` with an endpoint; `{ prefix }` limits it. */
  changes?: boolean | { prefix?: string };
  clock?: Clock;
  random?: () => number;
  timers?: Timers;
  /** The environment settings are read from (process.env). */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Options for a client over a store URL (`coffer:` by default, or COFFER_STORE). */
export interface StoreClientOptions extends CommonOptions {
  store?: string;
  provider?: never;
}

/** Options for a client over a provider of your own. */
export interface ProviderClientOptions extends CommonOptions {
  provider: ValueProvider;
  store?: never;
}

export type ClientOptions = StoreClientOptions | ProviderClientOptions;

/** Every setting with its value decided. */
export interface ResolvedSettings {
  maxAgeMs: number;
  jitter: number;
  refreshAheadRatio: number;
  staleIfErrorMs: number;
  negativeMaxAgeMs: number;
  maxEntries: number;
  maxBytes: number;
  retry: RetrySettings;
  breaker: BreakerSettings;
  clock: Clock;
  random: () => number;
  timers: Timers;
  env: Readonly<Record<string, string | undefined>>;
}

/** The settings `options` stand for, defaults and environment included. */
export function resolveSettings(options: ClientOptions): ResolvedSettings {
  const env = options.env ?? process.env;
  const fromEnvironment = env.COFFER_CACHE_MAX_AGE
    ? parseDuration(env.COFFER_CACHE_MAX_AGE, 'COFFER_CACHE_MAX_AGE')
    : undefined;
  const cache = DEFAULT_CACHE_SETTINGS;
  return {
    maxAgeMs: options.maxAgeMs ?? fromEnvironment ?? cache.maxAgeMs,
    jitter: options.jitter ?? cache.jitter,
    refreshAheadRatio: options.refreshAheadRatio ?? cache.refreshAheadRatio,
    staleIfErrorMs: options.staleIfErrorMs ?? cache.staleIfErrorMs,
    negativeMaxAgeMs: options.negativeMaxAgeMs ?? cache.negativeMaxAgeMs,
    maxEntries: options.maxEntries ?? cache.maxEntries,
    maxBytes: options.maxBytes ?? cache.maxBytes,
    retry: { ...DEFAULT_RETRY, ...options.retry },
    breaker: { ...DEFAULT_BREAKER, ...options.breaker },
    clock: options.clock ?? SYSTEM_CLOCK,
    random: options.random ?? Math.random,
    timers: options.timers ?? SYSTEM_TIMERS,
    env,
  };
}
