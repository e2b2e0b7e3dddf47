/**
 * Secrets Manager: the secret and version actions with AWS's semantics. Request and response
 * shapes are the Secrets Manager API's own (`@aws-sdk/client-secrets-manager`); SecretBinary
 * travels as base64 text, as on the JSON wire. Every write is one storage transaction.
 */
import type {
  CreateSecretRequest,
  CreateSecretResponse,
  DeleteSecretRequest,
  DeleteSecretResponse,
  DescribeSecretRequest,
  DescribeSecretResponse,
  GetSecretValueRequest,
  GetSecretValueResponse,
  ListSecretVersionIdsRequest,
  ListSecretVersionIdsResponse,
  PutSecretValueRequest,
  PutSecretValueResponse,
  RestoreSecretRequest,
  RestoreSecretResponse,
  TagResourceRequest,
  UntagResourceRequest,
  UpdateSecretRequest,
  UpdateSecretResponse,
  UpdateSecretVersionStageRequest,
  UpdateSecretVersionStageResponse,
} from '@aws-sdk/client-secrets-manager';
import type { Scope, StorageWriter } from '../../storage/storage.js';
import type { RequestContext } from '../request-context.js';
import {
  outOfBounds,
  InvalidParameterException,
  InvalidRequestException,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsValidationException,
} from './errors.js';
import { absentSecret, checkSecretName, newSecretArn } from './secret-names.js';
import {
  stagesByVersion,
  withAttachedLabels,
  type SecretAttributes,
  type SecretRecord,
  type SecretRecords,
} from './secret-records.js';
import { versionIdOf, secretValueOf, type SecretValueInput, type SecretVersions } from './secret-versions.js';
import type { KeyAccess } from '../kms/key-access.js';
import { SecretKeyUse } from './secret-key-use.js';
import { checkSecretTags, describeShape } from './secret-shapes.js';
import { runOutsideDrafts, touchResource } from '../audit/audit-scope.js';
import { noteSecretChange } from '../changes/change-log.js';
import { refuseDeletingPrimary, refuseReplica, replicationShape, SecretReplication } from './secret-replication.js';

const DAY_MS = 86_400_000;
type Blobbed<T> = Omit<T, 'SecretBinary'> & { SecretBinary?: string | Uint8Array };

/** The labels a new version gets: as asked, and AWSCURRENT too when it is the secret's first version, as in AWS. */
function firstVersionLabels(record: SecretRecord, stages: readonly string[]): readonly string[] {
  const hasCurrent = record.stages.some((s) => s.stage === 'AWSCURRENT');
  return hasCurrent || stages.includes('AWSCURRENT') ? stages : [...stages, 'AWSCURRENT'];
}

/** The secret and version actions. */
export class SecretStore {
  /** Multi-Region replication: its actions, and the replicas every write here keeps in step. */
  readonly replication: SecretReplication;
  private readonly keyUse: SecretKeyUse;

  constructor(
    readonly records: SecretRecords,
    readonly versions: SecretVersions,
    keys: KeyAccess,
  ) {
    this.replication = new SecretReplication(records, versions, keys);
    this.keyUse = new SecretKeyUse(keys, versions);
  }

  private get storage() {
    return this.records.storage;
  }

  private now(): number {
    return this.records.clock.now();
  }

