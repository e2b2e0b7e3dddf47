/**
 * Errors that only the wire layer can know: authentication, framing, routing. Each carries
 * the AWS error code and HTTP status AWS answers with.
 */
import { ServiceError } from '../engine/service-error.js';

export class MissingAuthenticationTokenException extends ServiceError {
  constructor() {
    super('MissingAuthenticationTokenException', 'Missing Authentication Token', 400);
  }
}

export class IncompleteSignatureException extends ServiceError {
  constructor(message: string) {
    super('IncompleteSignatureException', message, 400);
  }
}

export class UnrecognizedClientException extends ServiceError {
  /** `hint`: said after AWS's words (to a caller on this machine: where the root credentials are). */
  constructor(hint?: string) {
    super(
      'UnrecognizedClientException',
      `The security token included in the request is invalid.${hint ? ` ${hint}` : ''}`,
      400,
    );
  }
}

export class InvalidSignatureException extends ServiceError {
  constructor(
    message = 'The request signature we calculated does not match the signature you provided. Check your AWS Secret ' +
      'Access Key and signing method. Consult the service documentation for details.',
  ) {
    super('InvalidSignatureException', message, 400);
  }
}

export class SerializationException extends ServiceError {
  constructor(message: string) {
    super('SerializationException', message, 400);
  }
}

export class UnknownOperationException extends ServiceError {
  /** `target`: the X-Amz-Target sent, named when it is a plausible one (it comes before authentication). */
  constructor(target?: string) {
    super(
      'UnknownOperationException',
      target !== undefined && /^[A-Za-z0-9_.]{1,160}$/.test(target)
        ? `The operation ${target} is not one this endpoint serves.`
        : 'The X-Amz-Target header names no operation this endpoint serves.',
      400,
    );
  }
}

export class RequestEntityTooLargeException extends ServiceError {
  constructor(limit: number) {
    super('RequestEntityTooLargeException', `Request body is larger than ${limit} bytes.`, 413);
  }
}

/**
 * A fault on our side, under the code the service names its own faults with (InternalServerError,
 * InternalServiceError, KMSInternalException, ServiceFailure, InternalFailure); the message never
 * says what (the log says, without values or request text).
 */
export class InternalServerError extends ServiceError {
  constructor(code = 'InternalFailure') {
    super(code, 'An internal error occurred. Try again later.', 500);
  }
}

/** A query string or form body that cannot be decoded (bad percent-encoding, invalid UTF-8, repeated keys). */
export class MalformedQueryString extends ServiceError {
  constructor(message: string) {
    super('MalformedQueryString', message, 400);
  }
}
