/**
 * Parameter Store: the thirteen SSM actions Coffer serves, with AWS's semantics.
 *
 * Request and response shapes are the SSM API's own (`@aws-sdk/client-ssm` types), so the wire
 * layer only (de)serialises. Writes run in one storage transaction each, under a per-name lock,
 * so a failed write changes nothing and concurrent writers get strictly increasing versions.
 */
import type {
  AddTagsToResourceRequest,
  AddTagsToResourceResult,
  DeleteParameterRequest,
  DeleteParameterResult,
  DeleteParametersRequest,
  DeleteParametersResult,
  DescribeParametersRequest,
  DescribeParametersResult,
  GetParameterHistoryRequest,
  GetParameterHistoryResult,
  GetParameterRequest,
  GetParameterResult,
  GetParametersByPathRequest,
  GetParametersByPathResult,
  GetParametersRequest,
  GetParametersResult,
  LabelParameterVersionRequest,
  LabelParameterVersionResult,
  ListTagsForResourceRequest,
  ListTagsForResourceResult,
  PutParameterRequest,
  PutParameterResult,
  RemoveTagsFromResourceRequest,
  RemoveTagsFromResourceResult,
  Tag,
  UnlabelParameterVersionRequest,
  UnlabelParameterVersionResult,
} from '@aws-sdk/client-ssm';
import { CryptoError } from '../../crypto/errors.js';
import { DEFAULT_SSM_KEY_ALIAS, type KeyInfo, type Keyring } from '../../crypto/keyring.js';
import type { TokenSealer } from '../../crypto/token-sealer.js';
import type { ValueBarrier } from '../../crypto/value-barrier.js';
import type { ParameterVersionRow, Scope, Storage, StorageWriter } from '../../storage/storage.js';
import type { RequestContext } from '../request-context.js';
import { constraintFailure } from '../service-error.js';
import {
  InvalidKeyId,
  InvalidResourceId,
  InvalidResourceType,
  ParameterAlreadyExists,
  ParameterMaxVersionLimitExceeded,
  ParameterNotFound,
  ParameterVersionLabelLimitExceeded,
  ParameterVersionNotFound,
  TooManyTagsError,
  TooManyUpdates,
  ValidationException,
  ParameterVersionConflict,
} from './errors.js';
import { checkLabelList, isValidLabel, MAX_LABELS_PER_VERSION } from './parameter-labels.js';
import { findLatest, storedName } from './parameter-lookup.js';
import {
  canonicalName,
  checkNameForChange,
  checkNameForWrite,
  checkNotReserved,
  nameFromArn,
  reservedCandidate,
  parameterArn,
  parseReference,
  parseSecretReference,
} from './parameter-name.js';
import { checkNameList, ParameterQueries, type SecretReference } from './parameter-queries.js';
import { valueContext, ParameterViews } from './parameter-views.js';
import {
  checkAllowedPattern,
  checkDataType,
  checkDescription,
  checkPolicies,
  checkType,
  checkValue,
  isImageId,
  resolveTier,
} from './put-parameter-rules.js';
import { NO_FOLLOW_UPS, storedPolicies, type ParameterFollowUps } from './parameter-policies.js';
import { checkTags, MAX_TAGS_PER_RESOURCE } from './resource-tags.js';
import type { SsmPermissions } from './ssm-permissions.js';
import { KeyAccess } from '../kms/key-access.js';
import { keyForWrite, withManagedKey } from '../kms/managed-keys.js';
import { noteChange } from '../changes/change-log.js';
import { TamperedRowError } from '../../storage/row-integrity.js';

/** AWS keeps the 100 most recent versions of a parameter. */
export const MAX_VERSIONS = 100;
const RESOURCE_TYPES = [
  'Document',
  'ManagedInstance',
  'MaintenanceWindow',
  'Parameter',
  'PatchBaseline',
  'OpsItem',
  'OpsMetadata',
  'Automation',
  'Association',
];

function requiredName(name: string | undefined): string {
  if (typeof name !== 'string')
    throw ValidationException.of(constraintFailure('name', null, 'Member must not be null'));
  return name;
}

/** The key a write seals a SecureString under, as named (null for other types): the request's, the previous version's,
 * or the default. */