  async createSecret(ctx: RequestContext, request: Blobbed<CreateSecretRequest>): Promise<CreateSecretResponse> {
    const name = checkSecretName(request.Name);
    const value = secretValueOf(request as SecretValueInput);
    const versionId = versionIdOf(request.ClientRequestToken);
    const tags = checkSecretTags(request.Tags);
    if (
      request.Description !== undefined &&
      (typeof request.Description !== 'string' || request.Description.length > 2048)
    ) {
      throw outOfBounds('description', request.Description, { min: 0, max: 2048, measure: 'length' });
    }
    let replicas = this.replication.checkRequest(ctx, request.AddReplicaRegions, request.ForceOverwriteReplicaSecret);
    // Authorized before the key is resolved: an AWS-managed key made on first use is a write.
    // Naming a key (even without a value yet) binds the secret to it: the caller must be able to use it.
    if (value || request.KmsKeyId !== undefined)
      await this.keyUse.authorize(ctx, 'kms:GenerateDataKey', request.KmsKeyId);
    if (replicas) {
      await this.replication.authorizeKeys(ctx, [request.KmsKeyId], replicas);
      replicas = await this.replication.authorizeOverwrites(ctx, name, replicas);
    }
    // A named key must exist (the AWS-managed one is made when a value first needs it).
    if (request.KmsKeyId !== undefined) await this.keyUse.checkNamed(ctx, request.KmsKeyId);
    const write = () =>
      this.storage.transaction(async (tx) => {
        await this.records.lockWriters(tx, ctx, name);
        let existing = await tx.getSecret(ctx, name);
        if (existing && this.records.expired(JSON.parse(existing.attributes) as SecretAttributes)) {
          // Its recovery window is over: it is gone, and the name is free again.
          await tx.deleteSecret(ctx, name);
          existing = undefined;
        }
        if (existing) {
          const record = await this.records.load(tx, ctx, existing);
          if (record.attributes.deletionDate !== undefined) {
            throw new InvalidRequestException(
              "You can't create this secret because a secret with this name is already scheduled for deletion.",
            );
          }
          // A retried CreateSecret (same token, same value) answers as the first one did.
          if (
            value &&
            record.versions.some((v) => v.versionId === versionId) &&
            !(await this.versions.add(
              tx,
              ctx,
              record,
              await this.versions.keyForWrite(ctx, request.KmsKeyId),
              versionId,
              value,
              this.now(),
            ))
          ) {
            return { ARN: existing.arn, Name: name, VersionId: versionId };
          }
          throw new ResourceExistsException(`The operation failed because the secret ${name} already exists.`);
        }
        const now = this.now();
        const attributes: SecretAttributes = {
          lastChangedDate: now,
          ...(request.Description !== undefined ? { description: request.Description } : {}),
          ...(request.KmsKeyId !== undefined ? { kmsKeyId: request.KmsKeyId } : {}),
          ...(tags.length > 0 ? { tagged: true } : {}),
          ...(value ? { labelOrder: ['AWSCURRENT'] } : {}),
        };
        const row = {
          name,
          arn: newSecretArn(ctx, name),
          createdAt: now,
          attributes: JSON.stringify(attributes),
          purgeAt: null,
        };
        touchResource(ctx, row.arn);
        await tx.putSecret(ctx, row);
        if (value) {
          // Every check passed: only now may the AWS-managed key be made, if this is its first use.
          const key = await this.versions.keyForWrite(ctx, request.KmsKeyId);
          await this.versions.add(tx, ctx, { row, attributes, versions: [], stages: [] }, key, versionId, value, now);
          await this.versions.attach(tx, ctx, name, 'AWSCURRENT', versionId);
        }
        for (const tag of tags) await tx.putTag(ctx, 'Secret', { resourceId: name, key: tag.Key!, value: tag.Value! });
        await noteSecretChange(tx, ctx, row, 'CreateSecret', value ? versionId : undefined);
        const status = replicas
          ? await this.replication.addReplicas(tx, ctx, name, replicas, 'CreateSecret')
          : undefined;
        return {
          ARN: row.arn,
          Name: name,
          ...(value ? { VersionId: versionId } : {}),
          ...(status ? { ReplicationStatus: status } : {}),
        };
      });
    return this.replication.withReplicaKeys(() => this.versions.withManagedKey(ctx, write));
  }

  async getSecretValue(ctx: RequestContext, request: GetSecretValueRequest): Promise<Blobbed<GetSecretValueResponse>> {
    const record = await this.records.resolveAuthorized(ctx, request.SecretId);
    const stage = request.VersionStage ?? (request.VersionId === undefined ? 'AWSCURRENT' : undefined);
    const byStage = stage === undefined ? undefined : record.stages.find((s) => s.stage === stage)?.versionId;
    const versionId = request.VersionId ?? byStage;
    const version = record.versions.find((v) => v.versionId === versionId);
    if (!version || (stage !== undefined && byStage !== version.versionId)) {
      throw new ResourceNotFoundException(
        request.VersionId !== undefined && stage === undefined
          ? `Secrets Manager can't find the specified secret value for VersionId: ${request.VersionId}`
          : `Secrets Manager can't find the specified secret value for staging label: ${stage}`,
      );
    }
    await this.keyUse.authorize(ctx, 'kms:Decrypt', await this.keyUse.ofVersion(ctx, record, version.versionId));
    const value = await this.versions.open(record, version);
    await this.touch(ctx, record);
    return {
      ARN: record.row.arn,
      Name: record.row.name,
      VersionId: version.versionId,
      ...value,
      VersionStages: stagesByVersion(record)[version.versionId] ?? [],
      CreatedDate: new Date(version.createdAt),
    };
  }

