/**
 * Parameter Store errors, one class per AWS error code, with AWS's wording where AWS has one.
 */
import { ServiceError, validationMessage } from '../service-error.js';

/** Input fails a constraint (AWS's catch-all 400). */
export class ValidationException extends ServiceError {
  constructor(message: string) {
    super('ValidationException', message);
  }

  /** A ValidationException listing constraint failures as AWS does. */
  static of(...failures: string[]): ValidationException {
    return new ValidationException(validationMessage(failures));
  }
}

export class ParameterNotFound extends ServiceError {
  constructor(name: string, message = `Parameter ${name} not found.`) {
    super('ParameterNotFound', message);
  }

  /** AWS's wording when a `/aws/reference/secretsmanager/...` name finds no secret (the name as given). */
  static referencingSecret(name: string): ParameterNotFound {
    return new ParameterNotFound(
      name,
      `An error occurred (ParameterNotFound) when referencing Secrets Manager: Secret ${name} not found.`,
    );
  }
}

export class ParameterVersionNotFound extends ServiceError {
  constructor(name: string, version: number | string) {
    super(
      'ParameterVersionNotFound',
      `Systems Manager could not find version ${version} of ${name}. Verify the version and try again.`,
    );
  }
}

export class ParameterAlreadyExists extends ServiceError {
  constructor() {
    super(
      'ParameterAlreadyExists',
      'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
    );
  }
}

export class ParameterMaxVersionLimitExceeded extends ServiceError {
  constructor(name: string, oldest: number) {
    super(
      'ParameterMaxVersionLimitExceeded',
      `You attempted to create a new version of ${name} by calling the PutParameter API with the overwrite flag. ` +
        `Version ${oldest}, the oldest version, can't be deleted because it has a label associated with it. ` +
        'Move the label to another version of the parameter, and try again.',
    );
  }
}

export class ParameterVersionLabelLimitExceeded extends ServiceError {
  constructor() {
    super(
      'ParameterVersionLabelLimitExceeded',
      'A parameter version can have maximum 10 labels. Move one or more labels to another version and try again.',
    );
  }
}

export class ParameterPatternMismatchException extends ServiceError {
  constructor(pattern: string) {
    super(
      'ParameterPatternMismatchException',
      `Parameter value, cannot be validated against allowedPattern: ${pattern}`,
    );
  }
}

export class HierarchyLevelLimitExceededException extends ServiceError {
  constructor() {
    super(
      'HierarchyLevelLimitExceededException',
      'A hierarchy can have a maximum of 15 levels. For more information, see Requirements and Constraints for ' +
        'Parameter Names in the AWS Systems Manager User Guide.',
    );
  }
}

export class AccessDeniedException extends ServiceError {
  constructor(message: string) {
    super('AccessDeniedException', message);
  }
}

export class UnsupportedParameterType extends ServiceError {
  constructor(type: string) {
    super('UnsupportedParameterType', `The following parameter type is not supported: ${type}`);
  }
}

export class InvalidAllowedPatternException extends ServiceError {
  constructor(message: string) {
    super('InvalidAllowedPatternException', message);
  }
}

/** Another write changed the parameter while this one was being authorized; retrying succeeds. */
export class TooManyUpdates extends ServiceError {
  constructor() {
    super('TooManyUpdates', 'There are concurrent updates for a resource that supports one update at a time.');
  }
}

export class InvalidKeyId extends ServiceError {
  constructor(message: string) {
    super('InvalidKeyId', message);
  }
}

export class InvalidFilterKey extends ServiceError {
  constructor(message: string) {
    super('InvalidFilterKey', message);
  }
}

export class InvalidFilterOption extends ServiceError {
  constructor(message: string) {
    super('InvalidFilterOption', message);
  }
}

export class InvalidFilterValue extends ServiceError {
  constructor(message: string) {
    super('InvalidFilterValue', message);
  }
}

export class InvalidNextToken extends ServiceError {
  constructor() {
    super('InvalidNextToken', "The specified token isn't valid.");
  }
}

export class InvalidResourceId extends ServiceError {
  constructor() {
    super('InvalidResourceId', 'Invalid Resource Id');
  }
}

export class InvalidResourceType extends ServiceError {
  constructor() {
    super('InvalidResourceType', 'Invalid Resource Type');
  }
}

export class TooManyTagsError extends ServiceError {
  constructor() {
    super(
      'TooManyTagsError',
      'You have exceeded the maximum number of tags allowed for this resource. A resource can have a maximum of 50 ' +
        'tags.',
    );
  }
}

export class IncompatiblePolicyException extends ServiceError {
  constructor(message: string) {
    super('IncompatiblePolicyException', message);
  }
}

export class InvalidPolicyTypeException extends ServiceError {
  constructor(message: string) {
    super('InvalidPolicyTypeException', message);
  }
}

/** Coffer's compare-and-set refused a write: the parameter changed since the caller read it. */
export class ParameterVersionConflict extends ServiceError {
  constructor(name: string, expected: number, found: number) {
    super(
      'ParameterVersionConflict',
      `Parameter ${name} changed since it was read: expected version ${expected}, found version ${found}.`,
      400,
    );
  }
}

export class InvalidPolicyAttributeException extends ServiceError {
  constructor(message: string) {
    super('InvalidPolicyAttributeException', message);
  }
}

export class PoliciesLimitExceededException extends ServiceError {
  constructor() {
    super(
      'PoliciesLimitExceededException',
      'You specified more than the maximum number of allowed policies for the parameter. The maximum is 10.',
    );
  }
}
