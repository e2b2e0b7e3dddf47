/**
 * Secrets Manager errors, one class per AWS error code, with AWS's wording where AWS has one.
 * Every one answers 400, as Secrets Manager does.
 */
import { ServiceError } from '../service-error.js';

export class ResourceNotFoundException extends ServiceError {
  constructor(message = "Secrets Manager can't find the specified secret.") {
    super('ResourceNotFoundException', message);
  }
}

export class InvalidParameterException extends ServiceError {
  constructor(message: string) {
    super('InvalidParameterException', message);
  }
}

export class InvalidRequestException extends ServiceError {
  constructor(message: string) {
    super('InvalidRequestException', message);
  }
}

export class ResourceExistsException extends ServiceError {
  constructor(message: string) {
    super('ResourceExistsException', message);
  }
}

export class SecretsValidationException extends ServiceError {
  constructor(message: string) {
    super('ValidationException', message);
  }
}

export class MalformedPolicyDocumentException extends ServiceError {
  constructor(message: string) {
    super('MalformedPolicyDocumentException', message);
  }
}

/** The message AWS gives for any operation on a secret scheduled for deletion. */
export function markedForDeletion(): InvalidRequestException {
  return new InvalidRequestException(
    "You can't perform this operation on the secret because it was marked for deletion.",
  );
}
