/**
 * A provider wrapped in retries and a circuit breaker of its own (one per endpoint). The breaker
 * sits inside the retries: every attempt counts toward opening it, and once open the retries
 * stop at once (`CircuitOpen` is not retryable). Change-feed subscriptions pass straight
 * through.
 */
import { CircuitBreaker, type BreakerSettings, type BreakerState } from './circuit-breaker.js';
import type { Clock } from './clock.js';
import { RetryPolicy, type RetrySettings } from './retry-policy.js';
import type { FeedSignal, ParameterRecord, SecretDescription, SecretRecord, ValueProvider } from './value-provider.js';

/** How the wrapper retries and when it stops trying. */
export interface ResilienceSettings {
  retry: RetrySettings;
  breaker: BreakerSettings;
  clock: Clock;
  random: () => number;
  pause: (ms: number) => Promise<void>;
  onBreaker?: (from: BreakerState, to: BreakerState) => void;
}

/** A ValueProvider with retries and a breaker around every call. */
export class ResilientProvider implements ValueProvider {
  readonly name: string;
  readonly breaker: CircuitBreaker;
  private readonly retry: RetryPolicy;
  readonly describeSecret?: (id: string) => Promise<SecretDescription>;
  readonly subscribe?: (prefix: string | undefined, listener: (signal: FeedSignal) => void) => () => void;

  constructor(
    readonly inner: ValueProvider,
    settings: ResilienceSettings,
  ) {
    this.name = inner.name;
    this.breaker = new CircuitBreaker(inner.name, settings.breaker, settings.clock, settings.onBreaker);
    this.retry = new RetryPolicy(settings.retry, settings.random, settings.pause);
    const describe = inner.describeSecret?.bind(inner);
    if (describe) this.describeSecret = (id) => this.call(() => describe(id));
    if (inner.subscribe) this.subscribe = inner.subscribe.bind(inner);
  }

  getParameter(selector: string, options: { decrypt: boolean }): Promise<ParameterRecord> {
    return this.call(() => this.inner.getParameter(selector, options));
  }

  getParametersByPath(path: string, options: { recursive: boolean; decrypt: boolean }): Promise<ParameterRecord[]> {
    return this.call(() => this.inner.getParametersByPath(path, options));
  }

  getSecretValue(id: string, options?: { versionId?: string; versionStage?: string }): Promise<SecretRecord> {
    return this.call(() => this.inner.getSecretValue(id, options));
  }

  async close(): Promise<void> {
    await this.inner.close?.();
  }

  private call<T>(work: () => Promise<T>): Promise<T> {
    return this.retry.run(() => this.breaker.run(work));
  }
}
