/**
 * KMS: the crypto layer's logical keys over the KMS API. Key lifecycle (create, describe,
 * list, aliases, rotation flag, scheduled deletion and its cancellation) and the data-plane
 * calls apps use for envelope encryption of their own (Encrypt, Decrypt, GenerateDataKey).
 * Ciphertexts made here are bound to a `coffer:api=kms` context entry, so neither a parameter's
 * ciphertext nor a KMS one can be opened through the other API.
 */
import type {
  CancelKeyDeletionRequest,
  CreateAliasRequest,
  CreateKeyRequest,
  DecryptRequest,
  DeleteAliasRequest,
  DescribeKeyRequest,
  EncryptRequest,
  GenerateDataKeyRequest,
  GetKeyPolicyRequest,
  KeyMetadata,
  ListKeyPoliciesRequest,
  ListResourceTagsRequest,
  PutKeyPolicyRequest,
  ScheduleKeyDeletionRequest,
  Tag,
  TagResourceRequest,
  UntagResourceRequest,
} from '@aws-sdk/client-kms';
import { randomBytes } from 'node:crypto';
import type { KeyInfo, Keyring } from '../../crypto/keyring.js';
import type { ValueBarrier } from '../../crypto/value-barrier.js';
import type { Storage } from '../../storage/storage.js';
import type { IamEntities } from '../iam/iam-entities.js';
import { parsePolicyDocument } from '../iam/policy-document.js';
import { principalBindings } from '../iam/principal-bindings.js';
import { CompiledPolicy } from '../iam/policy-evaluator.js';
import type { RequestContext } from '../request-context.js';
import { ServiceError } from '../service-error.js';
import { KEY_TAG_TYPE, type KeyAccess } from './key-access.js';
import { checkKeyPolicy, MalformedPolicyDocumentException } from './key-policies.js';
import { asKmsError, KmsValidationException } from './kms-errors.js';

const MAX_TAGS = 50;

const MAX_PLAINTEXT = 4096;
const DAY_MS = 86_400_000;

function invalidState(message: string): ServiceError {
  return new ServiceError('KMSInvalidStateException', message);
}

/** The JSON input shapes decode blobs as base64 strings; the engine sees bytes. */
type Blob = string | Uint8Array | undefined;

function bytes(value: Blob, field: string): Buffer {
  if (value === undefined)
    throw new KmsValidationException(
      `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`,
    );
  return typeof value === 'string' ? Buffer.from(value, 'base64') : Buffer.from(value);
}

function context(encryptionContext: Record<string, string> | undefined): Record<string, string> {
  for (const [k, v] of Object.entries(encryptionContext ?? {})) {
    if (typeof v !== 'string' || k.startsWith('coffer:'))
      throw new KmsValidationException(
        'Encryption context keys and values are strings; keys may not begin with coffer:.',
      );
    if (k.includes('\u0000') || v.includes('\u0000'))
      throw new KmsValidationException('Encryption context keys and values may not contain NUL characters.');
  }
  return { ...encryptionContext, 'coffer:api': 'kms' };
}

export function keyMetadata(key: KeyInfo): KeyMetadata {
  return {
    AWSAccountId: key.account,
    KeyId: key.keyId,
    Arn: key.arn,
    CreationDate: new Date(key.createdAt),
    Enabled: key.enabled,
    Description: key.description,
    KeyUsage: 'ENCRYPT_DECRYPT',
    KeyState: key.state,
    Origin: 'AWS_KMS',
    KeyManager: key.keyManager,
    CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
    KeySpec: 'SYMMETRIC_DEFAULT',
    EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
    MultiRegion: false,
    ...(key.deletionDate !== undefined
      ? { DeletionDate: new Date(key.deletionDate), PendingDeletionWindowInDays: undefined }
      : {}),
  };
}

/**
 * The safety check KMS runs on a new key policy: the caller must still be allowed to change it
 * afterwards (directly, or through the account's IAM policies), unless told to bypass the check.
 */
