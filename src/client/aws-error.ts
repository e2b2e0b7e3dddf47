/**
 * Turning what the AWS SDK throws into a CofferClientError, once, where it enters the client.
 * A service answer keeps its code (the SDK puts it in `name`) and status; anything without an
 * answer is network trouble (`NetworkingError`, or `TimeoutError`), which a retry may cure.
 */
import { CofferClientError } from './client-error.js';

/** Codes AWS services use for "slow down". */
const THROTTLING_CODES: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
]);

/** Socket-level failures: the request may never have reached a server. */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
]);

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
}

/** Whether a service answer means "try again later": throttling, or the service's own fault. */
export function isRetryableAnswer(code: string, status: number | undefined): boolean {
  return THROTTLING_CODES.has(code) || status === 429 || (status !== undefined && status >= 500);
}

/** The CofferClientError for an SDK failure of `what` (an action and the name it was about). */
export function fromAwsError(error: unknown, what: string): CofferClientError {
  if (error instanceof CofferClientError) return error;
  const e = (error ?? {}) as SdkError;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && status > 0) {
    const code = e.name && e.name !== 'Error' ? e.name : 'UnknownError';
    const detail = e.message && e.message !== code ? ` (${e.message})` : '';
    return new CofferClientError(code, `${what} failed: ${code}${detail}`, {
      retryable: isRetryableAnswer(code, status),
      status,
      cause: error,
    });
  }
  // The SDK names a reset socket `TimeoutError` too: the socket's own code says what happened.
  if (e.code !== undefined && NETWORK_CODES.has(e.code) && e.code !== 'ETIMEDOUT') {
    return new CofferClientError('NetworkingError', `${what} failed: ${e.code} (no answer)`, {
      retryable: true,
      cause: error,
    });
  }
  if (e.name === 'TimeoutError' || e.code === 'ETIMEDOUT' || e.name === 'AbortError') {
    return new CofferClientError('TimeoutError', `${what} failed: the request timed out`, {
      retryable: true,
      cause: error,
    });
  }
  const code = e.name && e.name !== 'Error' ? e.name : 'UnknownError';
  return new CofferClientError(code, `${what} failed: ${code}${e.message ? ` (${e.message})` : ''}`, {
    cause: error,
  });
}
