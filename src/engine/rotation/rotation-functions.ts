/**
 * Rotation functions: an HTTP endpoint Coffer POSTs Lambda's rotation event to, or one of
 * Coffer's built-in rotators. A RotationLambdaARN `arn:aws:lambda:<region>:<account>:function:<name>`
 * names one. Each function gets an HMAC key at registration (shown once, stored sealed) with
 * which Coffer signs every call, so the function can prove the caller is Coffer.
 */
import { randomBytes } from 'node:crypto';
import type { ValueBarrier } from '../../crypto/value-barrier.js';
import type { Keyring } from '../../crypto/keyring.js';
import type { Scope, Storage } from '../../storage/storage.js';
import { keyForWrite, withManagedKey } from '../kms/managed-keys.js';
import { ServiceError } from '../service-error.js';
import { BUILTIN_ROTATORS } from './builtin-rotators.js';

const NAME = /^[a-zA-Z0-9-_]{1,64}$/;
const FUNCTION_ARN = /^arn:aws:lambda:([a-z0-9-]+):(\d{12}):function:([a-zA-Z0-9-_]{1,64})$/;

/** What a registration is: an HTTP URL, or a built-in rotator with its options. */
export type FunctionTarget =
  | { readonly url: string }
  | { readonly builtin: string; readonly options?: Record<string, unknown> };

/** A function ready to call: its row and its opened signing key. */
export interface RotationFunction {
  readonly name: string;
  readonly arn: string;
  readonly kind: 'http' | 'builtin';
  readonly target: string;
  readonly options: Record<string, unknown>;
  readonly signingKey: Buffer;
}

export function functionArn(scope: Scope, name: string): string {
  return `arn:aws:lambda:${scope.region}:${scope.account}:function:${name}`;
}

/** The ARN a RotationLambdaARN or bare function name denotes (for authorization: nothing is looked up). */
export function functionReferenceArn(scope: Scope, reference: string): string {
  return reference.startsWith('arn:') ? reference : functionArn(scope, reference);
}

function keyContext(scope: Scope, name: string): Record<string, string> {
  return { service: 'rotation', purpose: 'function-signing-key', account: scope.account, region: scope.region, name };
}

/** The registry of rotation functions. */
export class RotationFunctions {
  constructor(
    private readonly storage: Storage,
    private readonly keyring: Keyring,
    private readonly barrier: ValueBarrier,
  ) {}

  /** Registers a function under a new name; returns its ARN and its signing key, shown this once. */
  async register(scope: Scope, name: unknown, target: FunctionTarget): Promise<{ arn: string; signingKey: string }> {
    if (typeof name !== 'string' || !NAME.test(name))
      throw new ServiceError('InvalidParameterException', 'A function name is 1-64 letters, digits, - and _.');
    let kind: 'http' | 'builtin';
    let where: string;
    if ('url' in target) {
      let url: URL;
      try {
        url = new URL(target.url);
      } catch {
        throw new ServiceError('InvalidParameterException', `Not a URL: ${target.url}`);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:')
        throw new ServiceError('InvalidParameterException', 'A function URL is http:// or https://.');
      [kind, where] = ['http', url.toString()];
    } else {
      const known = Object.keys(BUILTIN_ROTATORS).join(', ');
      if (typeof target.builtin !== 'string')
        throw new ServiceError('InvalidParameterException', `Name a Url or a built-in rotator (${known}).`);
      // Own names only: `constructor` or `__proto__` are no rotators.
      const rotator = Object.hasOwn(BUILTIN_ROTATORS, target.builtin) ? BUILTIN_ROTATORS[target.builtin] : undefined;
      if (!rotator)
        throw new ServiceError(
          'InvalidParameterException',
          `No built-in rotator ${target.builtin}; there are ${known}.`,
        );
      rotator.checkOptions(target.options ?? {});
      [kind, where] = ['builtin', target.builtin];
    }
    const signingKey = randomBytes(32).toString('base64url');
    await withManagedKey(this.keyring, scope, () =>
      this.storage.transaction(async (tx) => {
        // Never replaced in place: whoever may register must not redirect another's function.
        if (await tx.getRotationFunction(scope, name))
          throw new ServiceError(
            'ResourceConflictException',
            `A rotation function ${name} exists already; remove it first.`,
          );
        const key = await keyForWrite(this.keyring, scope, undefined, 'alias/aws/secretsmanager');
        await tx.putRotationFunction(scope, {
          name,
          kind,
          target: where,
          options: JSON.stringify('builtin' in target ? (target.options ?? {}) : {}),
          keySealed: this.barrier.seal(signingKey, key.keyId, keyContext(scope, name)),
          createdAt: Date.now(),
        });
      }),
    );
    return { arn: functionArn(scope, name), signingKey };
  }

  async list(scope: Scope): Promise<{ Name: string; Arn: string; Kind: string; Target: string; CreatedDate: Date }[]> {
    return (await this.storage.listRotationFunctions(scope)).map((f) => ({
      Name: f.name,
      Arn: functionArn(scope, f.name),
      Kind: f.kind,
      Target: f.target,
      CreatedDate: new Date(f.createdAt),
    }));
  }

  async remove(scope: Scope, name: unknown): Promise<void> {
    const removed = await this.storage.transaction((tx) => tx.deleteRotationFunction(scope, String(name)));
    if (!removed) throw new ServiceError('ResourceNotFoundException', `No rotation function ${String(name)}.`);
  }

  /** The function a RotationLambdaARN (or bare name) names in this scope. */
  async resolve(scope: Scope, reference: unknown): Promise<RotationFunction> {
    const text = String(reference);
    const arn = FUNCTION_ARN.exec(text);
    if (arn && (arn[1] !== scope.region || arn[2] !== scope.account)) {
      throw new ServiceError(
        'InvalidParameterException',
        `The rotation function ${text} is not in this account and Region.`,
      );
    }
    const name = arn ? arn[3]! : text;
    const row = await this.storage.getRotationFunction(scope, name);
    if (!row) {
      throw new ServiceError(
        'InvalidRequestException',
        `Secrets Manager cannot invoke the specified Lambda function. No function ${name} is registered (coffer ` +
          `functions register).`,
      );
    }
    return {
      name,
      arn: functionArn(scope, name),
      kind: row.kind,
      target: row.target,
      options: JSON.parse(row.options) as Record<string, unknown>,
      signingKey: Buffer.from(await this.barrier.open(row.keySealed, keyContext(scope, name))),
    };
  }
}