  async putSecretValue(ctx: RequestContext, request: Blobbed<PutSecretValueRequest>): Promise<PutSecretValueResponse> {
    const value = secretValueOf(request as SecretValueInput);
    if (!value) throw new InvalidRequestException('You must provide either SecretString or SecretBinary.');
    const stages = request.VersionStages ?? ['AWSCURRENT'];
    if (!Array.isArray(stages) || stages.length < 1 || stages.length > 20)
      throw outOfBounds('versionStages', stages, { min: 1, max: 20, measure: 'length' });
    for (const [i, s] of stages.entries())
      if (typeof s !== 'string' || s.length < 1 || s.length > 256)
        throw outOfBounds(`versionStages.${i + 1}.member`, s, { min: 1, max: 256, measure: 'length' });
    return this.newVersion(ctx, request.SecretId, versionIdOf(request.ClientRequestToken), value, stages);
  }

  async updateSecret(ctx: RequestContext, request: Blobbed<UpdateSecretRequest>): Promise<UpdateSecretResponse> {
    const value = secretValueOf(request as SecretValueInput);
    const record = await this.records.resolve(this.storage, ctx, request.SecretId);
    refuseReplica(record.attributes);
    if (request.KmsKeyId !== undefined) {
      await this.keyUse.authorize(ctx, 'kms:GenerateDataKey', request.KmsKeyId);
      await this.keyUse.checkNamed(ctx, request.KmsKeyId);
    }
    if (request.Description !== undefined || request.KmsKeyId !== undefined) {
      await this.storage.transaction(async (tx) => {
        await this.records.lockWriters(tx, ctx, request.SecretId);
        const fresh = await this.records.resolve(tx, ctx, request.SecretId);
        refuseReplica(fresh.attributes);
        await this.records.save(tx, ctx, fresh.row, {
          ...fresh.attributes,
          lastChangedDate: this.now(),
          ...(request.Description !== undefined ? { description: request.Description } : {}),
          ...(request.KmsKeyId !== undefined ? { kmsKeyId: request.KmsKeyId } : {}),
        });
        await noteSecretChange(tx, ctx, fresh.row, 'UpdateSecret');
        await this.replication.follow(tx, ctx, fresh, 'UpdateSecret');
      });
    }
    if (!value) return { ARN: record.row.arn, Name: record.row.name };
    const put = await this.newVersion(
      ctx,
      request.SecretId,
      versionIdOf(request.ClientRequestToken),
      value,
      ['AWSCURRENT'],
      'UpdateSecret',
    );
    return { ARN: put.ARN, Name: put.Name, VersionId: put.VersionId };
  }

  async describeSecret(ctx: RequestContext, request: DescribeSecretRequest): Promise<DescribeSecretResponse> {
    const record = await this.records.resolve(this.storage, ctx, request.SecretId, true);
    return {
      ...describeShape(record, await this.records.tags(this.storage, ctx, record.row.name)),
      ...(await replicationShape(this.storage, ctx, record)),
    };
  }

  async listSecretVersionIds(
    ctx: RequestContext,
    request: ListSecretVersionIdsRequest,
  ): Promise<ListSecretVersionIdsResponse> {
    const record = await this.records.resolve(this.storage, ctx, request.SecretId, true);
    const labels = stagesByVersion(record);
    const versions = record.versions
      .filter((v) => request.IncludeDeprecated === true || labels[v.versionId])
      .sort((a, b) => b.createdAt - a.createdAt);
    return {
      ARN: record.row.arn,
      Name: record.row.name,
      Versions: versions.map((v) => ({
        VersionId: v.versionId,
        VersionStages: labels[v.versionId] ?? [],
        CreatedDate: new Date(v.createdAt),
        KmsKeyIds: [record.attributes.kmsKeyId ?? 'DefaultEncryptionKey'],
      })),
    };
  }