function keyReference(request: PutParameterRequest, previous: ParameterVersionRow | undefined): string | null {
  const type = request.Type ?? previous?.type;
  if (type !== 'SecureString') return null;
  return request.KeyId ?? (previous?.type === 'SecureString' ? previous.keyId : null) ?? DEFAULT_SSM_KEY_ALIAS;
}

/** The Parameter Store engine. */
export class ParameterStore {
  private readonly queries: ParameterQueries;
  private followUps: ParameterFollowUps = NO_FOLLOW_UPS;

  constructor(
    private readonly storage: Storage,
    private readonly keyring: Keyring,
    private readonly barrier: ValueBarrier,
    tokens: TokenSealer,
    private readonly keys: KeyAccess,
    permissions: SsmPermissions,
  ) {
    this.queries = new ParameterQueries(storage, new ParameterViews(barrier, keyring, keys), tokens, permissions);
  }

  getParameter(ctx: RequestContext, request: GetParameterRequest): Promise<GetParameterResult> {
    return this.queries.getParameter(ctx, request);
  }

  /**
   * The name a reference (name, ARN, with or without a selector) denotes, in the spelling it is
   * stored under: one key for whatever else is kept about the parameter (rotation schedules).
   */
  async storedNameOf(ctx: RequestContext, reference: string): Promise<string> {
    if (parseSecretReference(reference))
      throw new ValidationException(
        'A /aws/reference/secretsmanager/ name is a Secrets Manager secret: rotate the secret.',
      );
    const { name } = parseReference(ctx, reference);
    return storedName(this.storage, ctx, name);
  }

  /** Serves `/aws/reference/secretsmanager/<secret-id>` from Secrets Manager, as AWS does. */
  useSecretReferences(reference: SecretReference): void {
    this.queries.secretReference = reference;
  }

  /** Enforces parameter policies and reports rejected AMI ids (policy-actions.ts). */
  useFollowUps(followUps: ParameterFollowUps): void {
    this.followUps = followUps;
  }

  getParameters(ctx: RequestContext, request: GetParametersRequest): Promise<GetParametersResult> {
    return this.queries.getParameters(ctx, request);
  }

  getParametersByPath(ctx: RequestContext, request: GetParametersByPathRequest): Promise<GetParametersByPathResult> {
    return this.queries.getParametersByPath(ctx, request);
  }

  describeParameters(ctx: RequestContext, request: DescribeParametersRequest): Promise<DescribeParametersResult> {
    return this.queries.describeParameters(ctx, request);
  }

  getParameterHistory(ctx: RequestContext, request: GetParameterHistoryRequest): Promise<GetParameterHistoryResult> {
    return this.queries.getParameterHistory(ctx, request);
  }

