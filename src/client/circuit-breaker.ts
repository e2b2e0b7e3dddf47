/**
 * A circuit breaker for one endpoint. Closed, it counts consecutive failures (errors that say
 * the store could not be asked: throttling, 5xx, network); at the threshold it opens and every
 * call fails fast with `CircuitOpen`, so a store in trouble is not hammered and callers fall back
 * to stale values at once. After `resetMs` one call goes through as a probe (half-open): success
 * closes the breaker, failure opens it again. An answer that is not a failure (ParameterNotFound,
 * AccessDenied) proves the store is up and counts as success.
 */
import { CofferClientError } from './client-error.js';
import type { Clock } from './clock.js';
import { isRetryable } from './retry-policy.js';

/** Where the breaker stands. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** When to open, and how long to stay open. */
export interface BreakerSettings {
  failureThreshold: number;
  resetMs: number;
}

export const DEFAULT_BREAKER: BreakerSettings = { failureThreshold: 5, resetMs: 10_000 };

/** The breaker itself; `onTransition` hears every change of state. */
export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private probing = false;

  constructor(
    private readonly label: string,
    private readonly settings: BreakerSettings,
    private readonly clock: Clock,
    private readonly onTransition: (from: BreakerState, to: BreakerState) => void = () => {},
  ) {}

  get state(): BreakerState {
    return this.current;
  }

  /** Runs `call` if the breaker lets it through, and learns from its outcome. */
  async run<T>(call: () => Promise<T>): Promise<T> {
    this.admit();
    try {
      const result = await call();
      this.succeeded();
      return result;
    } catch (error) {
      if (isRetryable(error)) this.failed();
      else this.succeeded();
      throw error;
    }
  }

  private admit(): void {
    if (this.current === 'open' && this.clock.now() - this.openedAt >= this.settings.resetMs) {
      this.move('half-open');
    }
    if (this.current === 'open' || (this.current === 'half-open' && this.probing)) {
      throw new CofferClientError(
        'CircuitOpen',
        `${this.label}: the circuit breaker is open after ${this.settings.failureThreshold} consecutive failures; ` +
          `calls fail fast until a probe succeeds`,
      );
    }
    if (this.current === 'half-open') this.probing = true;
  }

  private succeeded(): void {
    this.failures = 0;
    this.probing = false;
    if (this.current !== 'closed') this.move('closed');
  }

  private failed(): void {
    this.probing = false;
    this.failures++;
    if (
      this.current === 'half-open' ||
      (this.current === 'closed' && this.failures >= this.settings.failureThreshold)
    ) {
      this.openedAt = this.clock.now();
      this.move('open');
    }
  }

  private move(to: BreakerState): void {
    const from = this.current;
    this.current = to;
    this.onTransition(from, to);
  }
}
