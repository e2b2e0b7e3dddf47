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
  SecretRowSet,
  SecretStageRow,
  SecretVersionRow,
  Storage,
  StorageReader,
  StorageWriter,
} from '../../storage/storage.js';
import type { Clock } from '../clock.js';
import type { RequestContext } from '../request-context.js';
import { NO_SERVICE_EVENTS, serviceEvent, type ServiceEventSink } from '../audit/service-events.js';
import { touchResource } from '../audit/audit-scope.js';
import { markedForDeletion, outOfBounds, ResourceNotFoundException } from './errors.js';
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
  /** Whether a tag was ever attached: DescribeSecret then answers `Tags: []` once the last is removed. */
  tagged?: boolean;
  /** Staging labels in the order they were last attached: AWS lists a version's labels in that order. */
  labelOrder?: string[];
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

/** A record from its rows. */
function recordOf(set: SecretRowSet): SecretRecord {
  return { ...set, attributes: JSON.parse(set.row.attributes) as SecretAttributes };
}

/** Reads secrets and enforces the deletion window. */
export class SecretRecords {
  /** What GetSecretValue's authorization read, by request (see `findForRead`). */
  private readonly readForAuthorization = new WeakMap<
    RequestContext,
    { secretId: string; record: SecretRecord | undefined }
  >();

  constructor(
    readonly storage: Storage,
    readonly clock: Clock,
  ) {}

  /** The secret a SecretId names, or ResourceNotFoundException; refuses one scheduled for deletion unless
   * `allowDeleted`. */
  async resolve(reader: StorageReader, scope: Scope, secretId: unknown, allowDeleted = false): Promise<SecretRecord> {
    if (typeof secretId !== 'string' || secretId.length === 0 || secretId.length > 2048) {
      throw outOfBounds('secretId', secretId, { min: 1, max: 2048, measure: 'length' });
    }
    for (const candidate of candidateNames(scope, secretId) ?? []) {
      const set = await reader.getSecretRowSet(scope, candidate.name);
      if (!set || (candidate.arn !== undefined && set.row.arn !== candidate.arn)) continue;
      return this.usable(scope, recordOf(set), allowDeleted);
    }
    throw new ResourceNotFoundException();
  }

  /**
   * GetSecretValue's read: the record its authorization read for this same request (`ctx`), if
   * the SecretId is the one authorized, else a fresh resolve. One query per request instead of
   * two; the answer is what the read authorized saw, and no staler than a read made then.
   */
  async resolveAuthorized(ctx: RequestContext, secretId: unknown): Promise<SecretRecord> {
    const read = this.readForAuthorization.get(ctx);
    this.readForAuthorization.delete(ctx);
    // Nothing found is resolved again: resolve says why (a malformed id, or none by that name).
    if (read?.record === undefined || read.secretId !== secretId) return this.resolve(this.storage, ctx, secretId);
    return this.usable(ctx, read.record, false);
  }

  /** The deletion window's checks on a record found. */
  private usable(scope: Scope, record: SecretRecord, allowDeleted: boolean): SecretRecord {
    touchResource(scope, record.row.arn);
    if (this.expired(record.attributes)) throw new ResourceNotFoundException();
    if (record.attributes.deletionDate !== undefined && !allowDeleted) throw markedForDeletion();
    return record;
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

  /**
   * As findRow, reading the whole record (one query all the same) and keeping it for
   * `resolveAuthorized` in the same request: GetSecretValue's authorization and its read share it.
   * Kept by the request's context object, so it goes with the request (a WeakMap: nothing to bound).
   */
  async findForRead(
    ctx: RequestContext,
    secretId: unknown,
  ): Promise<Pick<SecretRecord, 'row' | 'attributes'> | undefined> {
    if (typeof secretId !== 'string') return undefined;
    let record: SecretRecord | undefined;
    for (const candidate of candidateNames(ctx, secretId) ?? []) {
      const set = await this.storage.getSecretRowSet(ctx, candidate.name);
      if (set && (candidate.arn === undefined || set.row.arn === candidate.arn)) {
        record = recordOf(set);
        break;
      }
    }
    this.readForAuthorization.set(ctx, { secretId, record });
    return record;
  }

  /** A record from a row already read: its versions and stages read now. */
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

/** The labels on each version, each list in the order its labels were attached: `{ versionId: [stages] }`. */
export function stagesByVersion(record: Pick<SecretRecord, 'attributes' | 'stages'>): Record<string, string[]> {
  const order = record.attributes.labelOrder ?? [];
  const out: Record<string, string[]> = {};
  for (const s of record.stages) (out[s.versionId] ??= []).push(s.stage);
  for (const labels of Object.values(out)) labels.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  return out;
}

/** The attributes with `attached` labels (in attachment order) moved to the end of the label order. */
export function withAttachedLabels(attributes: SecretAttributes, attached: readonly string[]): SecretAttributes {
  if (attached.length === 0) return attributes;
  const kept = (attributes.labelOrder ?? []).filter((label) => !attached.includes(label));
  return { ...attributes, labelOrder: [...kept, ...attached.filter((l, i) => attached.lastIndexOf(l) === i)] };
}