  async putParameter(ctx: RequestContext, request: PutParameterRequest): Promise<PutParameterResult> {
    const name = nameFromArn(ctx, requiredName(request.Name));
    checkNameForWrite(ctx, name);
    const value = request.Value;
    checkValue(value);
    if (request.Type !== undefined) checkType(request.Type);
    checkDescription(request.Description);
    checkPolicies(request.Policies);
    const tags = request.Tags ?? [];
    if (request.Overwrite === true && tags.length > 0) {
      throw new ValidationException(
        "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove " +
          'overwrite flag. ' +
          'To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.',
      );
    }
    checkTags(tags);
    // SSM encrypts on the caller's behalf, so a SecureString needs kms:Encrypt on its key, as in
    // AWS; that is decided before anything is written, an AWS-managed key made on first use included.
    const planned = keyReference(request, await findLatest(this.storage, ctx, name));
    if (planned !== null) await this.authorizeKey(ctx, 'kms:Encrypt', planned, name);

    let rejectedImage: { name: string; version: number } | undefined;
    const result = await withManagedKey(this.keyring, ctx, () =>
      this.storage.transaction(async (tx) => {
        rejectedImage = undefined;
        // Both spellings of a one-level name share one lock.
        await tx.lockParameter(ctx, canonicalName(name));
        const previous = await findLatest(tx, ctx, name);
        if (ctx.expectedVersion !== undefined && (previous?.version ?? 0) !== ctx.expectedVersion)
          throw new ParameterVersionConflict(name, ctx.expectedVersion, previous?.version ?? 0);
        if (!previous && request.Type === undefined)
          throw new ValidationException('A parameter type is required when you create a parameter.');
        if (previous && request.Overwrite !== true) throw new ParameterAlreadyExists();
        const type = request.Type ?? previous!.type;
        if (request.KeyId !== undefined && type !== 'SecureString')
          throw new ValidationException('KeyId can be specified only for parameters of type SecureString.');
        // A concurrent write changed the parameter's type or key since it was authorized.
        const keyRef = keyReference(request, previous);
        if (keyRef !== planned) throw new TooManyUpdates();
        const storedName = previous?.name ?? canonicalName(name);
        const dataType = request.DataType ?? previous?.dataType ?? 'text';
        checkDataType(dataType, type);
        const allowedPattern = request.AllowedPattern ?? previous?.allowedPattern ?? undefined;
        checkAllowedPattern(allowedPattern, value);
        const policies = storedPolicies(request.Policies, previous?.policies);
        const tier = resolveTier(request.Tier, previous?.tier, Buffer.byteLength(value), policies !== null);
        const version = (previous?.version ?? 0) + 1;
        // AWS answers success and validates an AMI id afterwards; one that fails is neither created nor updated.
        if (dataType === 'aws:ec2:image' && !isImageId(value)) {
          rejectedImage = { name: storedName, version };
          return { Version: version, Tier: tier };
        }
        // Every check passed: only now may the AWS-managed key be made, if this is its first use.
        const key = await this.writeKey(ctx, keyRef ?? DEFAULT_SSM_KEY_ALIAS);
        if (previous) await this.makeRoomForVersion(tx, ctx, storedName);
        const row: ParameterVersionRow = {
          name: storedName,
          version,
          type,
          keyId: keyRef,
          tier,
          dataType,
          description: request.Description ?? previous?.description ?? null,
          allowedPattern: allowedPattern ?? null,
          policies,
          value: this.barrier.seal(value, key.keyId, valueContext(ctx, storedName, version)),
          lastModifiedDate: Date.now(),
          lastModifiedUser: ctx.principalArn,
        };
        await tx.insertVersion(ctx, row);
        await tx.setLatestVersion(ctx, storedName, version);
        for (const tag of tags)
          await tx.putTag(ctx, 'Parameter', { resourceId: storedName, key: tag.Key!, value: tag.Value! });
        await this.followUps.written(tx, ctx, row);
        await this.noteChange(tx, ctx, storedName, version, 'PutParameter');
        return { Version: version, Tier: tier };
      }),
    );
    if (rejectedImage) await this.followUps.imageRejected(ctx, rejectedImage.name, rejectedImage.version);
    return result;
  }

  async deleteParameter(
    ctx: RequestContext,
    request: DeleteParameterRequest,
    operation = 'DeleteParameter',
  ): Promise<DeleteParameterResult> {
    const name = nameFromArn(ctx, requiredName(request.Name));
    checkNameForChange(ctx, name);
    const deleted = await this.storage.transaction(async (tx) => {
      await tx.lockParameter(ctx, canonicalName(name));
      const latest = await findLatest(tx, ctx, name);
      if (latest === undefined || !(await tx.deleteParameter(ctx, latest.name))) return false;
      await this.followUps.deleted(tx, ctx, latest.name);
      await this.noteChange(tx, ctx, latest.name, latest.version, operation);
      return true;
    });
    if (!deleted) throw new ParameterNotFound(name);
    return {};
  }

  async deleteParameters(ctx: RequestContext, request: DeleteParametersRequest): Promise<DeleteParametersResult> {
    checkNameList(request.Names, 'names');
    // A reserved name refuses the whole call before any parameter is deleted.
    for (const reference of request.Names) {
      const name = reservedCandidate(ctx, reference);
      if (name !== undefined) checkNotReserved(name);
    }
    const deleted: string[] = [];
    const invalid: string[] = [];
    for (const reference of new Set(request.Names)) {
      try {
        await this.deleteParameter(ctx, { Name: reference }, 'DeleteParameters');
        deleted.push(reference);
      } catch (error) {
        if (!(error instanceof ParameterNotFound || error instanceof ValidationException)) throw error;
        invalid.push(reference);
      }
    }
    return { DeletedParameters: deleted, InvalidParameters: invalid };
  }

