/**
 * Multi-Region secrets: ReplicateSecretToRegions, RemoveRegionsFromReplication,
 * StopReplicationToReplica, CreateSecret's AddReplicaRegions, and what they mean elsewhere.
 * Coffer's Regions are namespaces of one store, so a replica is written in the same transaction
 * as its primary (secret-replicas.ts) and is InSync at once; AWS's InProgress never shows. A
 * replica refuses every write (AWS's InvalidParameterException), a primary with replicas refuses
 * deletion, and a name already taken in a Region makes that replica Failed, not the request,
 * unless ForceOverwriteReplicaSecret replaces a standalone secret there.
 */
import type { ReplicationStatusType } from '@aws-sdk/client-secrets-manager';
import type { Scope, StorageReader, StorageWriter } from '../../storage/storage.js';
import { touchResource } from '../audit/audit-scope.js';
import { noteSecretChange } from '../changes/change-log.js';
import { KeyAccess } from '../kms/key-access.js';
import type { Permission, RequestContext } from '../request-context.js';
import { InvalidParameterException } from './errors.js';
import type { ReplicaState, SecretAttributes, SecretRecord, SecretRecords } from './secret-records.js';
import {
  REPLICATION_SUCCEEDED,
  ReplicaKeyNeeded,
  ReplicaWriter,
  regionOfArn,
  replicaArn,
  replicaContext,
} from './secret-replicas.js';
import { DEFAULT_SECRETS_KEY_ALIAS, type SecretVersions } from './secret-versions.js';
import { SecretsPermissions } from './secrets-permissions.js';

/** AWS's answer to any write sent to a replica. */
export const REPLICA_READ_ONLY =
  "Operation not permitted on a replica secret. Call must be made in primary secret's region.";

/** The replicas a request asks for, checked. */
export interface ReplicaRequest {
  readonly regions: readonly { region: string; kmsKeyId?: string }[];
  readonly force: boolean;
  /**
   * The ARNs of the secrets in other Regions ForceOverwriteReplicaSecret may replace: those the
   * caller was allowed to delete (authorizeOverwrites). A secret that took the name since is not one.
   */
  readonly overwritable?: ReadonlySet<string>;
}

/** A secret neither replicated nor a replica: the only kind ForceOverwriteReplicaSecret replaces. */
function isStandalone(attributes: SecretAttributes): boolean {
  return attributes.primaryRegion === undefined && !attributes.replicas?.length;
}

/** Refuses a write to a replica, as AWS does. */
export function refuseReplica(attributes: SecretAttributes): void {
  if (attributes.primaryRegion !== undefined) throw new InvalidParameterException(REPLICA_READ_ONLY);
}

/** Refuses deleting a primary that still has replicas, with AWS's wording. */
export function refuseDeletingPrimary(record: SecretRecord): void {
  const regions = (record.attributes.replicas ?? []).map((r) => r.region);
  if (regions.length)
    throw new InvalidParameterException(
      `You can't delete secret ${record.row.arn} that still has replica regions [${regions.join(', ')}].`,
    );
}

/** The Region a secret's `primary-region` filter matches: a replica's primary, or a primary's own. */
export function primaryRegionOf(record: SecretRecord): string | undefined {
  if (record.attributes.primaryRegion !== undefined) return record.attributes.primaryRegion;
  return record.attributes.replicas?.length ? regionOfArn(record.row.arn) : undefined;
}

/** PrimaryRegion and ReplicationStatus as DescribeSecret and ListSecrets show them (none for a standalone secret). */
export async function replicationShape(
  reader: StorageReader,
  scope: Scope,
  record: SecretRecord,
): Promise<{ PrimaryRegion?: string; ReplicationStatus?: ReplicationStatusType[] }> {
  const primaryRegion = primaryRegionOf(record);
  if (primaryRegion === undefined) return {};
  if (record.attributes.primaryRegion !== undefined) return { PrimaryRegion: primaryRegion };
  return { PrimaryRegion: primaryRegion, ReplicationStatus: await statusOf(reader, scope, record) };
}

async function statusOf(reader: StorageReader, scope: Scope, record: SecretRecord): Promise<ReplicationStatusType[]> {
  const out: ReplicationStatusType[] = [];
  for (const replica of record.attributes.replicas ?? []) {
    const row =
      replica.status === 'InSync'
        ? await reader.getSecret({ account: scope.account, region: replica.region }, record.row.name)
        : undefined;
    const read = row ? (JSON.parse(row.attributes) as SecretAttributes).lastAccessedDate : undefined;
    out.push({
      Region: replica.region,
      KmsKeyId: replica.kmsKeyId ?? DEFAULT_SECRETS_KEY_ALIAS,
      Status: replica.status,
      StatusMessage: replica.statusMessage,
      ...(read !== undefined ? { LastAccessedDate: new Date(read) } : {}),
    });
  }
  return out;
}