function checkLockout(
  ctx: RequestContext,
  policy: string,
  principals: Record<string, string>,
  keyArn: string,
  bypass: boolean | undefined,
): void {
  if (bypass === true || !ctx.caller || /:root$/.test(ctx.caller.principalArn)) return;
  const compiled = new CompiledPolicy('key policy', parsePolicyDocument(policy, 'resource'));
  const subject = {
    arn: ctx.caller.principalArn,
    sessionArn: ctx.caller.arn,
    account: ctx.account,
    id: ctx.caller.principalId,
    bindings: principals,
  };
  if (compiled.evaluate('kms:PutKeyPolicy', keyArn, () => undefined, subject).effect !== 'Allow') {
    throw new MalformedPolicyDocumentException(
      'The new key policy will not allow you to update the key policy in the future.',
    );
  }
}

function checkTags(tags: readonly Tag[] | undefined): Tag[] {
  const list = [...(tags ?? [])];
  for (const t of list) {
    if ((t.TagKey ?? '').toLowerCase().startsWith('aws:'))
      throw new ServiceError('TagException', 'Tag keys beginning with aws: are reserved.');
  }
  if (new Set(list.map((t) => t.TagKey)).size > MAX_TAGS)
    throw new ServiceError('TagException', `A key can have at most ${MAX_TAGS} tags.`);
  return list;
}

/** The KMS engine. */
export class KeyManagement {
  constructor(
    private readonly keyring: Keyring,
    private readonly barrier: ValueBarrier,
    private readonly storage: Storage,
    private readonly access: KeyAccess,
    private readonly entities: IamEntities,
  ) {}

  async createKey(ctx: RequestContext, request: CreateKeyRequest): Promise<object> {
    if (request.KeySpec !== undefined && request.KeySpec !== 'SYMMETRIC_DEFAULT')
      throw new KmsValidationException(
        `KeySpec ${request.KeySpec} is not supported; Coffer keys are SYMMETRIC_DEFAULT.`,
      );
    if (request.KeyUsage !== undefined && request.KeyUsage !== 'ENCRYPT_DECRYPT')
      throw new KmsValidationException(
        `KeyUsage ${request.KeyUsage} is not supported; Coffer keys are ENCRYPT_DECRYPT.`,
      );
    const tags = checkTags(request.Tags);
    let policy: { text: string; principals: Record<string, string> } | undefined;
    if (request.Policy !== undefined) {
      policy = { text: request.Policy, principals: await this.bindPrincipals(ctx, request.Policy) };
      checkLockout(
        ctx,
        request.Policy,
        policy.principals,
        `arn:aws:kms:${ctx.region}:${ctx.account}:key/*`,
        request.BypassPolicyLockoutSafetyCheck,
      );
    }
    const key = await asKmsError(() => this.keyring.createKey(ctx, request.Description ?? '', undefined, policy));
    if (tags.length > 0)
      await this.storage.transaction(async (tx) => {
        for (const t of tags)
          await tx.putTag(ctx, KEY_TAG_TYPE, { resourceId: key.keyId, key: t.TagKey!, value: t.TagValue! });
      });
    return { KeyMetadata: keyMetadata(key) };
  }

  async putKeyPolicy(ctx: RequestContext, request: PutKeyPolicyRequest): Promise<object> {
    const key = await this.find(ctx, request.KeyId);
    if ((request.PolicyName ?? 'default') !== 'default')
      throw new ServiceError('NotFoundException', 'The only valid key policy name is default.');
    if (key.keyManager === 'AWS')
      throw new ServiceError(
        'UnsupportedOperationException',
        'The key policy of an AWS managed key cannot be changed.',
      );
    const policyPrincipals = await this.bindPrincipals(ctx, request.Policy!);
    checkLockout(ctx, request.Policy!, policyPrincipals, key.arn, request.BypassPolicyLockoutSafetyCheck);
    await this.keyring.setLifecycle(key.keyId, { policy: request.Policy!, policyPrincipals });
    return {};
  }

