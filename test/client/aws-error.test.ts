/**
 * How SDK failures become CofferClientErrors: a service answer keeps its code and status and is
 * retryable only for throttling and 5xx; socket trouble is NetworkingError (even when the SDK
 * calls a reset socket a TimeoutError); a timeout is TimeoutError; anything else keeps its name.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromAwsError } from '../../src/client/aws-error.js';

const answer = (name: string, status: number) =>
  Object.assign(new Error(`${name} message`), { name, $metadata: { httpStatusCode: status } });

describe('fromAwsError', () => {
  it('maps answers, network trouble and the rest', () => {
    const cases = [
      [answer('ParameterNotFound', 400), 'ParameterNotFound', false, 400],
      [answer('AccessDeniedException', 400), 'AccessDeniedException', false, 400],
      [answer('ThrottlingException', 400), 'ThrottlingException', true, 400],
      [answer('InternalServerError', 500), 'InternalServerError', true, 500],
      [answer('Unknown', 503), 'Unknown', true, 503],
      [
        Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET' }),
        'NetworkingError',
        true,
      ],
      [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'NetworkingError', true],
      [Object.assign(new Error('timed out'), { name: 'TimeoutError' }), 'TimeoutError', true],
      [
        Object.assign(new Error('no credentials'), { name: 'CredentialsProviderError' }),
        'CredentialsProviderError',
        false,
      ],
    ] as const;
    for (const [error, code, retryable, status] of cases) {
      const mapped = fromAwsError(error, 'GetParameter /a');
      assert.deepEqual([mapped.code, mapped.retryable, mapped.status], [code, retryable, status], code);
      assert.match(mapped.message, /^GetParameter \/a failed: /);
      assert.equal(mapped.cause, error);
    }
    const once = fromAwsError(answer('ParameterNotFound', 400), 'x');
    assert.equal(fromAwsError(once, 'y'), once, 'wrapped once');
  });
});
