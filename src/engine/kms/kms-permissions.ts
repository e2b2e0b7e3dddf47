/**
 * The IAM permissions each KMS action needs: `kms:<Action>` on the key's ARN (an alias or alias
 * ARN is resolved to its key; Decrypt reads the key from the ciphertext) with the key's policy
 * and tags (KeyAccess), on `*` for CreateKey, ListKeys and ListAliases, and on both alias and key
 * for alias changes; with kms:EncryptionContext:*, kms:RequestAlias and kms:CallerAccount.
 */
import type { ValueBarrier } from '../../crypto/value-barrier.js';
import { requestTagKeys, type Permission, type RequestContext } from '../request-context.js';
import { type KeyAccess, referenceArn } from './key-access.js';

type Input = Record<string, unknown>;

/** The alias a request names, if any: `alias/x` from an alias name or alias ARN. */
function requestAlias(keyId: unknown): string | undefined {
  if (typeof keyId !== 'string' || !keyId.includes('alias/')) return undefined;
  return keyId.replace(/^arn:[^:]+:kms:[^:]*:[^:]*:/, '');
}

/** Maps KMS actions to permissions. */
export class KmsPermissions {
  constructor(
    private readonly keys: KeyAccess,
    private readonly barrier: ValueBarrier,
  ) {}

  async permissionsFor(ctx: RequestContext, action: string, input: Input): Promise<Permission[]> {
    const context: Record<string, string | string[]> = { 'kms:CallerAccount': ctx.account };
    if (typeof input.EncryptionContext === 'object' && input.EncryptionContext !== null) {
      for (const [k, v] of Object.entries(input.EncryptionContext)) context[`kms:EncryptionContext:${k}`] = String(v);
    }
    const alias = requestAlias(input.KeyId);
    if (alias !== undefined) context['kms:RequestAlias'] = alias;
    if (action === 'CreateKey' || action === 'TagResource') Object.assign(context, requestTagKeys(input.Tags));
    if (action === 'UntagResource' && Array.isArray(input.TagKeys)) context['aws:TagKeys'] = input.TagKeys.map(String);
    const iamAction = `kms:${action}`;
    const onKey = (reference: unknown) => this.onKey(ctx, iamAction, reference, context);
    switch (action) {
      case 'CreateKey':
      case 'ListKeys':
      case 'ListAliases':
      case 'GenerateRandom':
        return [{ action: iamAction, resource: '*', context }];
      case 'CreateAlias':
        return [this.onAlias(ctx, iamAction, input.AliasName, context), await onKey(input.TargetKeyId)];
      case 'DeleteAlias': {
        const permissions = [this.onAlias(ctx, iamAction, input.AliasName, context)];
        if (typeof input.AliasName === 'string') permissions.push(await onKey(input.AliasName));
        return permissions;
      }
      case 'Decrypt':
        return [await onKey(this.ciphertextKey(input) ?? input.KeyId)];
      default:
        return [await onKey(input.KeyId)];
    }
  }

  private onAlias(
    ctx: RequestContext,
    action: string,
    alias: unknown,
    context: Record<string, string | string[]>,
  ): Permission {
    const arn = referenceArn(ctx, String(alias));
    return { action, resource: arn, shown: arn, context };
  }

  private async onKey(
    ctx: RequestContext,
    action: string,
    reference: unknown,
    context: Record<string, string | string[]>,
  ): Promise<Permission> {
    if (typeof reference !== 'string')
      return { action, resource: `arn:aws:kms:${ctx.region}:${ctx.account}:key/`, context };
    return this.keys.onReference(ctx, action, reference, '', context);
  }

  /** The key a ciphertext names, when it is one of Coffer's (Decrypt refuses others after authorization). */
  private ciphertextKey(input: Input): string | undefined {
    try {
      return this.barrier.keyIdOf(Buffer.from(String(input.CiphertextBlob), 'base64'));
    } catch {
      return undefined;
    }
  }
}
