/**
 * How Secrets Manager uses a secret's KMS key on the caller's behalf: the permission it needs,
 * whether a key a request names exists, and the key a stored version was sealed under.
 */
import type { KeyInfo } from '../../crypto/keyring.js';
import type { RequestContext } from '../request-context.js';
import { KeyAccess } from '../kms/key-access.js';
import { ManagedKeyNeeded } from '../kms/managed-keys.js';
import { ServiceError } from '../service-error.js';
import { InvalidParameterException } from './errors.js';
import type { SecretRecord } from './secret-records.js';
import { DEFAULT_SECRETS_KEY_ALIAS, type SecretVersions } from './secret-versions.js';

export class SecretKeyUse {
  constructor(
    private readonly keys: KeyAccess,
    private readonly versions: SecretVersions,
  ) {}

  /**
   * Authorizes the key's use through its policy: the AWS-managed key's lets every principal of the
   * account use it via Secrets Manager; a customer key's default policy delegates to IAM, so the
   * caller's own kms permission is needed, as in AWS.
   */
  async authorize(
    ctx: RequestContext,
    action: 'kms:Decrypt' | 'kms:GenerateDataKey',
    key: KeyInfo | string | undefined,
  ): Promise<void> {
    if (!ctx.authorize) return;
    const context = KeyAccess.viaService(ctx, 'secretsmanager');
    const permission =
      typeof key === 'object'
        ? this.keys.onKey(ctx, action, key, context)
        : await this.keys.onReference(ctx, action, key, DEFAULT_SECRETS_KEY_ALIAS, context);
    await ctx.authorize([permission]);
  }

  /**
   * A key a request names must exist (the AWS-managed one is made when a value first needs it).
   * As in AWS, Secrets Manager answers for it: InvalidParameterException quoting KMS's reason.
   */
  async checkNamed(ctx: RequestContext, kmsKeyId: string): Promise<void> {
    await this.versions.keyForWrite(ctx, kmsKeyId).catch((e: unknown) => {
      if (e instanceof ManagedKeyNeeded) return;
      if (e instanceof ServiceError && e.code === 'NotFoundException')
        throw new InvalidParameterException(`The operation failed because of an invalid KMS key: ${e.message}`);
      throw e;
    });
  }

  /** The key a version of the secret was sealed under. */
  async ofVersion(ctx: RequestContext, record: SecretRecord, versionId: string): Promise<KeyInfo> {
    const version = record.versions.find((v) => v.versionId === versionId)!;
    return this.versions.keyOf(ctx, this.versions.keyIdOf(version));
  }
}
