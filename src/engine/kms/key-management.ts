/**
 * KMS: the crypto layer's logical keys over the KMS API. Key lifecycle (create, describe,
 * list, aliases, rotation flag, scheduled deletion and its cancellation) and the data-plane
 * calls apps use for envelope encryption of their own (Encrypt, Decrypt, GenerateDataKey).
 * Ciphertexts made here are bound to a `coffer:api=kms` context entry, so neither a parameter's
 * ciphertext nor a KMS one can be opened through the other API.
 */
import type {
  CancelKeyDeletionRequest, CreateAliasRequest, CreateKeyRequest, DecryptRequest, DeleteAliasRequest, DescribeKeyRequest,
  EncryptRequest, GenerateDataKeyRequest, KeyMetadata, ScheduleKeyDeletionRequest,
} from '@aws-sdk/client-kms';
import { randomBytes } from 'node:crypto';
import type { KeyInfo, Keyring } from '../../crypto/keyring.js';
import type { ValueBarrier } from '../../crypto/value-barrier.js';
import type { RequestContext } from '../request-context.js';
import { ServiceError } from '../service-error.js';
import { asKmsError, KmsValidationException } from './kms-errors.js';

const MAX_PLAINTEXT = 4096;
const DAY_MS = 86_400_000;

function invalidState(message: string): ServiceError {
  return new ServiceError('KMSInvalidStateException', message);
}

/** The JSON input shapes decode blobs as base64 strings; the engine sees bytes. */
type Blob = string | Uint8Array | undefined;

function bytes(value: Blob, field: string): Buffer {
  if (value === undefined) throw new KmsValidationException(`1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`);
  return typeof value === 'string' ? Buffer.from(value, 'base64') : Buffer.from(value);
}

function context(encryptionContext: Record<string, string> | undefined): Record<string, string> {
  for (const [k, v] of Object.entries(encryptionContext ?? {})) {
    if (typeof v !== 'string' || k.startsWith('coffer:')) throw new KmsValidationException('Encryption context keys and values are strings; keys may not begin with coffer:.');
  }
  return { ...encryptionContext, 'coffer:api': 'kms' };
}

export function keyMetadata(key: KeyInfo): KeyMetadata {
  return {
    AWSAccountId: key.account, KeyId: key.keyId, Arn: key.arn, CreationDate: new Date(key.createdAt), Enabled: key.enabled,
    Description: key.description, KeyUsage: 'ENCRYPT_DECRYPT', KeyState: key.state, Origin: 'AWS_KMS', KeyManager: key.keyManager,
    CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT', KeySpec: 'SYMMETRIC_DEFAULT', EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'], MultiRegion: false,
    ...(key.deletionDate !== undefined ? { DeletionDate: new Date(key.deletionDate), PendingDeletionWindowInDays: undefined } : {}),
  };
}

/** The KMS engine. */
export class KeyManagement {
  constructor(private readonly keyring: Keyring, private readonly barrier: ValueBarrier) {}

  async createKey(ctx: RequestContext, request: CreateKeyRequest): Promise<object> {
    if (request.KeySpec !== undefined && request.KeySpec !== 'SYMMETRIC_DEFAULT') throw new KmsValidationException(`KeySpec ${request.KeySpec} is not supported; Coffer keys are SYMMETRIC_DEFAULT.`);
    if (request.KeyUsage !== undefined && request.KeyUsage !== 'ENCRYPT_DECRYPT') throw new KmsValidationException(`KeyUsage ${request.KeyUsage} is not supported; Coffer keys are ENCRYPT_DECRYPT.`);
    const key = await asKmsError(() => this.keyring.createKey(ctx, request.Description ?? ''));
    return { KeyMetadata: keyMetadata(key) };
  }

  async describeKey(ctx: RequestContext, request: DescribeKeyRequest): Promise<object> {
    return { KeyMetadata: keyMetadata(await this.find(ctx, request.KeyId)) };
  }

  async listKeys(ctx: RequestContext): Promise<object> {
    return { Keys: this.keyring.list(ctx).map((k) => ({ KeyId: k.keyId, KeyArn: k.arn })), Truncated: false };
  }