  async updateSecretVersionStage(
    ctx: RequestContext,
    request: UpdateSecretVersionStageRequest,
  ): Promise<UpdateSecretVersionStageResponse> {
    const stage = request.VersionStage;
    if (typeof stage !== 'string' || stage.length < 1 || stage.length > 256)
      throw outOfBounds('versionStage', stage, { min: 1, max: 256, measure: 'length' });
    return this.storage.transaction(async (tx) => {
      await this.records.lockWriters(tx, ctx, request.SecretId);
      const record = await this.records.resolve(tx, ctx, request.SecretId);
      refuseReplica(record.attributes);
      const holder = record.stages.find((s) => s.stage === stage)?.versionId;
      const { MoveToVersionId: to, RemoveFromVersionId: from } = request;
      if (to !== undefined && !record.versions.some((v) => v.versionId === to)) {
        throw new ResourceNotFoundException(
          `Secrets Manager can't find the specified secret value for VersionId: ${to}`,
        );
      }
      if (holder !== undefined && holder !== to && from !== holder) {
        throw new InvalidParameterException(
          `The parameter RemoveFromVersionId can't be empty. Staging label ${stage} is currently attached to version ` +
            `${holder}, so you must explicitly reference that version in RemoveFromVersionId.`,
        );
      }
      if (from !== undefined && holder !== from) {
        throw new InvalidParameterException(`The staging label ${stage} is not attached to version ${from}.`);
      }
      if (to === undefined) {
        if (stage === 'AWSCURRENT')
          throw new InvalidParameterException(
            "You can't remove the AWSCURRENT staging label without moving it to another version.",
          );
        if (from !== undefined) await tx.deleteSecretStage(ctx, record.row.name, stage);
      }
      const attached = to === undefined ? [] : await this.versions.attach(tx, ctx, record.row.name, stage, to);
      const attributes = withAttachedLabels(record.attributes, attached);
      await this.records.save(tx, ctx, record.row, {
        ...attributes,
        // A label removed from every version leaves the order too, so the order never outgrows the labels.
        ...(to === undefined && attributes.labelOrder
          ? { labelOrder: attributes.labelOrder.filter((label) => label !== stage) }
          : {}),
        lastChangedDate: this.now(),
      });
      await this.versions.prune(tx, ctx, record.row.name);
      await noteSecretChange(tx, ctx, record.row, 'UpdateSecretVersionStage', to);
      await this.replication.follow(tx, ctx, record, 'UpdateSecretVersionStage');
      return { ARN: record.row.arn, Name: record.row.name };
    });
  }

  async deleteSecret(ctx: RequestContext, request: DeleteSecretRequest): Promise<DeleteSecretResponse> {
    const force = request.ForceDeleteWithoutRecovery === true;
    if (force && request.RecoveryWindowInDays !== undefined) {
      throw new InvalidParameterException(
        "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
      );
    }
    const days = request.RecoveryWindowInDays ?? 30;
    if (!Number.isInteger(days) || days < 7 || days > 30) {
      throw new InvalidParameterException('The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).');
    }
    const now = this.now();
    const record = await this.records.resolve(this.storage, ctx, request.SecretId, true).catch((error: unknown) => {
      // A forced delete of a secret that does not exist answers as if it had deleted it, as AWS does.
      const absent = force && error instanceof ResourceNotFoundException && absentSecret(ctx, String(request.SecretId));
      if (absent) return absent;
      throw error;
    });
    if (!('row' in record)) return { ...record, DeletionDate: new Date(now) };
    refuseReplica(record.attributes);
    refuseDeletingPrimary(record);
    if (force) {
      await this.storage.transaction(async (tx) => {
        await this.records.lockWriters(tx, ctx, record.row.name);
        // Checked again where it counts: replicas may have been added since.
        refuseDeletingPrimary(await this.records.resolve(tx, ctx, record.row.arn, true));
        await tx.deleteSecret(ctx, record.row.name);
        await noteSecretChange(tx, ctx, record.row, 'DeleteSecret');
      });
      return { ARN: record.row.arn, Name: record.row.name, DeletionDate: new Date(now) };
    }
    if (record.attributes.deletionDate !== undefined) {
      throw new InvalidRequestException("You can't delete secret because it was already marked for deletion.");
    }
    const deletionDate = now + days * DAY_MS;
    await this.storage.transaction(async (tx) => {
      await this.records.lockWriters(tx, ctx, record.row.name);
      // Saved from what the transaction reads: a policy or replica written since the first read is kept.
      const fresh = await this.records.resolve(tx, ctx, record.row.arn, true);
      refuseDeletingPrimary(fresh);
      if (fresh.attributes.deletionDate !== undefined)
        throw new InvalidRequestException("You can't delete secret because it was already marked for deletion.");
      await this.records.save(tx, ctx, fresh.row, { ...fresh.attributes, deletedDate: now, deletionDate });
      await noteSecretChange(tx, ctx, record.row, 'DeleteSecret');
    });
    return { ARN: record.row.arn, Name: record.row.name, DeletionDate: new Date(deletionDate) };
  }

  async restoreSecret(ctx: RequestContext, request: RestoreSecretRequest): Promise<RestoreSecretResponse> {
    return this.storage.transaction(async (tx) => {
      await this.records.lockWriters(tx, ctx, request.SecretId);
      const record = await this.records.resolve(tx, ctx, request.SecretId, true);
      refuseReplica(record.attributes);
      const { deletedDate: _d, deletionDate: _e, ...attributes } = record.attributes;
      await this.records.save(tx, ctx, record.row, attributes);
      await noteSecretChange(tx, ctx, record.row, 'RestoreSecret');
      return { ARN: record.row.arn, Name: record.row.name };
    });
  }

