/**
 * Errors raised by the crypto barrier. Each carries the AWS KMS error code it corresponds to,
 * so the layers above can pass it on unchanged. None ever includes key bytes or plaintext.
 */

/** Base class: an error with an AWS error code. */
export class CryptoError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

/** A ciphertext was altered, truncated, or moved to another row, version or key. */
export class InvalidCiphertextException extends CryptoError {
  constructor(
    message = 'The ciphertext failed its integrity check: it was altered, or it belongs to another record or key.',
  ) {
    super('InvalidCiphertextException', message);
  }
}

/** The master key does not open this store's keyring. */
export class WrongMasterKeyError extends CryptoError {
  constructor(source: string) {
    super(
      'WrongMasterKey',
      `The master key from ${source} does not open this store: it was sealed under a different master key. Nothing ` +
        `was changed.`,
    );
  }
}

/** A key id, ARN or alias that names no key. */
export class NotFoundException extends CryptoError {
  constructor(message: string) {
    super('NotFoundException', message);
  }
}

/** A key reference that is not a valid key id, ARN or alias. */
export class InvalidKeyReference extends CryptoError {
  constructor(message: string) {
    super('InvalidKeyId', message);
  }
}

/** A key that exists but is disabled. */
export class DisabledException extends CryptoError {
  constructor(keyArn: string) {
    super('DisabledException', `${keyArn} is disabled.`);
  }
}

/** A key whose state forbids the operation (pending deletion, or not pending when cancelling). */
export class KMSInvalidStateException extends CryptoError {
  constructor(message: string) {
    super('KMSInvalidStateException', message);
  }
}

/** An alias that already exists. */
export class AlreadyExistsException extends CryptoError {
  constructor(message: string) {
    super('AlreadyExistsException', message);
  }
}
