/**
 * Secret names and ARNs as AWS defines them: 1-512 characters from ASCII letters, digits and
 * `/_+=.@-`; ARNs end in `-` and six random characters; a SecretId is a name, a full ARN, or a
 * partial ARN (without the suffix).
 */
import { randomInt } from 'node:crypto';
import type { Scope } from '../../storage/storage.js';
import { SecretsValidationException } from './errors.js';

const NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const ARN = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):(\d{12}):secret:(.+)$/;

/** Checks a name for CreateSecret. */
export function checkSecretName(name: unknown): string {
  if (typeof name !== 'string')
    throw new SecretsValidationException(
      "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null",
    );
  if (!NAME.test(name)) {
    throw new SecretsValidationException(
      `Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!`,
    );
  }
  return name;
}

/** A new secret's ARN: the name, a dash, and six random characters. */
export function newSecretArn(scope: Scope, name: string): string {
  const suffix = Array.from({ length: 6 }, () => SUFFIX_ALPHABET[randomInt(SUFFIX_ALPHABET.length)]).join('');
  return `arn:aws:secretsmanager:${scope.region}:${scope.account}:secret:${name}-${suffix}`;
}

/**
 * The names a SecretId may denote, most specific first: for a full ARN the name without its
 * suffix (the caller checks the stored ARN matches), then the text after `secret:` (a partial
 * ARN); for a name, the name. Undefined for an ARN of another account or region.
 */
export function candidateNames(scope: Scope, secretId: string): { name: string; arn?: string }[] | undefined {
  const arn = ARN.exec(secretId);
  if (!arn) return [{ name: secretId }];
  if (arn[1] !== scope.region || arn[2] !== scope.account) return undefined;
  const rest = arn[3]!;
  const suffixed = /^(.+)-[A-Za-z0-9]{6}$/.exec(rest);
  return [...(suffixed ? [{ name: suffixed[1]!, arn: secretId }] : []), { name: rest }];
}

/** The ARN pattern a secret being created is authorized against (its suffix is not chosen yet). */
export function pendingSecretArn(scope: Scope, name: string): string {
  return `arn:aws:secretsmanager:${scope.region}:${scope.account}:secret:${name}-??????`;
}

/**
 * The ARN and name a forced DeleteSecret answers for a secret that does not exist: the ARN as
 * given, or one made for the name as CreateSecret would. Undefined for an ARN of another account
 * or Region, which is no secret of this store's to answer for.
 */
export function absentSecret(scope: Scope, secretId: string): { ARN: string; Name: string } | undefined {
  const arn = ARN.exec(secretId);
  if (!arn) return { ARN: newSecretArn(scope, secretId), Name: secretId };
  if (arn[1] !== scope.region || arn[2] !== scope.account) return undefined;
  const rest = arn[3]!;
  const suffixed = /^(.+)-[A-Za-z0-9]{6}$/.exec(rest);
  return { ARN: secretId, Name: suffixed ? suffixed[1]! : rest };
}