  /** Checks a key policy and binds the users and roles it names to their unique ids. */
  private async bindPrincipals(ctx: RequestContext, policy: string): Promise<Record<string, string>> {
    checkKeyPolicy(policy);
    return principalBindings(
      this.entities,
      ctx.account,
      parsePolicyDocument(policy, 'resource'),
      () => new MalformedPolicyDocumentException('The new key policy contains a principal that does not exist.'),
    );
  }

  async getKeyPolicy(ctx: RequestContext, request: GetKeyPolicyRequest): Promise<object> {
    const key = await this.find(ctx, request.KeyId);
    if ((request.PolicyName ?? 'default') !== 'default')
      throw new ServiceError('NotFoundException', 'The only valid key policy name is default.');
    return { Policy: this.access.policyOf(key), PolicyName: 'default' };
  }

  async listKeyPolicies(ctx: RequestContext, request: ListKeyPoliciesRequest): Promise<object> {
    await this.find(ctx, request.KeyId);
    return { PolicyNames: ['default'], Truncated: false };
  }

  async tagResource(ctx: RequestContext, request: TagResourceRequest): Promise<object> {
    const key = await this.find(ctx, request.KeyId);
    if (key.keyManager === 'AWS')
      throw new ServiceError('UnsupportedOperationException', 'AWS managed keys cannot be tagged.');
    const tags = checkTags(request.Tags);
    await this.storage.transaction(async (tx) => {
      const existing = new Set((await tx.listTags(ctx, KEY_TAG_TYPE, [key.keyId])).map((t) => t.key));
      if (new Set([...existing, ...tags.map((t) => t.TagKey!)]).size > MAX_TAGS)
        throw new ServiceError('TagException', `A key can have at most ${MAX_TAGS} tags.`);
      for (const t of tags)
        await tx.putTag(ctx, KEY_TAG_TYPE, { resourceId: key.keyId, key: t.TagKey!, value: t.TagValue! });
    });
    return {};
  }

  async untagResource(ctx: RequestContext, request: UntagResourceRequest): Promise<object> {
    const key = await this.find(ctx, request.KeyId);
    await this.storage.transaction(async (tx) => {
      for (const k of request.TagKeys ?? []) await tx.deleteTag(ctx, KEY_TAG_TYPE, key.keyId, k);
    });
    return {};
  }

  async listResourceTags(ctx: RequestContext, request: ListResourceTagsRequest): Promise<object> {
    const key = await this.find(ctx, request.KeyId);
    const tags = await this.storage.listTags(ctx, KEY_TAG_TYPE, [key.keyId]);
    return { Tags: tags.map((t) => ({ TagKey: t.key, TagValue: t.value })), Truncated: false };
  }

  async describeKey(ctx: RequestContext, request: DescribeKeyRequest): Promise<object> {
    return { KeyMetadata: keyMetadata(await this.find(ctx, request.KeyId)) };
  }

  async listKeys(ctx: RequestContext): Promise<object> {
    return { Keys: this.keyring.list(ctx).map((k) => ({ KeyId: k.keyId, KeyArn: k.arn })), Truncated: false };
  }

  async createAlias(ctx: RequestContext, request: CreateAliasRequest): Promise<object> {
    const key = await this.find(ctx, request.TargetKeyId);
    if (key.keyManager === 'AWS')
      throw new KmsValidationException('Cannot associate an alias with an AWS managed key.');
    await asKmsError(() => this.keyring.createAlias(ctx, String(request.AliasName), key.keyId));
    return {};
  }

  async deleteAlias(ctx: RequestContext, request: DeleteAliasRequest): Promise<object> {
    await asKmsError(() => this.keyring.deleteAlias(ctx, String(request.AliasName)));
    return {};
  }