/** The replication actions, and the hooks the other secret writes call. */
export class SecretReplication {
  private readonly writer: ReplicaWriter;
  private readonly permissions: SecretsPermissions;
  private regions?: ReadonlySet<string>;

  constructor(
    private readonly records: SecretRecords,
    private readonly versions: SecretVersions,
    private readonly keys: KeyAccess,
  ) {
    this.writer = new ReplicaWriter(records, versions);
    this.permissions = new SecretsPermissions(records);
  }

  /** The Regions a replica may be made in (a server's: AWS's and COFFER_REGIONS); unset, any well-formed one. */
  useRegions(regions: ReadonlySet<string>): void {
    this.regions = regions;
  }

  /** AddReplicaRegions and ForceOverwriteReplicaSecret, checked before anything is read or written. */
  checkRequest(ctx: RequestContext, regions: unknown, force: unknown): ReplicaRequest | undefined {
    if (regions === undefined) return undefined;
    const seen = new Set<string>();
    const out: { region: string; kmsKeyId?: string }[] = [];
    for (const entry of Array.isArray(regions) ? (regions as { Region?: unknown; KmsKeyId?: unknown }[]) : []) {
      const region = entry?.Region;
      if (typeof region !== 'string' || region === ctx.region || seen.has(region) || !this.known(region))
        throw new InvalidParameterException('Invalid replica region.');
      seen.add(region);
      out.push({ region, ...(typeof entry.KmsKeyId === 'string' ? { kmsKeyId: entry.KmsKeyId } : {}) });
    }
    if (out.length === 0) throw new InvalidParameterException('Invalid replica region.');
    return { regions: out, force: force === true };
  }

  private known(region: string): boolean {
    return this.regions ? this.regions.has(region) : /^([a-z]+-)+\d+$/.test(region);
  }

  /**
   * Secrets Manager reads the primary's values and seals them under each replica's key on the
   * caller's behalf: the caller must be able to decrypt with every key the primary's versions are
   * sealed under (an older version may still be under a key the secret no longer names, which a
   * replica under another key must not open for a caller who could not) and encrypt with the others
   * (kms:GenerateDataKey, and kms:Encrypt for a key other than aws/secretsmanager, as AWS documents).
   */
  async authorizeKeys(
    ctx: RequestContext,
    primaryKeys: readonly (string | undefined)[],
    request: ReplicaRequest,
  ): Promise<void> {
    if (!ctx.authorize) return;
    const on = async (scope: RequestContext, action: string, key: string | undefined) =>
      this.keys.onReference(
        scope,
        action,
        key,
        DEFAULT_SECRETS_KEY_ALIAS,
        KeyAccess.viaService(scope, 'secretsmanager'),
      );
    const permissions: Permission[] = [];
    for (const key of new Set(primaryKeys)) permissions.push(await on(ctx, 'kms:Decrypt', key));
    for (const { region, kmsKeyId } of request.regions) {
      const scope = replicaContext(ctx, region);
      permissions.push(await on(scope, 'kms:GenerateDataKey', kmsKeyId));
      // AWS: a replica key other than aws/secretsmanager also needs kms:Encrypt.
      if (kmsKeyId !== undefined && kmsKeyId !== DEFAULT_SECRETS_KEY_ALIAS)
        permissions.push(await on(scope, 'kms:Encrypt', kmsKeyId));
    }
    await ctx.authorize(permissions);
  }

  /**
   * ForceOverwriteReplicaSecret deletes a live standalone secret of the name in each Region asked
   * for, which may be anyone's: the caller must be allowed secretsmanager:DeleteSecret on it, with
   * its own resource policy and tags, before anything is written (AWS documents no such check; a
   * replicating caller must not destroy what it could not delete). Returns the request with the
   * secrets it may replace; a replica of another primary, or a primary, is never replaced.
   */
  async authorizeOverwrites(ctx: RequestContext, name: string, request: ReplicaRequest): Promise<ReplicaRequest> {
    const overwritable = new Set<string>();
    const permissions: Permission[] = [];
    for (const { region } of request.force ? request.regions : []) {
      const scope = replicaContext(ctx, region);
      const found = await this.records.storage.getSecret(scope, name);
      const theirs = found && (JSON.parse(found.attributes) as SecretAttributes);
      if (!found || !theirs || this.records.expired(theirs) || !isStandalone(theirs)) continue;
      overwritable.add(found.arn);
      permissions.push(await this.permissions.onSecret(scope, 'secretsmanager:DeleteSecret', found.arn));
    }
    if (permissions.length) await ctx.authorize?.(permissions);
    return { ...request, overwritable };
  }