  async createAlias(ctx: RequestContext, request: CreateAliasRequest): Promise<object> {
    const key = await this.find(ctx, request.TargetKeyId);
    if (key.keyManager === 'AWS') throw new KmsValidationException('Cannot associate an alias with an AWS managed key.');
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
      Aliases: aliases.map((a) => ({ AliasName: a.aliasName, AliasArn: `arn:aws:kms:${ctx.region}:${ctx.account}:${a.aliasName}`, TargetKeyId: a.keyId })),
      Truncated: false,
    };
  }

  async enableKeyRotation(ctx: RequestContext, request: { KeyId?: string }): Promise<object> {
    const key = await this.usable(ctx, request.KeyId);
    if (key.keyManager === 'AWS') throw new KmsValidationException('You cannot change the rotation of an AWS managed key.');
    await this.keyring.setLifecycle(key.keyId, { ...this.lifecycle(key), rotationEnabled: true });
    return {};
  }

  async disableKeyRotation(ctx: RequestContext, request: { KeyId?: string }): Promise<object> {
    const key = await this.usable(ctx, request.KeyId);
    if (key.keyManager === 'AWS') throw new KmsValidationException('You cannot change the rotation of an AWS managed key.');
    await this.keyring.setLifecycle(key.keyId, { ...this.lifecycle(key), rotationEnabled: false });
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
    if (!Number.isInteger(days) || days < 7 || days > 30) throw new KmsValidationException(`1 validation error detected: Value '${String(request.PendingWindowInDays)}' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value between 7 and 30`);
    if (key.state === 'PendingDeletion') throw invalidState(`${key.arn} is pending deletion.`);
    const deletionDate = Date.now() + days * DAY_MS;
    await this.keyring.setLifecycle(key.keyId, { ...this.lifecycle(key), state: 'PendingDeletion', deletionDate });
    return { KeyId: key.arn, DeletionDate: new Date(deletionDate), KeyState: 'PendingDeletion', PendingWindowInDays: days };
  }

  async cancelKeyDeletion(ctx: RequestContext, request: CancelKeyDeletionRequest): Promise<object> {
    const key = await this.find(ctx, request.KeyId);
    if (key.state !== 'PendingDeletion') throw invalidState(`${key.arn} is not pending deletion.`);
    // As in AWS, a key whose deletion is cancelled comes back disabled.
    await this.keyring.setLifecycle(key.keyId, { rotationEnabled: key.rotationEnabled, state: 'Disabled' });
    return { KeyId: key.arn };
  }

  async enableKey(ctx: RequestContext, request: { KeyId?: string }): Promise<object> {
    const key = await this.find(ctx, request.KeyId);
    if (key.state === 'PendingDeletion') throw invalidState(`${key.arn} is pending deletion.`);
    await this.keyring.setLifecycle(key.keyId, { ...this.lifecycle(key), state: 'Enabled' });
    return {};
  }

  async disableKey(ctx: RequestContext, request: { KeyId?: string }): Promise<object> {
    const key = await this.find(ctx, request.KeyId);
    if (key.state === 'PendingDeletion') throw invalidState(`${key.arn} is pending deletion.`);
    await this.keyring.setLifecycle(key.keyId, { ...this.lifecycle(key), state: 'Disabled' });
    return {};
  }

  async encrypt(ctx: RequestContext, request: EncryptRequest): Promise<object> {
    const plaintext = bytes(request.Plaintext as Blob, 'plaintext');
    if (plaintext.length < 1 || plaintext.length > MAX_PLAINTEXT) throw new KmsValidationException(`1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to ${MAX_PLAINTEXT}`);
    const key = await this.usable(ctx, request.KeyId);
    const blob = this.barrier.seal(plaintext, key.keyId, context(request.EncryptionContext));
    return { CiphertextBlob: blob.toString('base64'), KeyId: key.arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
  }

  async decrypt(ctx: RequestContext, request: DecryptRequest): Promise<object> {
    const blob = bytes(request.CiphertextBlob as Blob, 'ciphertextBlob');
    const keyId = await asKmsError(() => this.barrier.keyIdOf(blob));
    const key = await this.usable(ctx, keyId);
    if (request.KeyId !== undefined && (await this.find(ctx, request.KeyId)).keyId !== key.keyId) {
      throw new ServiceError('IncorrectKeyException', 'The key ID in the request does not identify a CMK that can perform this operation.');
    }
    const plaintext = await asKmsError(() => this.barrier.openBytes(blob, context(request.EncryptionContext)));
    return { KeyId: key.arn, Plaintext: plaintext.toString('base64'), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
  }

  async generateDataKey(ctx: RequestContext, request: GenerateDataKeyRequest): Promise<object> {
    const length = request.NumberOfBytes !== undefined ? Number(request.NumberOfBytes)
      : request.KeySpec === 'AES_128' ? 16 : request.KeySpec === 'AES_256' ? 32 : NaN;
    if (!Number.isInteger(length) || length < 1 || length > 1024 || (request.NumberOfBytes !== undefined && request.KeySpec !== undefined)) {
      throw new KmsValidationException('Please specify either number of bytes (1-1024) or key spec (AES_128 or AES_256), not both.');
    }
    const key = await this.usable(ctx, request.KeyId);
    const plaintext = randomBytes(length);
    const blob = this.barrier.seal(plaintext, key.keyId, context(request.EncryptionContext));
    return { CiphertextBlob: blob.toString('base64'), Plaintext: plaintext.toString('base64'), KeyId: key.arn };
  }

  /** The key a reference names, in any state. */
  find(ctx: RequestContext, reference: unknown): Promise<KeyInfo> {
    if (typeof reference !== 'string' || reference.length === 0) throw new KmsValidationException('1 validation error detected: Value null at \'keyId\' failed to satisfy constraint: Member must not be null');
    return asKmsError(() => this.keyring.describe(ctx, reference));
  }

  private async usable(ctx: RequestContext, reference: unknown): Promise<KeyInfo> {
    const key = await this.find(ctx, reference);
    await asKmsError(() => this.keyring.checkUsable(key));
    return key;
  }

  private lifecycle(key: KeyInfo): { state: KeyInfo['state']; rotationEnabled: boolean; deletionDate?: number } {
    return { state: key.state, rotationEnabled: key.rotationEnabled, ...(key.deletionDate !== undefined ? { deletionDate: key.deletionDate } : {}) };
  }
}

