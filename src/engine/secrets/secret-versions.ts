/**
 * Secret versions and staging labels. A new version is sealed under the secret's KMS key and
 * bound to the secret's ARN and its VersionId; a repeated ClientRequestToken with the same value
 * is a no-op and with another value is refused. Labels move as AWS moves them: AWSCURRENT on a
 * new version sends the old one AWSPREVIOUS; versions left without a label are deprecated and
 * pruned beyond AWS's 100-version limit.
 */
import { randomUUID } from 'node:crypto';
import type { KeyInfo, Keyring } from '../../crypto/keyring.js';
import type { ValueBarrier } from '../../crypto/value-barrier.js';
import type { ValueFingerprint } from '../../crypto/value-fingerprint.js';
import type { Scope, SecretVersionRow, StorageWriter } from '../../storage/storage.js';
import { asKmsError } from '../kms/kms-errors.js';
import { keyForWrite, withManagedKey } from '../kms/managed-keys.js';
import type { RequestContext } from '../request-context.js';
import { InvalidParameterException, ResourceExistsException, SecretsValidationException } from './errors.js';
import type { SecretRecord } from './secret-records.js';

export const DEFAULT_SECRETS_KEY_ALIAS = 'alias/aws/secretsmanager';
const MAX_VERSIONS = 100;
const MAX_VALUE_BYTES = 65_536;

/** A secret value as a request carries it: a string, or bytes (base64 text on the JSON wire). */
export interface SecretValueInput {
  SecretString?: string;
  SecretBinary?: string | Uint8Array;
}

/** The value of a request, checked: exactly one kind, at most 64 KiB. Undefined when neither is given. */
export function secretValueOf(input: SecretValueInput): { kind: 'string' | 'binary'; bytes: Buffer } | undefined {
  if (input.SecretString !== undefined && input.SecretBinary !== undefined) {
    throw new InvalidParameterException(
      "You can't specify both a binary secret value and a string secret value in the same secret.",
    );
  }
  if (input.SecretString === undefined && input.SecretBinary === undefined) return undefined;
  const value =
    input.SecretString !== undefined
      ? { kind: 'string' as const, bytes: Buffer.from(String(input.SecretString), 'utf8') }
      : {
          kind: 'binary' as const,
          bytes:
            typeof input.SecretBinary === 'string'
              ? Buffer.from(input.SecretBinary, 'base64')
              : Buffer.from(input.SecretBinary!),
        };
  if (value.bytes.length > MAX_VALUE_BYTES)
    throw new InvalidParameterException(`The secret value can't be larger than ${MAX_VALUE_BYTES} bytes.`);
  return value;
}

/** The VersionId a request names, or a fresh one. */
export function versionIdOf(token: unknown): string {
  if (token === undefined) return randomUUID();
  if (typeof token !== 'string' || token.length < 32 || token.length > 64) {
    // The wire's model check says the same first; this guards calls from inside Coffer.
    const shown = typeof token === 'string' ? `'${token}' ` : '';
    const bound =
      typeof token === 'string' && token.length > 64 ? 'less than or equal to 64' : 'greater than or equal to 32';
    throw new SecretsValidationException(
      `1 validation error detected: Value ${shown}at 'clientRequestToken' failed to satisfy constraint: Member must ` +
        `have length ${bound}`,
    );
  }
  // A version id names a version in ARNs, labels and the sealing context: printable text only.
  if (!/^[\x21-\x7e]+$/.test(token))
    throw new InvalidParameterException('The ClientRequestToken may hold only printable ASCII characters.');
  return token;
}

/** The encryption context a version's value is sealed with. */
export function versionContext(arn: string, versionId: string): Record<string, string> {
  return { service: 'secretsmanager', arn, versionId };
}

/** Version and label operations. */
export class SecretVersions {
  constructor(
    private readonly keyring: Keyring,
    private readonly barrier: ValueBarrier,
    private readonly fingerprints: ValueFingerprint,
  ) {}

  /** The key a secret's values are sealed under, as its KmsKeyId (or the default alias) names it. */
  async keyOf(ctx: RequestContext, kmsKeyId: string | undefined): Promise<KeyInfo> {
    return asKmsError(() => this.keyring.resolve(ctx, kmsKeyId, DEFAULT_SECRETS_KEY_ALIAS));
  }

