/**
 * Replica secrets as rows: a replica is a secret of its own in its Region's namespace (same
 * account, same name, the primary's ARN with the Region changed), whose versions are the
 * primary's, opened and sealed again under the replica's key and bound to the replica's ARN
 * (never a copied ciphertext, never plaintext at rest), with the same VersionIds, dates and
 * staging labels, and the primary's description, resource policy and tags. `mirror` makes a
 * replica equal to its primary inside the caller's transaction; every write to a primary calls
 * `follow`, so a replica never differs from its primary once a write has committed.
 */
import type { Tag } from '@aws-sdk/client-secrets-manager';
import type { KeyInfo } from '../../crypto/keyring.js';
import type { Scope, SecretRow, StorageWriter } from '../../storage/storage.js';
import { touchResource } from '../audit/audit-scope.js';
import { noteSecretChange } from '../changes/change-log.js';
import { ManagedKeyNeeded } from '../kms/managed-keys.js';
import type { RequestContext } from '../request-context.js';
import { ServiceError } from '../service-error.js';
import type { ReplicaState, SecretAttributes, SecretRecord, SecretRecords } from './secret-records.js';
import { secretValueOf, type SecretVersions } from './secret-versions.js';

export const REPLICATION_SUCCEEDED = 'Replication succeeded';

/** A replica's ARN: its primary's, with the Region changed. */
export function replicaArn(primaryArn: string, region: string): string {
  const parts = primaryArn.split(':');
  parts[3] = region;
  return parts.join(':');
}

/** The Region an ARN names. */
export function regionOfArn(arn: string): string {
  return arn.split(':')[3] ?? '';
}

/** The context of a replica's Region: same caller and account, the replica's namespace. */
export function replicaContext(ctx: RequestContext, region: string): RequestContext {
  return { ...ctx, region };
}

/**
 * Raised inside a write when a replica's Region has no aws/secretsmanager key yet: the write
 * rolls back, the key is made there, and the write runs again (as managed-keys.ts does for one Region).
 */
export class ReplicaKeyNeeded extends Error {
  constructor(readonly scope: RequestContext) {
    super('the replica Region needs its AWS-managed key first');
  }
}

/** What a replica keeps of its primary's attributes: everything but the key, the reads, the rotation and deletion. */
function mirroredAttributes(
  primary: SecretAttributes,
  replica: ReplicaState,
  primaryRegion: string,
  lastAccessedDate: number | undefined,
): SecretAttributes {
  const {
    kmsKeyId: _k,
    lastAccessedDate: _l,
    replicas: _r,
    primaryRegion: _p,
    rotation: _o,
    deletedDate: _d,
    deletionDate: _e,
    ...shared
  } = primary;
  return {
    ...shared,
    ...(replica.kmsKeyId !== undefined ? { kmsKeyId: replica.kmsKeyId } : {}),
    ...(lastAccessedDate !== undefined ? { lastAccessedDate } : {}),
    primaryRegion,
  };
}

const sameTags = (a: Tag, b: Tag) => a.Key === b.Key && a.Value === b.Value;

/** Writes replicas from their primary. */
export class ReplicaWriter {
  constructor(
    private readonly records: SecretRecords,
    private readonly versions: SecretVersions,
  ) {}

  /**
   * The key a replica's values are sealed under, resolved before anything is written: a key
   * that cannot be used raises its KMS error, a missing AWS-managed key ReplicaKeyNeeded.
   */
  async keyFor(ctx: RequestContext, replica: ReplicaState): Promise<KeyInfo> {
    const scope = replicaContext(ctx, replica.region);
    return this.versions.keyForWrite(scope, replica.kmsKeyId).catch((error: unknown) => {
      throw error instanceof ManagedKeyNeeded ? new ReplicaKeyNeeded(scope) : error;
    });
  }

  /** Makes the replica of `primary` in `replica.region` equal to it (creating it if need be), in `tx`. */
  async mirror(
    tx: StorageWriter,
    ctx: RequestContext,
    primary: SecretRecord,
    replica: ReplicaState,
    key: KeyInfo,
    operation: string,
  ): Promise<void> {
    const scope = replicaContext(ctx, replica.region);
    const found = await tx.getSecret(scope, primary.row.name);
    const existing = found ? await this.records.load(tx, scope, found) : undefined;
    const row: SecretRow = {
      name: primary.row.name,
      arn: replicaArn(primary.row.arn, replica.region),
      createdAt: found?.createdAt ?? this.records.clock.now(),
      attributes: '',
      purgeAt: null,
    };
    const attributes = mirroredAttributes(
      primary.attributes,
      replica,
      ctx.region,
      existing?.attributes.lastAccessedDate,
    );
    await this.records.save(tx, scope, row, attributes);
    const record: SecretRecord = {
      row,
      attributes,
      versions: existing?.versions ?? [],
      stages: existing?.stages ?? [],
    };
    await this.copyVersions(tx, scope, primary, record, key);
    await this.copyStages(tx, scope, primary, record);
    await this.copyTags(tx, scope, ctx, primary.row.name);
    touchResource(scope, row.arn);
    const current = primary.stages.find((s) => s.stage === 'AWSCURRENT')?.versionId;
    await noteSecretChange(tx, scope, row, operation, current);
  }

