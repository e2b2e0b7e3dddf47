/**
 * KMS errors as the KMS API names them. Crypto-layer errors already carry a KMS code; they are
 * passed on as service errors with the same code and message.
 */
import { CryptoError } from '../../crypto/errors.js';
import { ServiceError } from '../service-error.js';

export class KmsValidationException extends ServiceError {
  constructor(message: string) {
    super('ValidationException', message);
  }
}

/** Runs a crypto call, turning its errors into the service errors KMS answers with. */
export async function asKmsError<T>(work: () => Promise<T> | T): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof CryptoError) {
      throw new ServiceError(error.code === 'InvalidKeyId' ? 'NotFoundException' : error.code, error.message);
    }
    throw error;
  }
}