  async labelParameterVersion(
    ctx: RequestContext,
    request: LabelParameterVersionRequest,
  ): Promise<LabelParameterVersionResult> {
    const name = nameFromArn(ctx, requiredName(request.Name));
    checkNameForChange(ctx, name);
    const labels = request.Labels;
    checkLabelList(labels);
    return this.storage.transaction(async (tx) => {
      await tx.lockParameter(ctx, canonicalName(name));
      const latest = await findLatest(tx, ctx, name);
      if (!latest) throw new ParameterNotFound(name);
      const version = request.ParameterVersion ?? latest.version;
      if (!(await tx.getVersion(ctx, latest.name, version))) throw new ParameterVersionNotFound(name, version);
      const existing = await tx.listLabels(ctx, latest.name);
      const valid = [...new Set(labels.filter(isValidLabel))];
      const onVersion = new Set(existing.filter((l) => l.version === version).map((l) => l.label));
      const added = valid.filter((l) => !onVersion.has(l));
      if (onVersion.size + added.length > MAX_LABELS_PER_VERSION) throw new ParameterVersionLabelLimitExceeded();
      // Attaching a label moves it from whichever version held it.
      for (const label of added) await tx.putLabel(ctx, latest.name, label, version);
      if (added.length > 0) await this.noteChange(tx, ctx, latest.name, version, 'LabelParameterVersion');
      return { InvalidLabels: labels.filter((l) => !isValidLabel(l)), ParameterVersion: version };
    });
  }

  async unlabelParameterVersion(
    ctx: RequestContext,
    request: UnlabelParameterVersionRequest,
  ): Promise<UnlabelParameterVersionResult> {
    const name = nameFromArn(ctx, requiredName(request.Name));
    checkNameForChange(ctx, name);
    const version = request.ParameterVersion;
    if (typeof version !== 'number')
      throw ValidationException.of(constraintFailure('parameterVersion', null, 'Member must not be null'));
    const labels = request.Labels;
    checkLabelList(labels);
    return this.storage.transaction(async (tx) => {
      await tx.lockParameter(ctx, canonicalName(name));
      const latest = await findLatest(tx, ctx, name);
      if (!latest) throw new ParameterNotFound(name);
      if (!(await tx.getVersion(ctx, latest.name, version))) throw new ParameterVersionNotFound(name, version);
      const onVersion = new Set(
        (await tx.listLabels(ctx, latest.name)).filter((l) => l.version === version).map((l) => l.label),
      );
      const removed = [...new Set(labels)].filter((l) => onVersion.has(l));
      for (const label of removed) await tx.deleteLabel(ctx, latest.name, label);
      if (removed.length > 0) await this.noteChange(tx, ctx, latest.name, version, 'UnlabelParameterVersion');
      return { RemovedLabels: removed, InvalidLabels: labels.filter((l) => !onVersion.has(l)) };
    });
  }

  async addTagsToResource(ctx: RequestContext, request: AddTagsToResourceRequest): Promise<AddTagsToResourceResult> {
    const tags: Tag[] = request.Tags ?? [];
    if (tags.length === 0) throw ValidationException.of(constraintFailure('tags', null, 'Member must not be null'));
    checkTags(tags);
    await this.storage.transaction(async (tx) => {
      const name = await this.taggedParameter(tx, ctx, request.ResourceType, request.ResourceId, true);
      const current = new Set((await tx.listTags(ctx, 'Parameter', [name])).map((t) => t.key));
      for (const tag of tags) current.add(tag.Key!);
      if (current.size > MAX_TAGS_PER_RESOURCE) throw new TooManyTagsError();
      for (const tag of tags) await tx.putTag(ctx, 'Parameter', { resourceId: name, key: tag.Key!, value: tag.Value! });
    });
    return {};
  }

