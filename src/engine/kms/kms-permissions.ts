/**
 * The IAM permissions each KMS action needs: `kms:<Action>` on the key's ARN (an alias or
 * alias ARN is resolved to its key; Decrypt reads the key from the ciphertext), on `*` for
 * CreateKey, ListKeys and ListAliases, and on both alias and key for alias changes; with
 * kms:EncryptionContext:*, kms:RequestAlias and kms:CallerAccount where they apply.
 */
import type { Keyring } from '../../crypto/keyring.js';
import type { ValueBarrier } from '../../crypto/value-barrier.js';
import type { Permission, RequestContext } from '../request-context.js';

type Input = Record<string, unknown>;

/** Maps KMS actions to permissions. */
export class KmsPermissions {
  constructor(private readonly keyring: Keyring, private readonly barrier: ValueBarrier) {}

  async permissionsFor(ctx: RequestContext, action: string, input: Input): Promise<Permission[]> {
    const context: Record<string, string> = { 'kms:CallerAccount': ctx.account };
    if (typeof input.EncryptionContext === 'object' && input.EncryptionContext !== null) {
      for (const [k, v] of Object.entries(input.EncryptionContext)) context[`kms:EncryptionContext:${k}`] = String(v);
    }
    if (typeof input.KeyId === 'string' && input.KeyId.includes('alias/')) context['kms:RequestAlias'] = input.KeyId.replace(/^arn:[^:]+:kms:[^:]*:[^:]*:/, '');
    const on = (resource: string): Permission => ({ action: `kms:${action}`, resource, context });
    switch (action) {
      case 'CreateKey':
      case 'ListKeys':
      case 'ListAliases':
        return [on('*')];
      case 'CreateAlias':
        return [on(this.aliasArn(ctx, input.AliasName)), on(await this.keyArn(ctx, input.TargetKeyId))];
      case 'DeleteAlias': {
        const target = this.keyring.aliasesOf(ctx).find((a) => a.aliasName === input.AliasName);
        return [on(this.aliasArn(ctx, input.AliasName)), ...(target ? [on(await this.keyArn(ctx, target.keyId))] : [])];
      }
      case 'Decrypt': {
        let keyId = input.KeyId;
        try {
          keyId = this.barrier.keyIdOf(Buffer.from(String(input.CiphertextBlob), 'base64'));
        } catch {
          // Not a Coffer ciphertext: Decrypt refuses it after authorization.
        }
        return [on(await this.keyArn(ctx, keyId))];
      }
      default:
        return [on(await this.keyArn(ctx, input.KeyId))];
    }
  }

  private aliasArn(ctx: RequestContext, alias: unknown): string {
    return `arn:aws:kms:${ctx.region}:${ctx.account}:${String(alias)}`;
  }

  /** The ARN of the key a reference names, or the ARN it would have if none exists. */
  private async keyArn(ctx: RequestContext, reference: unknown): Promise<string> {
    if (typeof reference !== 'string') return `arn:aws:kms:${ctx.region}:${ctx.account}:key/`;
    try {
      return (await this.keyring.describe(ctx, reference)).arn;
    } catch {
      return reference.startsWith('arn:') ? reference : `arn:aws:kms:${ctx.region}:${ctx.account}:${reference.startsWith('alias/') ? reference : `key/${reference}`}`;
    }
  }
}