  async listAliases(ctx: RequestContext, request: { KeyId?: string }): Promise<object> {
    const filter = request.KeyId === undefined ? undefined : (await this.find(ctx, request.KeyId)).keyId;
    const aliases = this.keyring.aliasesOf(ctx).filter((a) => filter === undefined || a.keyId === filter);
    return {
      Aliases: aliases.map((a) => ({
        AliasName: a.aliasName,
        AliasArn: `arn:aws:kms:${ctx.region}:${ctx.account}:${a.aliasName}`,
        TargetKeyId: a.keyId,
      })),
      Truncated: false,
    };
  }

  async enableKeyRotation(ctx: RequestContext, request: { KeyId?: string }): Promise<object> {
    const key = await this.usable(ctx, request.KeyId);
    if (key.keyManager === 'AWS')
      throw new KmsValidationException('You cannot change the rotation of an AWS managed key.');
    await this.keyring.setLifecycle(key.keyId, { rotationEnabled: true });
    return {};
  }

  async disableKeyRotation(ctx: RequestContext, request: { KeyId?: string }): Promise<object> {
    const key = await this.usable(ctx, request.KeyId);
    if (key.keyManager === 'AWS')
      throw new KmsValidationException('You cannot change the rotation of an AWS managed key.');
    await this.keyring.setLifecycle(key.keyId, { rotationEnabled: false });
    return {};
  }

  async getKeyRotationStatus(ctx: RequestContext, request: { KeyId?: string }): Promise<object> {
    const key = await this.find(ctx, request.KeyId);
    return { KeyRotationEnabled: key.rotationEnabled, KeyId: key.arn };
  }

  async scheduleKeyDeletion(ctx: RequestContext, request: ScheduleKeyDeletionRequest): Promise<object> {
    const key = await this.find(ctx, request.KeyId);
    if (key.keyManager === 'AWS') throw new KmsValidationException('You cannot delete an AWS managed key.');
    const days = request.PendingWindowInDays === undefined ? 30 : Number(request.PendingWindowInDays);
    if (!Number.isInteger(days) || days < 7 || days > 30)
      throw new KmsValidationException(
        `1 validation error detected: Value '${String(request.PendingWindowInDays)}' at 'pendingWindowInDays' failed ` +
          `to satisfy constraint: Member must have value between 7 and 30`,
      );
    if (key.state === 'PendingDeletion') throw invalidState(`${key.arn} is pending deletion.`);
    const deletionDate = Date.now() + days * DAY_MS;
    await this.keyring.setLifecycle(key.keyId, { state: 'PendingDeletion', deletionDate });
    return {
      KeyId: key.arn,
      DeletionDate: new Date(deletionDate),
      KeyState: 'PendingDeletion',
      PendingWindowInDays: days,
    };
  }

  async cancelKeyDeletion(ctx: RequestContext, request: CancelKeyDeletionRequest): Promise<object> {
    const key = await this.find(ctx, request.KeyId);
    if (key.state !== 'PendingDeletion') throw invalidState(`${key.arn} is not pending deletion.`);
    // As in AWS, a key whose deletion is cancelled comes back disabled.
    await this.keyring.setLifecycle(key.keyId, { state: 'Disabled', deletionDate: undefined });
    return { KeyId: key.arn };
  }

  async enableKey(ctx: RequestContext, request: { KeyId?: string }): Promise<object> {
    const key = await this.find(ctx, request.KeyId);
    if (key.state === 'PendingDeletion') throw invalidState(`${key.arn} is pending deletion.`);
    await this.keyring.setLifecycle(key.keyId, { state: 'Enabled' });
    return {};
  }

  async disableKey(ctx: RequestContext, request: { KeyId?: string }): Promise<object> {
    const key = await this.find(ctx, request.KeyId);
    if (key.state === 'PendingDeletion') throw invalidState(`${key.arn} is pending deletion.`);
    await this.keyring.setLifecycle(key.keyId, { state: 'Disabled' });
    return {};
  }

