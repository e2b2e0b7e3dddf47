/**
 * IAM and STS errors, one class per AWS error code, with the HTTP status AWS answers with.
 */
import { ServiceError } from '../service-error.js';

export class NoSuchEntity extends ServiceError {
  constructor(message: string) {
    super('NoSuchEntity', message, 404);
  }
}

export class EntityAlreadyExists extends ServiceError {
  constructor(message: string) {
    super('EntityAlreadyExists', message, 409);
  }
}

export class MalformedPolicyDocument extends ServiceError {
  constructor(message: string) {
    super('MalformedPolicyDocument', message, 400);
  }
}

export class DeleteConflict extends ServiceError {
  constructor(message: string) {
    super('DeleteConflict', message, 409);
  }
}

export class LimitExceeded extends ServiceError {
  constructor(message: string) {
    super('LimitExceeded', message, 409);
  }
}

/** IAM's and STS's schema-level validation failure (the query protocol's ValidationError). */
export class IamValidationError extends ServiceError {
  constructor(message: string) {
    super('ValidationError', message, 400);
  }
}

export class ExpiredToken extends ServiceError {
  constructor() {
    super('ExpiredTokenException', 'The security token included in the request is expired', 400);
  }
}

/**
 * A list member of a Query request: absent or empty (`Tags=`, how the Query protocol sends an
 * empty list) is [], a list is itself, anything else a ValidationError.
 */
export function listMember<T>(value: readonly T[] | string | undefined, field: string): readonly T[] {
  if (value === undefined || value === '') return [];
  if (Array.isArray(value)) return value;
  throw new IamValidationError(
    `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must be a list`,
  );
}