  /** As keyOf, inside a write: never creates the AWS-managed key (ManagedKeyNeeded instead). */
  keyForWrite(ctx: RequestContext, kmsKeyId: string | undefined): Promise<KeyInfo> {
    return asKmsError(() => keyForWrite(this.keyring, ctx, kmsKeyId, DEFAULT_SECRETS_KEY_ALIAS));
  }

  /** Runs a write that may need the AWS-managed key made first (managed-keys.ts). */
  withManagedKey<T>(ctx: RequestContext, write: () => Promise<T>): Promise<T> {
    return withManagedKey(this.keyring, ctx, write);
  }

  /**
   * Adds a version unless one with this id exists; returns whether it was added. The same id
   * with the same value is the caller retrying; with another value it is refused.
   */
  async add(
    tx: StorageWriter,
    scope: Scope,
    record: SecretRecord,
    key: KeyInfo,
    versionId: string,
    value: { kind: 'string' | 'binary'; bytes: Buffer },
    now: number,
  ): Promise<boolean> {
    const fingerprint = this.fingerprints.of(`${record.row.arn}\u0000${value.kind}`, value.bytes);
    const existing = record.versions.find((v) => v.versionId === versionId);
    if (existing) {
      if (existing.fingerprint === fingerprint) return false;
      throw new ResourceExistsException(
        `You can't use ClientRequestToken ${versionId} because that value is already in use for a version of ` +
          `secret ${record.row.arn}.`,
      );
    }
    const row: SecretVersionRow = {
      versionId,
      createdAt: now,
      kind: value.kind,
      fingerprint,
      value: this.barrier.seal(value.bytes, key.keyId, versionContext(record.row.arn, versionId)),
    };
    await tx.insertSecretVersion(scope, record.row.name, row);
    return true;
  }

  /** Opens a version's value. */
  async open(
    record: SecretRecord,
    version: SecretVersionRow,
  ): Promise<{ SecretString?: string; SecretBinary?: string }> {
    const bytes = await asKmsError(() =>
      this.barrier.openBytes(version.value, versionContext(record.row.arn, version.versionId)),
    );
    return version.kind === 'string'
      ? { SecretString: bytes.toString('utf8') }
      : { SecretBinary: bytes.toString('base64') };
  }

  /** The id of the key a version was sealed under. */
  keyIdOf(version: SecretVersionRow): string {
    return this.barrier.keyIdOf(version.value);
  }

  /**
   * Attaches `stage` to `versionId`; AWSCURRENT sends the version that held it to AWSPREVIOUS.
   * Returns the labels attached, in order, for the secret's label order (withAttachedLabels).
   */
  async attach(tx: StorageWriter, scope: Scope, name: string, stage: string, versionId: string): Promise<string[]> {
    const stages = await tx.listSecretStages(scope, name);
    if (stages.some((s) => s.stage === stage && s.versionId === versionId)) return [];
    const attached: string[] = [];
    if (stage === 'AWSCURRENT') {
      const current = stages.find((s) => s.stage === 'AWSCURRENT')?.versionId;
      if (current !== undefined) {
        await tx.putSecretStage(scope, name, { stage: 'AWSPREVIOUS', versionId: current });
        attached.push('AWSPREVIOUS');
      }
    }
    await tx.putSecretStage(scope, name, { stage, versionId });
    return [...attached, stage];
  }

  /** Deletes the oldest deprecated (unlabelled) versions beyond the limit. */
  async prune(tx: StorageWriter, scope: Scope, name: string): Promise<void> {
    const versions = await tx.listSecretVersions(scope, name);
    if (versions.length <= MAX_VERSIONS) return;
    const labelled = new Set((await tx.listSecretStages(scope, name)).map((s) => s.versionId));
    const deprecated = versions.filter((v) => !labelled.has(v.versionId));
    for (const v of deprecated.slice(0, versions.length - MAX_VERSIONS))
      await tx.deleteSecretVersion(scope, name, v.versionId);
  }
}