  /** The keys a secret's values are sealed under: the one it names, and each version's own. */
  sealingKeys(record: Pick<SecretRecord, 'attributes' | 'versions'>): (string | undefined)[] {
    return [...new Set([record.attributes.kmsKeyId, ...record.versions.map((v) => this.versions.keyIdOf(v))])];
  }

  /** Runs a write that may create replicas; a Region missing its AWS-managed key gets it, and the write runs again. */
  async withReplicaKeys<T>(write: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await write();
      } catch (error) {
        if (!(error instanceof ReplicaKeyNeeded) || attempt > 64) throw error;
        await this.versions.keyOf(error.scope, undefined);
      }
    }
  }

  /**
   * Adds replicas to the primary `name` in `tx`, after its own writes. A Region that is already
   * InSync is left as it is; a name taken there by another secret is a Failed replica unless
   * the request may replace it (a standalone secret the caller was allowed to delete in
   * authorizeOverwrites; never another primary's replica, nor a primary).
   */
  async addReplicas(
    tx: StorageWriter,
    ctx: RequestContext,
    name: string,
    request: ReplicaRequest,
    operation: string,
  ): Promise<ReplicationStatusType[]> {
    const row = (await tx.getSecret(ctx, name))!;
    const primary = await this.records.load(tx, ctx, row);
    const states = [...(primary.attributes.replicas ?? [])];
    for (const wanted of request.regions) {
      const index = states.findIndex((s) => s.region === wanted.region);
      if (index >= 0 && states[index]!.status === 'InSync') continue;
      const state = await this.place(tx, ctx, primary, wanted, request.overwritable, operation);
      if (index >= 0) states[index] = state;
      else states.push(state);
    }
    const attributes = { ...primary.attributes, replicas: states };
    await this.records.save(tx, ctx, row, attributes);
    return statusOf(tx, ctx, { ...primary, attributes });
  }

  private async place(
    tx: StorageWriter,
    ctx: RequestContext,
    primary: SecretRecord,
    wanted: { region: string; kmsKeyId?: string },
    overwritable: ReadonlySet<string> | undefined,
    operation: string,
  ): Promise<ReplicaState> {
    const scope = replicaContext(ctx, wanted.region);
    const name = primary.row.name;
    const state: ReplicaState = { ...wanted, status: 'InSync', statusMessage: REPLICATION_SUCCEEDED };
    const found = await tx.getSecret(scope, name);
    if (found) {
      const theirs = JSON.parse(found.attributes) as SecretAttributes;
      const gone = this.records.expired(theirs);
      const ours = theirs.primaryRegion === ctx.region && found.arn === replicaArn(primary.row.arn, wanted.region);
      if (!gone && !ours) {
        if (!isStandalone(theirs))
          return this.failed(
            state,
            `Secret name ${name} is currently replicated to ${wanted.region} with a different arn.`,
          );
        // Only the very secret the caller was allowed to delete: not one that took the name since.
        if (!overwritable?.has(found.arn))
          return this.failed(state, `Secret name ${name} already exists in region ${wanted.region}.`);
      }
      if (!ours) {
        // Overwritten (or past its recovery window): the Region's secret of that name goes, with its versions and tags.
        await tx.deleteSecret(scope, name);
        // Its rotation schedule goes too: a replica is never rotated in its own Region.
        await tx.deleteRotationSchedule(scope, 'secret', name);
        await noteSecretChange(tx, scope, found, operation);
        touchResource(scope, found.arn);
      }
    }
    return this.writer.tryMirror(tx, ctx, primary, state, operation, true);
  }

  private failed(state: ReplicaState, reason: string): ReplicaState {
    return { ...state, status: 'Failed', statusMessage: `Replication failed: ${reason}` };
  }

  /** After a write to the secret `record` in ctx's Region: its replicas follow, in the same transaction. */
  async follow(tx: StorageWriter, ctx: RequestContext, record: SecretRecord, operation: string): Promise<void> {
    if (record.attributes.replicas?.length) await this.writer.follow(tx, ctx, record.row.name, operation);
  }

  async replicateSecretToRegions(
    ctx: RequestContext,
    request: { SecretId?: unknown; AddReplicaRegions?: unknown; ForceOverwriteReplicaSecret?: unknown },
  ): Promise<{ ARN: string; ReplicationStatus: ReplicationStatusType[] }> {
    // Authorized on what was read; a write that finds the secret sealed under other keys since is authorized again.
    for (let attempt = 0; attempt < 8; attempt++) {
      const record = await this.records.resolve(this.records.storage, ctx, request.SecretId);
      refuseReplica(record.attributes);
      const asked = this.checkRequest(ctx, request.AddReplicaRegions ?? [], request.ForceOverwriteReplicaSecret)!;
      const keys = this.sealingKeys(record);
      await this.authorizeKeys(ctx, keys, asked);
      const wanted = await this.authorizeOverwrites(ctx, record.row.name, asked);
      const done = await this.withReplicaKeys(() =>
        this.records.storage.transaction(async (tx) => {
          await this.records.lockWriters(tx, ctx, record.row.name);
          const fresh = await this.records.resolve(tx, ctx, record.row.arn);
          refuseReplica(fresh.attributes);
          if (this.sealingKeys(fresh).some((k) => !keys.includes(k))) return undefined;
          const status = await this.addReplicas(tx, ctx, fresh.row.name, wanted, 'ReplicateSecretToRegions');
          await noteSecretChange(tx, ctx, fresh.row, 'ReplicateSecretToRegions');
          return { ARN: fresh.row.arn, ReplicationStatus: status };
        }),
      );
      if (done) return done;
    }
    throw new Error('the secret kept changing keys while its replicas were being authorized');
  }

  async removeRegionsFromReplication(
    ctx: RequestContext,
    request: { SecretId?: unknown; RemoveReplicaRegions?: unknown },
  ): Promise<{ ARN: string; ReplicationStatus: ReplicationStatusType[] }> {
    const remove = new Set(Array.isArray(request.RemoveReplicaRegions) ? request.RemoveReplicaRegions.map(String) : []);
    return this.records.storage.transaction(async (tx) => {
      await this.records.lockWriters(tx, ctx, request.SecretId);
      const record = await this.records.resolve(tx, ctx, request.SecretId);
      refuseReplica(record.attributes);
      const states = record.attributes.replicas ?? [];
      for (const replica of states.filter((r) => remove.has(r.region))) {
        const scope = replicaContext(ctx, replica.region);
        const row = await tx.getSecret(scope, record.row.name);
        // Only the replica goes (also one left Failed by its key): a secret that took the name is not this primary's.
        const theirs = row && (JSON.parse(row.attributes) as SecretAttributes).primaryRegion !== ctx.region;
        if (!row || theirs || row.arn !== replicaArn(record.row.arn, replica.region)) continue;
        await tx.deleteSecret(scope, row.name);
        await noteSecretChange(tx, scope, row, 'RemoveRegionsFromReplication');
        touchResource(scope, row.arn);
      }
      const { replicas: _, ...rest } = record.attributes;
      const kept = states.filter((r) => !remove.has(r.region));
      const attributes = kept.length ? { ...rest, replicas: kept } : rest;
      await this.records.save(tx, ctx, record.row, attributes);
      await noteSecretChange(tx, ctx, record.row, 'RemoveRegionsFromReplication');
      return { ARN: record.row.arn, ReplicationStatus: await statusOf(tx, ctx, { ...record, attributes }) };
    });
  }

  /** Promotes a replica (called in its own Region) to a standalone secret; its primary forgets it. */
  async stopReplicationToReplica(ctx: RequestContext, request: { SecretId?: unknown }): Promise<{ ARN: string }> {
    return this.records.storage.transaction(async (tx) => {
      await this.records.lockWriters(tx, ctx, request.SecretId);
      const record = await this.records.resolve(tx, ctx, request.SecretId);
      const primaryRegion = record.attributes.primaryRegion;
      if (primaryRegion === undefined)
        throw new InvalidParameterException('StopReplicationToReplica is only permitted on a replica secret.');
      const { primaryRegion: _, ...standalone } = record.attributes;
      await this.records.save(tx, ctx, record.row, { ...standalone, lastChangedDate: this.records.clock.now() });
      await noteSecretChange(tx, ctx, record.row, 'StopReplicationToReplica');
      const scope = replicaContext(ctx, primaryRegion);
      const primary = await tx.getSecret(scope, record.row.name);
      if (primary && replicaArn(primary.arn, ctx.region) === record.row.arn) {
        const { replicas, ...rest } = JSON.parse(primary.attributes) as SecretAttributes;
        const kept = (replicas ?? []).filter((r) => r.region !== ctx.region);
        await this.records.save(tx, scope, primary, kept.length ? { ...rest, replicas: kept } : rest);
        await noteSecretChange(tx, scope, primary, 'StopReplicationToReplica');
        touchResource(scope, primary.arn);
      }
      return { ARN: record.row.arn };
    });
  }
}