  async removeTagsFromResource(
    ctx: RequestContext,
    request: RemoveTagsFromResourceRequest,
  ): Promise<RemoveTagsFromResourceResult> {
    const keys = request.TagKeys;
    if (!keys || keys.length === 0)
      throw ValidationException.of(constraintFailure('tagKeys', null, 'Member must not be null'));
    await this.storage.transaction(async (tx) => {
      const name = await this.taggedParameter(tx, ctx, request.ResourceType, request.ResourceId, true);
      for (const key of keys) await tx.deleteTag(ctx, 'Parameter', name, key);
    });
    return {};
  }

  async listTagsForResource(
    ctx: RequestContext,
    request: ListTagsForResourceRequest,
  ): Promise<ListTagsForResourceResult> {
    const name = await this.taggedParameter(this.storage, ctx, request.ResourceType, request.ResourceId);
    return {
      TagList: (await this.storage.listTags(ctx, 'Parameter', [name])).map((t) => ({ Key: t.key, Value: t.value })),
    };
  }

  /**
   * Tells the change feed, in `tx`, that `name` changed (its value, its labels, or its existence),
   * by its canonical name whichever spelling it is stored under.
   */
  private noteChange(tx: StorageWriter, scope: Scope, name: string, version: number, operation: string): Promise<void> {
    const shown = canonicalName(name);
    return noteChange(tx, scope, {
      kind: 'parameter',
      name: shown,
      arn: parameterArn(scope, shown),
      version,
      operation,
    });
  }

  /**
   * The stored name of the parameter a tagging request names (in either spelling, or by ARN);
   * only parameters are modelled. Changing tags on a reserved name is refused as AWS does.
   */
  private async taggedParameter(
    reader: Storage | StorageWriter,
    ctx: RequestContext,
    type: string | undefined,
    id: string | undefined,
    write = false,
  ): Promise<string> {
    if (typeof type !== 'string' || !RESOURCE_TYPES.includes(type)) throw new InvalidResourceType();
    if (type !== 'Parameter' || typeof id !== 'string') throw new InvalidResourceId();
    const name = nameFromArn(ctx, id);
    if (write) checkNotReserved(name);
    const latest = await findLatest(reader, ctx, name);
    if (!latest) throw new InvalidResourceId();
    return latest.name;
  }

  /** Drops the oldest version when 100 are kept, unless a label holds it. */
  private async makeRoomForVersion(tx: StorageWriter, scope: Scope, name: string): Promise<void> {
    const { count, oldest } = await tx.versionSpan(scope, name);
    if (count < MAX_VERSIONS) return;
    // The oldest row itself is read, its MAC checked, before it goes: a row changed or forged
    // outside Coffer is reported (TAMPERED_ROW), never deleted quietly nor left to stop pruning.
    const row = oldest === undefined ? undefined : await tx.getVersion(scope, name, oldest);
    if (!row) throw new TamperedRowError('ssm_parameter_versions', `${name} version ${String(oldest)}`);
    if ((await tx.listLabels(scope, name)).some((l) => l.version === row.version)) {
      throw new ParameterMaxVersionLimitExceeded(name, row.version);
    }
    await tx.deleteVersion(scope, name, row.version);
  }

  /** kms:Encrypt / kms:Decrypt on a key, asked of KMS on the caller's behalf (through the key's policy). */
  private async authorizeKey(
    ctx: RequestContext,
    action: 'kms:Encrypt',
    reference: string,
    name: string,
  ): Promise<void> {
    if (!ctx.authorize) return;
    const context = KeyAccess.viaService(ctx, 'ssm', {
      'kms:EncryptionContext:PARAMETER_ARN': parameterArn(ctx, name),
    });
    await ctx.authorize([await this.keys.onReference(ctx, action, reference, DEFAULT_SSM_KEY_ALIAS, context)]);
  }

  /** The key a write seals under, without creating it (ManagedKeyNeeded when aws/ssm must be made first). */
  private async writeKey(scope: Scope, reference: string): Promise<KeyInfo> {
    try {
      return await keyForWrite(this.keyring, scope, reference, DEFAULT_SSM_KEY_ALIAS);
    } catch (error) {
      if (error instanceof CryptoError && error.code !== 'InvalidCiphertextException')
        throw new InvalidKeyId(error.message);
      throw error;
    }
  }
}
