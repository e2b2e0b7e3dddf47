/**
 * Seed 000's procedure for a credential the downstream refuses: clear the cached value, fetch it
 * once afresh, try again, and fail fast if it is still refused. This file holds what decides "refused"
 * and the error raised when the fresh value is refused too.
 */
import { CofferClientError } from './client-error.js';
import type { ParameterRecord, SecretRecord } from './value-provider.js';

interface HttpishError {
  status?: unknown;
  statusCode?: unknown;
  response?: { status?: unknown };
  $metadata?: { httpStatusCode?: unknown };
}

/** Whether an error is an HTTP 401, in any of the shapes common HTTP clients give it. */
export function isUnauthorized(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as HttpishError;
  return e.status === 401 || e.statusCode === 401 || e.response?.status === 401 || e.$metadata?.httpStatusCode === 401;
}

/** The error for a value refused again after a refetch: it names the value's name, never the value. */
export function authFailureAfterRefresh(name: string, cause: unknown): CofferClientError {
  return new CofferClientError(
    'AuthFailureAfterRefresh',
    `The value of ${name} was refused as an authentication failure, and again after fetching it afresh from ` +
      'the store: the stored value itself needs replacing (rotating)',
    { cause },
  );
}

/** The value handed to the callback: a parameter's text, or a secret's (a binary one in base64). */
export function plainValue(record: ParameterRecord | SecretRecord): string {
  if ('Value' in record) return record.Value;
  return record.SecretString ?? Buffer.from(record.SecretBinary ?? new Uint8Array()).toString('base64');
}
