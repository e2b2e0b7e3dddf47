/**
 * The IAM permissions each Secrets Manager action needs: `secretsmanager:<Action>` on the
 * secret's ARN (`*` for ListSecrets, GetRandomPassword and BatchGetSecretValue, whose secrets
 * are then authorized one by one), with secretsmanager:SecretId, secretsmanager:Name
 * (CreateSecret), secretsmanager:VersionStage / VersionId (GetSecretValue), aws:RequestTag/*,
 * aws:TagKeys, the secret's tags for aws:ResourceTag/*, and its resource policy. `onSecret` is
 * the one way a permission on a secret is built: the API, BatchGetSecretValue, the Parameter
 * Store bridge and rotation all use it, so none can skip the secret's policy or tags.
 */
import { requestTagKeys, type ConditionValues, type Permission, type RequestContext } from '../request-context.js';
import { functionReferenceArn } from '../rotation/rotation-functions.js';
import { pendingSecretArn } from './secret-names.js';
import type { SecretRecords } from './secret-records.js';

type Input = Record<string, unknown>;

function requestTags(input: Input): Record<string, string | string[]> {
  return {
    ...requestTagKeys(input.Tags),
    ...(Array.isArray(input.TagKeys) ? { 'aws:TagKeys': input.TagKeys.map(String) } : {}),
  };
}

/** secretsmanager:AddReplicaRegions (the Regions asked for) and secretsmanager:ForceOverwriteReplicaSecret. */
function replicaConditions(input: Input): Record<string, string | string[]> {
  if (!Array.isArray(input.AddReplicaRegions)) return {};
  return {
    'secretsmanager:AddReplicaRegions': input.AddReplicaRegions.map((r: { Region?: unknown }) => String(r?.Region)),
    ...(typeof input.ForceOverwriteReplicaSecret === 'boolean'
      ? { 'secretsmanager:ForceOverwriteReplicaSecret': String(input.ForceOverwriteReplicaSecret) }
      : {}),
  };
}

/** Maps Secrets Manager actions to permissions. */
export class SecretsPermissions {
  constructor(private readonly records: SecretRecords) {}

  async permissionsFor(ctx: RequestContext, action: string, input: Input): Promise<Permission[]> {
    const iamAction = `secretsmanager:${action}`;
    if (
      action === 'ListSecrets' ||
      action === 'GetRandomPassword' ||
      action === 'BatchGetSecretValue' ||
      (action === 'ValidateResourcePolicy' && input.SecretId === undefined)
    ) {
      return [{ action: iamAction, resource: '*' }];
    }
    if (action === 'CreateSecret') {
      const name = String(input.Name);
      const arn = pendingSecretArn(ctx, name);
      const context = { 'secretsmanager:Name': name, ...requestTags(input), ...replicaConditions(input) };
      const create: Permission = { action: iamAction, resource: arn, shown: name, context };
      // As in AWS: creating a secret with replicas also needs secretsmanager:ReplicateSecretToRegions.
      if (input.AddReplicaRegions === undefined) return [create];
      return [create, { ...create, action: 'secretsmanager:ReplicateSecretToRegions' }];
    }
    const context: Record<string, string | string[]> = { ...requestTags(input), ...replicaConditions(input) };
    if (typeof input.VersionStage === 'string') context['secretsmanager:VersionStage'] = input.VersionStage;
    if (typeof input.VersionId === 'string') context['secretsmanager:VersionId'] = input.VersionId;
    if (typeof input.RotationLambdaARN === 'string')
      context['secretsmanager:RotationLambdaARN'] = input.RotationLambdaARN;
    const onSecret = await this.onSecret(ctx, iamAction, input.SecretId, context);
    if (action === 'RotateSecret' && typeof input.RotationLambdaARN === 'string') {
      // As in AWS: setting a rotation function needs the right to invoke it.
      const fn = functionReferenceArn(ctx, input.RotationLambdaARN);
      return [onSecret, { action: 'lambda:InvokeFunction', resource: fn, shown: fn }];
    }
    return [onSecret];
  }

  /**
   * A permission on the secret a SecretId names (name, full or partial ARN), with its tags and
   * resource policy. One row is read, and nothing written: a secret past its recovery window
   * still has its row until the sweeper purges it, and its policy still applies until then.
   */
  async onSecret(
    ctx: RequestContext,
    action: string,
    secretId: unknown,
    context: ConditionValues = {},
  ): Promise<Permission> {
    const shown = String(secretId);
    // GetSecretValue's read reuses what its authorization read (one query per request).
    const record =
      action === 'secretsmanager:GetSecretValue'
        ? await this.records.findForRead(ctx, secretId)
        : await this.records.findRow(this.records.storage, ctx, secretId);
    const resource = record?.row.arn ?? pendingSecretArn(ctx, shown);
    const permission: Permission = {
      action,
      resource,
      shown,
      context: { 'secretsmanager:SecretId': resource, ...context },
    };
    if (!record) return permission;
    return {
      ...permission,
      resourceTags: async () =>
        Object.fromEntries(
          (await this.records.tags(this.records.storage, ctx, record.row.name)).map((t) => [t.Key!, t.Value!]),
        ),
      resourcePolicy: async () =>
        record.attributes.policy === undefined
          ? undefined
          : {
              document: record.attributes.policy,
              effect: 'grants',
              ...(record.attributes.policyPrincipals ? { principals: record.attributes.policyPrincipals } : {}),
            },
    };
  }
}