  /**
   * After a write to the secret `name` in ctx's Region: if it is a primary, every InSync replica
   * is mirrored again; one whose key can no longer be used becomes Failed, as AWS reports a
   * replica it cannot write, without failing the primary's write.
   */
  async follow(tx: StorageWriter, ctx: RequestContext, name: string, operation: string): Promise<void> {
    const row = await tx.getSecret(ctx, name);
    if (!row) return;
    const primary = await this.records.load(tx, ctx, row);
    const replicas = primary.attributes.replicas ?? [];
    if (!replicas.some((r) => r.status === 'InSync')) return;
    let failed = false;
    const states: ReplicaState[] = [];
    for (const replica of replicas) {
      states.push(
        replica.status === 'InSync' ? await this.tryMirror(tx, ctx, primary, replica, operation, false) : replica,
      );
      failed ||= states.at(-1)!.status !== replica.status;
    }
    if (failed) await this.records.save(tx, ctx, primary.row, { ...primary.attributes, replicas: states });
  }

  /**
   * Mirrors one replica, reporting a key it cannot use as a Failed state. A missing AWS-managed
   * key is made when a replica is being created (`creating`: ReplicaKeyNeeded goes up to
   * `withReplicaKeys`); an existing replica's was made then, so later it can only mean Failed.
   */
  async tryMirror(
    tx: StorageWriter,
    ctx: RequestContext,
    primary: SecretRecord,
    replica: ReplicaState,
    operation: string,
    creating: boolean,
  ): Promise<ReplicaState> {
    const found = await tx.getSecret(replicaContext(ctx, replica.region), primary.row.name);
    if (found && found.arn !== replicaArn(primary.row.arn, replica.region)) {
      // Never written over: the name there is another secret's.
      const reason = `Secret name ${primary.row.name} already exists in region ${replica.region}.`;
      return { ...replica, status: 'Failed', statusMessage: `Replication failed: ${reason}` };
    }
    let key: KeyInfo;
    try {
      key = await this.keyFor(ctx, replica);
    } catch (error) {
      if (!(error instanceof ServiceError) && !(error instanceof ReplicaKeyNeeded && !creating)) throw error;
      const reason = error instanceof ServiceError ? error.message : 'its KMS key is not available.';
      return { ...replica, status: 'Failed', statusMessage: `Replication failed: ${reason}` };
    }
    // Past the key, a failure is the store's or the barrier's: it fails the whole write.
    await this.mirror(tx, ctx, primary, replica, key, operation);
    return { ...replica, status: 'InSync', statusMessage: REPLICATION_SUCCEEDED };
  }

  /** The primary's versions, sealed again for the replica; versions the primary no longer has are removed. */
  private async copyVersions(
    tx: StorageWriter,
    scope: Scope,
    primary: SecretRecord,
    replica: SecretRecord,
    key: KeyInfo,
  ): Promise<void> {
    const held = new Set(replica.versions.map((v) => v.versionId));
    for (const version of primary.versions) {
      if (held.has(version.versionId)) continue;
      const value = secretValueOf(await this.versions.open(primary, version))!;
      await this.versions.add(tx, scope, replica, key, version.versionId, value, version.createdAt);
    }
    const wanted = new Set(primary.versions.map((v) => v.versionId));
    for (const version of replica.versions)
      if (!wanted.has(version.versionId)) await tx.deleteSecretVersion(scope, replica.row.name, version.versionId);
  }

  /** The primary's staging labels, exactly. */
  private async copyStages(tx: StorageWriter, scope: Scope, primary: SecretRecord, replica: SecretRecord) {
    const name = replica.row.name;
    for (const stage of replica.stages)
      if (!primary.stages.some((s) => s.stage === stage.stage)) await tx.deleteSecretStage(scope, name, stage.stage);
    for (const stage of primary.stages)
      if (!replica.stages.some((s) => s.stage === stage.stage && s.versionId === stage.versionId))
        await tx.putSecretStage(scope, name, stage);
  }

  /** The primary's tags, exactly. */
  private async copyTags(tx: StorageWriter, scope: Scope, primaryScope: Scope, name: string): Promise<void> {
    const wanted = await this.records.tags(tx, primaryScope, name);
    const held = await this.records.tags(tx, scope, name);
    for (const tag of held)
      if (!wanted.some((t) => t.Key === tag.Key)) await tx.deleteTag(scope, 'Secret', name, tag.Key!);
    for (const tag of wanted)
      if (!held.some((t) => sameTags(t, tag)))
        await tx.putTag(scope, 'Secret', { resourceId: name, key: tag.Key!, value: tag.Value! });
  }
}
