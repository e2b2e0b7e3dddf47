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

/**
 * The model's ValidationException for a member outside its bounds, in the wire's words
 * (api/models/model-constraints.ts), for the engine's own guards of calls made inside Coffer:
 * `Value 'x' at 'path' failed to satisfy constraint: Member must have length less than or equal to N`.
 * Strings and numbers are shown, lists as `[a, b]`, anything else not at all (never `undefined`).
 */
export function outOfBounds(
  path: string,
  value: unknown,
  bounds: { min: number; max: number; measure: 'length' | 'value' },
): SecretsValidationException {
  const size = bounds.measure === 'value' ? Number(value) : ((value as { length?: number } | null)?.length ?? 0);
  const shown =
    typeof value === 'string' || typeof value === 'number'
      ? `'${value}' `
      : Array.isArray(value) && value.every((v) => typeof v === 'string')
        ? `'[${value.join(', ')}]' `
        : value === undefined || value === null
          ? 'null '
          : '';
  const constraint =
    value === undefined || value === null
      ? 'Member must not be null'
      : `Member must have ${bounds.measure} ` +
        (size < bounds.min ? `greater than or equal to ${bounds.min}` : `less than or equal to ${bounds.max}`);
  return new SecretsValidationException(
    `1 validation error detected: Value ${shown}at '${path}' failed to satisfy constraint: ${constraint}`,
  );
}