  async tagResource(ctx: RequestContext, request: TagResourceRequest): Promise<object> {
    const tags = checkSecretTags(request.Tags);
    await this.storage.transaction(async (tx) => {
      await this.records.lockWriters(tx, ctx, request.SecretId);
      const record = await this.records.resolve(tx, ctx, request.SecretId, true);
      refuseReplica(record.attributes);
      const existing = new Set((await this.records.tags(tx, ctx, record.row.name)).map((t) => t.Key));
      const total = new Set([...existing, ...tags.map((t) => t.Key)]).size;
      if (total > 50) throw new InvalidRequestException("You can't attach more than 50 tags to a secret.");
      for (const tag of tags)
        await tx.putTag(ctx, 'Secret', { resourceId: record.row.name, key: tag.Key!, value: tag.Value! });
      if (tags.length > 0 && !record.attributes.tagged)
        await this.records.save(tx, ctx, record.row, { ...record.attributes, tagged: true });
      await noteSecretChange(tx, ctx, record.row, 'TagResource');
      await this.replication.follow(tx, ctx, record, 'TagResource');
    });
    return {};
  }

  async untagResource(ctx: RequestContext, request: UntagResourceRequest): Promise<object> {
    const keys = request.TagKeys;
    if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string'))
      throw new SecretsValidationException(
        "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null",
      );
    await this.storage.transaction(async (tx) => {
      await this.records.lockWriters(tx, ctx, request.SecretId);
      const record = await this.records.resolve(tx, ctx, request.SecretId, true);
      refuseReplica(record.attributes);
      for (const key of keys) await tx.deleteTag(ctx, 'Secret', record.row.name, key);
      await noteSecretChange(tx, ctx, record.row, 'UntagResource');
      await this.replication.follow(tx, ctx, record, 'UntagResource');
    });
    return {};
  }

  /** A new version with `stages`, in one transaction; shared by PutSecretValue, UpdateSecret and rotation. */
  async newVersion(
    ctx: RequestContext,
    secretId: unknown,
    versionId: string,
    value: { kind: 'string' | 'binary'; bytes: Buffer },
    stages: readonly string[],
    operation = 'PutSecretValue',
  ): Promise<PutSecretValueResponse> {
    const first = await this.records.resolve(this.storage, ctx, secretId);
    refuseReplica(first.attributes);
    await this.keyUse.authorize(ctx, 'kms:GenerateDataKey', first.attributes.kmsKeyId);
    return this.versions.withManagedKey(ctx, () =>
      this.storage.transaction(async (tx) => {
        await this.records.lockWriters(tx, ctx, secretId);
        const record = await this.records.resolve(tx, ctx, secretId);
        refuseReplica(record.attributes);
        const now = this.now();
        const key = await this.versions.keyForWrite(ctx, record.attributes.kmsKeyId);
        const added = await this.versions.add(tx, ctx, record, key, versionId, value, now);
        let attributes = record.attributes;
        if (added) {
          const attached: string[] = [];
          for (const stage of firstVersionLabels(record, stages))
            attached.push(...(await this.versions.attach(tx, ctx, record.row.name, stage, versionId)));
          attributes = { ...withAttachedLabels(record.attributes, attached), lastChangedDate: now };
          await this.records.save(tx, ctx, record.row, attributes);
          await this.versions.prune(tx, ctx, record.row.name);
          await noteSecretChange(tx, ctx, record.row, operation, versionId);
          await this.replication.follow(tx, ctx, record, operation);
        }
        const labels = stagesByVersion({ attributes, stages: await tx.listSecretStages(ctx, record.row.name) });
        return {
          ARN: record.row.arn,
          Name: record.row.name,
          VersionId: versionId,
          VersionStages: labels[versionId] ?? [],
        };
      }),
    );
  }

  /** LastAccessedDate, which AWS keeps to the day: written at most once a day per secret. */
  private async touch(scope: Scope, record: SecretRecord): Promise<void> {
    const today = Math.floor(this.now() / DAY_MS) * DAY_MS;
    if (record.attributes.lastAccessedDate === today) return;
    // Bookkeeping of the read, not the read: the request's event is written when it ends, with all it returned.
    await runOutsideDrafts(() =>
      this.storage.transaction(async (tx: StorageWriter) => {
        await this.records.lockWriters(tx, scope, record.row.name);
        const fresh = await tx.getSecret(scope, record.row.name);
        if (fresh)
          await this.records.save(tx, scope, fresh, {
            ...(JSON.parse(fresh.attributes) as SecretAttributes),
            lastAccessedDate: today,
          });
      }),
    );
  }
}
