/**
 * Exponential backoff with full jitter (AWS's recommendation: each pause a random time between
 * zero and the capped exponential step, so clients that failed together do not retry together),
 * for errors that say a retry may help only.
 */
import { CofferClientError } from './client-error.js';

/** How hard to try. */
export interface RetrySettings {
  /** Tries in all, the first included (3: one call and up to two retries). */
  attempts: number;
  /** The first step of the exponential backoff. */
  baseMs: number;
  /** The cap on any one pause. */
  maxMs: number;
}

export const DEFAULT_RETRY: RetrySettings = { attempts: 3, baseMs: 100, maxMs: 5_000 };

/** Whether an error is worth another try: throttling, 5xx and network trouble. */
export function isRetryable(error: unknown): boolean {
  return error instanceof CofferClientError && error.retryable;
}

/** Runs calls again on retryable errors, pausing with full jitter. */
export class RetryPolicy {
  constructor(
    private readonly settings: RetrySettings,
    private readonly random: () => number,
    private readonly pause: (ms: number) => Promise<void>,
  ) {}

  /** The pause before retry number `retry` (0 for the first): uniform in [0, min(max, base * 2^retry)). */
  backoffMs(retry: number): number {
    const step = Math.min(this.settings.maxMs, this.settings.baseMs * 2 ** retry);
    return Math.floor(this.random() * step);
  }

  /** Calls `call` until it succeeds, fails for good, or the attempts are spent; raises the last error. */
  async run<T>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        if (attempt >= this.settings.attempts || !isRetryable(error)) throw error;
        await this.pause(this.backoffMs(attempt - 1));
      }
    }
  }
}
