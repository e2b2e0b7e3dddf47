/**
 * The one error type the client raises. `code` is the AWS error code the store answered
 * (`ParameterNotFound`, `ResourceNotFoundException`, `AccessDeniedException`,
 * `ThrottlingException`, ...) or one of the client's own (`CircuitOpen`, `NetworkingError`,
 * `TransformError`, `AuthFailureAfterRefresh`, `ValidationException` for bad input). Messages
 * name parameters and secrets, never their values; an error is wrapped once, where it enters
 * the client, and passes through every layer above unchanged.
 */

/** Error codes that are a definitive "it is not there" answer. */
export const NOT_FOUND_CODES: ReadonlySet<string> = new Set([
  'ParameterNotFound',
  'ParameterVersionNotFound',
  'ResourceNotFoundException',
]);

/** Definitive answers worth remembering for a moment (negative caching): absent, or not allowed. */
export const NEGATIVE_CODES: ReadonlySet<string> = new Set([
  ...NOT_FOUND_CODES,
  'AccessDeniedException',
  'AccessDenied',
]);

/** What went wrong, as a code a program can switch on. */
export class CofferClientError extends Error {
  override readonly name = 'CofferClientError';
  /** The AWS error code, or the client's own. */
  readonly code: string;
  /** Whether trying again may succeed (throttling, 5xx, network trouble). */
  readonly retryable: boolean;
  /** The HTTP status the store answered, when there was an answer. */
  readonly status: number | undefined;

  constructor(code: string, message: string, options: { retryable?: boolean; status?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.status = options.status;
  }
}

/** The code of any error: a CofferClientError's, or `UnknownError`. */
export function errorCode(error: unknown): string {
  return error instanceof CofferClientError ? error.code : 'UnknownError';
}

/** Whether an error is a definitive answer that negative caching remembers. */
export function isNegativeAnswer(error: unknown): boolean {
  return error instanceof CofferClientError && NEGATIVE_CODES.has(error.code);
}

/**
 * Whether an error says the store could not be asked (rather than that it answered no), so a
 * stale value is better than nothing: throttling, 5xx, network trouble, an open breaker.
 */
export function isUnavailable(error: unknown): boolean {
  return error instanceof CofferClientError && (error.retryable || error.code === 'CircuitOpen');
}
