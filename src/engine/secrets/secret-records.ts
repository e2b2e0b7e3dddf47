/**
 * Finding secrets by SecretId (name, full ARN or partial ARN), their attributes, versions and
 * staging labels, and the deletion window: a secret scheduled for deletion refuses reads until
 * restored, and once its window has ended it is gone (ResourceNotFoundException) though its rows
 * remain until purged. Reads never write: purging is the sweeper's (SecretSweeper), or done in
 * the transaction of a write that needs the name again (CreateSecret).
 */
import type { RotationRulesType, Tag } from '@aws-sdk/client-secrets-manager';
import type {
  Scope,
  SecretRow,
  SecretStageRow,
  SecretVersionRow,
  Storage,
  StorageReader,
  StorageWriter,
} from '../../storage/storage.js';
import type { Clock } from '../clock.js';
import { NO_SERVICE_EVENTS, serviceEvent, type ServiceEventSink } from '../audit/service-events.js';
import { touchResource } from '../audit/audit-scope.js';
import { markedForDeletion, ResourceNotFoundException, SecretsValidationException } from './errors.js';
import { candidateNames } from './secret-names.js';
import { noteSecretChange } from '../changes/change-log.js';

/** What a secret row's attributes hold. */
export interface SecretAttributes {
  description?: string;
  kmsKeyId?: string;
  lastChangedDate: number;
  lastAccessedDate?: number;
  /** When deletion was requested, and when the secret will be purged. */
  deletedDate?: number;
  deletionDate?: number;
  rotation?: RotationSettings;
  policy?: string;
  /** The unique ids the policy's named users and roles had when it was written. */
  policyPrincipals?: Record<string, string>;
  /** A primary secret's replicas, one per region (secret-replication.ts). */
  replicas?: ReplicaState[];
  /** A replica's primary Region: set only on replicas, which refuse writes (secret-replication.ts). */
  primaryRegion?: string;
}

/** One replica of a primary secret, as ReplicationStatus reports it. */
export interface ReplicaState {
  region: string;
  /** The key the replica's values are sealed under (absent: aws/secretsmanager in its region). */
  kmsKeyId?: string;
  /** InSync: the replica exists and follows the primary; Failed: it was not made (statusMessage says why). */
  status: 'InSync' | 'Failed';
  statusMessage: string;
}

/** Rotation as DescribeSecret reports it. */
export interface RotationSettings {
  enabled: boolean;
  lambdaArn?: string;
  rules?: RotationRulesType;
  lastRotatedDate?: number;
  nextRotationDate?: number;
}

/** A secret with everything a response may need. */
export interface SecretRecord {
  readonly row: SecretRow;
  readonly attributes: SecretAttributes;
  readonly versions: readonly SecretVersionRow[];
  readonly stages: readonly SecretStageRow[];
}

/** Reads secrets and enforces the deletion window. */
export class SecretRecords {
  constructor(
    readonly storage: Storage,
    readonly clock: Clock,
  ) {}

  /** The secret a SecretId names, or ResourceNotFoundException; refuses one scheduled for deletion unless
   * `allowDeleted`. */
  async resolve(reader: StorageReader, scope: Scope, secretId: unknown, allowDeleted = false): Promise<SecretRecord> {
    if (typeof secretId !== 'string' || secretId.length === 0 || secretId.length > 2048) {
      throw new SecretsValidationException(
        "1 validation error detected: Value at 'secretId' failed to satisfy constraint: Member must have length " +
          'between 1 and 2048',
      );
    }
    for (const candidate of candidateNames(scope, secretId) ?? []) {
      const row = await reader.getSecret(scope, candidate.name);
      if (!row || (candidate.arn !== undefined && row.arn !== candidate.arn)) continue;
      touchResource(row.arn);
      const record = await this.load(reader, scope, row);
      if (this.expired(record.attributes)) break;
      if (record.attributes.deletionDate !== undefined && !allowDeleted) throw markedForDeletion();
      return record;
    }
    throw new ResourceNotFoundException();
  }

