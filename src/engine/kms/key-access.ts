/**
 * The one way a permission on a KMS key is built, for the KMS API and for the services that use
 * keys on a caller's behalf (SSM SecureStrings, Secrets Manager values): the key's ARN, its key
 * policy (which governs, as in AWS), its tags for aws:ResourceTag, and the key as the caller
 * named it for messages. Nothing here creates a key: an AWS-managed key not made yet is
 * authorized against the fixed policy it will have, and made only once that succeeded.
 */
import type { KeyInfo, Keyring } from '../../crypto/keyring.js';
import type { Scope, StorageReader } from '../../storage/storage.js';
import type { ConditionValues, Permission } from '../request-context.js';
import { defaultKeyPolicy, managedKeyPolicy, MANAGED_KEY_SERVICES } from './key-policies.js';

/** Tags of keys live with every other resource's, under this type. */
export const KEY_TAG_TYPE = 'Key';

/** The ARN form of a key reference as the caller wrote it (key id, key ARN, alias, alias ARN). */
export function referenceArn(scope: Scope, reference: string): string {
  if (reference.startsWith('arn:')) return reference;
  const resource = reference.startsWith('alias/') ? reference : `key/${reference}`;
  return `arn:aws:kms:${scope.region}:${scope.account}:${resource}`;
}

export class KeyAccess {
  constructor(
    private readonly keyring: Keyring,
    private readonly storage: StorageReader,
  ) {}

  /** The policy in force on a key: its own, the default, or its service's fixed one. */
  policyOf(key: KeyInfo): string {
    if (key.keyManager === 'AWS') {
      const alias = key.aliases.find((a) => MANAGED_KEY_SERVICES[a] !== undefined);
      return managedKeyPolicy(key.account, key.region, alias ? MANAGED_KEY_SERVICES[alias]! : 'none');
    }
    return key.policy ?? defaultKeyPolicy(key.account);
  }

  /** A permission on an existing key. */
  onKey(scope: Scope, action: string, key: KeyInfo, context: ConditionValues, shown?: string): Permission {
    return {
      action,
      resource: key.arn,
      shown: shown ?? key.arn,
      context,
      resourcePolicy: async () => ({
        document: this.policyOf(key),
        effect: 'governs',
        ...(key.keyManager === 'CUSTOMER' && key.policyPrincipals ? { principals: key.policyPrincipals } : {}),
      }),
      resourceTags: () => this.tagsOf(scope, key.keyId),
    };
  }

  /**
   * A permission on the key a reference names (or, with none, the AWS-managed `defaultAlias`),
   * without creating it. A reference to no key is judged by identity policies alone, so a
   * caller they refuse learns nothing of what exists; one they allow then meets NotFound.
   */
  async onReference(
    scope: Scope,
    action: string,
    reference: string | undefined,
    defaultAlias: string,
    context: ConditionValues,
  ): Promise<Permission> {
    const named = reference ?? defaultAlias;
    const key = await this.keyring.find(scope, named).catch(() => undefined);
    const shown = referenceArn(scope, named);
    if (key) return this.onKey(scope, action, key, context, shown);
    const service = named === defaultAlias ? MANAGED_KEY_SERVICES[defaultAlias] : undefined;
    if (service === undefined) return { action, resource: shown, shown, context };
    const policy = managedKeyPolicy(scope.account, scope.region, service);
    return {
      action,
      resource: shown,
      shown,
      context,
      resourcePolicy: async () => ({ document: policy, effect: 'governs' }),
    };
  }

  /** The context a service's use of a key on the caller's behalf carries (kms:ViaService, kms:CallerAccount). */
  static viaService(
    scope: Scope,
    service: 'ssm' | 'secretsmanager',
    extra: Record<string, string> = {},
  ): Record<string, string> {
    return {
      'kms:ViaService': `${service}.${scope.region}.amazonaws.com`,
      'kms:CallerAccount': scope.account,
      ...extra,
    };
  }

  async tagsOf(scope: Scope, keyId: string): Promise<Record<string, string>> {
    const rows = await this.storage.listTags(scope, KEY_TAG_TYPE, [keyId]);
    return Object.fromEntries(rows.map((r) => [r.key, r.value]));
  }
}