  async encrypt(ctx: RequestContext, request: EncryptRequest): Promise<object> {
    const plaintext = bytes(request.Plaintext as Blob, 'plaintext');
    if (plaintext.length < 1 || plaintext.length > MAX_PLAINTEXT)
      throw new KmsValidationException(
        `1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length ` +
          `less than or equal to ${MAX_PLAINTEXT}`,
      );
    const key = await this.usable(ctx, request.KeyId);
    const blob = this.barrier.seal(plaintext, key.keyId, context(request.EncryptionContext));
    return { CiphertextBlob: blob.toString('base64'), KeyId: key.arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
  }

  async decrypt(ctx: RequestContext, request: DecryptRequest): Promise<object> {
    const blob = bytes(request.CiphertextBlob as Blob, 'ciphertextBlob');
    const keyId = await asKmsError(() => this.barrier.keyIdOf(blob));
    const key = await this.usable(ctx, keyId);
    if (request.KeyId !== undefined && (await this.find(ctx, request.KeyId)).keyId !== key.keyId) {
      throw new ServiceError(
        'IncorrectKeyException',
        'The key ID in the request does not identify a CMK that can perform this operation.',
      );
    }
    const plaintext = await asKmsError(() => this.barrier.openBytes(blob, context(request.EncryptionContext)));
    return { KeyId: key.arn, Plaintext: plaintext.toString('base64'), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
  }

  async generateDataKey(ctx: RequestContext, request: GenerateDataKeyRequest): Promise<object> {
    const length =
      request.NumberOfBytes !== undefined
        ? Number(request.NumberOfBytes)
        : request.KeySpec === 'AES_128'
          ? 16
          : request.KeySpec === 'AES_256'
            ? 32
            : NaN;
    if (
      !Number.isInteger(length) ||
      length < 1 ||
      length > 1024 ||
      (request.NumberOfBytes !== undefined && request.KeySpec !== undefined)
    ) {
      throw new KmsValidationException(
        'Please specify either number of bytes (1-1024) or key spec (AES_128 or AES_256), not both.',
      );
    }
    const key = await this.usable(ctx, request.KeyId);
    const plaintext = randomBytes(length);
    const blob = this.barrier.seal(plaintext, key.keyId, context(request.EncryptionContext));
    return { CiphertextBlob: blob.toString('base64'), Plaintext: plaintext.toString('base64'), KeyId: key.arn };
  }

  /** Random bytes from the system's generator (KMS's GenerateRandom: 1-1024 bytes; no key is used). */
  async generateRandom(
    _ctx: RequestContext,
    request: { NumberOfBytes?: number; CustomKeyStoreId?: string; Recipient?: unknown },
  ): Promise<object> {
    if (request.CustomKeyStoreId !== undefined) throw new KmsValidationException('Coffer has no custom key stores.');
    if (request.Recipient !== undefined)
      throw new KmsValidationException('Coffer has no Nitro Enclaves: Recipient is not supported.');
    if (request.NumberOfBytes === undefined)
      throw new KmsValidationException(
        "1 validation error detected: Value null at 'numberOfBytes' failed to satisfy constraint: " +
          'Member must not be null',
      );
    const length = Number(request.NumberOfBytes);
    if (!Number.isInteger(length) || length < 1 || length > 1024) {
      throw new KmsValidationException(
        `1 validation error detected: Value '${String(request.NumberOfBytes)}' at 'numberOfBytes' failed to satisfy ` +
          `constraint: Member must have value between 1 and 1024`,
      );
    }
    return { Plaintext: randomBytes(length).toString('base64') };
  }

  /** The key a reference names, in any state. */
  find(ctx: RequestContext, reference: unknown): Promise<KeyInfo> {
    if (typeof reference !== 'string' || reference.length === 0)
      throw new KmsValidationException(
        "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null",
      );
    return asKmsError(() => this.keyring.describe(ctx, reference));
  }

  private async usable(ctx: RequestContext, reference: unknown): Promise<KeyInfo> {
    const key = await this.find(ctx, reference);
    await asKmsError(() => this.keyring.checkUsable(key));
    return key;
  }
}