  /**
   * Serialises this write with every other writer of the secret a SecretId names, in every Region
   * (a primary and its replicas share the name, and one write changes both): taken before the
   * transaction reads, so what it reads stays true until it commits. Names are locked in one
   * order, so two writers never wait on each other.
   */
  async lockWriters(tx: StorageWriter, scope: Scope, secretId: unknown): Promise<void> {
    if (typeof secretId !== 'string') return;
    const names = new Set((candidateNames(scope, secretId) ?? []).map((c) => c.name));
    for (const name of [...names].sort()) await tx.lockSecret(scope.account, name);
  }

  /** Whether a secret's recovery window has ended: it no longer exists, whatever rows remain. */
  expired(attributes: SecretAttributes): boolean {
    return attributes.deletionDate !== undefined && attributes.deletionDate <= this.clock.now();
  }

  /** The row and attributes a SecretId names, without versions or deletion checks (one query, for authorization). */
  async findRow(
    reader: StorageReader,
    scope: Scope,
    secretId: unknown,
  ): Promise<Pick<SecretRecord, 'row' | 'attributes'> | undefined> {
    if (typeof secretId !== 'string') return undefined;
    for (const candidate of candidateNames(scope, secretId) ?? []) {
      const row = await reader.getSecret(scope, candidate.name);
      if (row && (candidate.arn === undefined || row.arn === candidate.arn))
        return { row, attributes: JSON.parse(row.attributes) as SecretAttributes };
    }
    return undefined;
  }

  async load(reader: StorageReader, scope: Scope, row: SecretRow): Promise<SecretRecord> {
    const [versions, stages] = await Promise.all([
      reader.listSecretVersions(scope, row.name),
      reader.listSecretStages(scope, row.name),
    ]);
    return { row, attributes: JSON.parse(row.attributes) as SecretAttributes, versions, stages };
  }

  async save(tx: StorageWriter, scope: Scope, row: SecretRow, attributes: SecretAttributes): Promise<void> {
    await tx.putSecret(scope, {
      ...row,
      attributes: JSON.stringify(attributes),
      purgeAt: attributes.deletionDate ?? null,
    });
  }

  /**
   * Removes every secret whose recovery window has ended, each in its own transaction (and
   * only if it is still due there: a restore may have raced). Returns how many went.
   */
  async sweep(limit = 100, events: ServiceEventSink = NO_SERVICE_EVENTS): Promise<number> {
    let purged = 0;
    for (const due of await this.storage.listSecretsToPurge(this.clock.now(), limit)) {
      const scope = { account: due.account, region: due.region };
      const done = await this.storage.transaction(async (tx) => {
        await tx.lockSecret(scope.account, due.name);
        const row = await tx.getSecret(scope, due.name);
        if (!row || !this.expired(JSON.parse(row.attributes) as SecretAttributes)) return false;
        await tx.deleteSecret(scope, due.name);
        await noteSecretChange(tx, scope, row, 'EndSecretDeletion');
        // The purge and its audit event commit together.
        await events.appendIn(
          tx,
          serviceEvent(
            {
              source: 'secretsmanager.amazonaws.com',
              name: 'EndSecretDeletion',
              ...scope,
              arns: [row.arn],
              details: { reason: 'the recovery window ended' },
            },
            this.clock.now(),
          ),
        );
        return true;
      });
      if (done) purged++;
    }
    return purged;
  }

  async tags(reader: StorageReader, scope: Scope, name: string): Promise<Tag[]> {
    return (await reader.listTags(scope, 'Secret', [name])).map((t) => ({ Key: t.key, Value: t.value }));
  }
}

/** The labels on each version: `{ versionId: [stages] }`. */
export function stagesByVersion(record: SecretRecord): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const s of record.stages) (out[s.versionId] ??= []).push(s.stage);
  return out;
}
