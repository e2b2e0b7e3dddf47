/**
 * The IAM permissions each Secrets Manager action needs: `secretsmanager:<Action>` on the
 * secret's ARN (`*` for ListSecrets, GetRandomPassword and BatchGetSecretValue, whose secrets
 * are authorized one by one), with secretsmanager:SecretId, secretsmanager:Name (CreateSecret),
 * secretsmanager:VersionStage / VersionId (GetSecretValue), aws:RequestTag/*, aws:TagKeys, the
 * secret's tags for aws:ResourceTag/*, and its resource policy.
 */
import { requestTagKeys, type ConditionValues, type Permission, type RequestContext } from '../request-context.js';
import { pendingSecretArn } from './secret-names.js';
import type { SecretRecord, SecretRecords } from './secret-records.js';

type Input = Record<string, unknown>;

function requestTags(input: Input): Record<string, string | string[]> {
  return { ...requestTagKeys(input.Tags), ...(Array.isArray(input.TagKeys) ? { 'aws:TagKeys': input.TagKeys.map(String) } : {}) };
}

/** Maps Secrets Manager actions to permissions. */
export class SecretsPermissions {
  constructor(private readonly records: SecretRecords) {}

  async permissionsFor(ctx: RequestContext, action: string, input: Input): Promise<Permission[]> {
    const iamAction = `secretsmanager:${action}`;
    if (action === 'ListSecrets' || action === 'GetRandomPassword' || action === 'BatchGetSecretValue' || (action === 'ValidateResourcePolicy' && input.SecretId === undefined)) {
      return [{ action: iamAction, resource: '*' }];
    }
    if (action === 'CreateSecret') {
      const name = String(input.Name);
      return [{ action: iamAction, resource: pendingSecretArn(ctx, name), context: { 'secretsmanager:Name': name, ...requestTags(input) } }];
    }
    // One row read: the action itself loads versions and labels after authorization.
    const record = await this.records.findRow(this.records.storage, ctx, input.SecretId);
    const resource = record?.row.arn ?? pendingSecretArn(ctx, String(input.SecretId));
    const context: Record<string, string | string[]> = { 'secretsmanager:SecretId': resource, ...requestTags(input) };
    if (typeof input.VersionStage === 'string') context['secretsmanager:VersionStage'] = input.VersionStage;
    if (typeof input.VersionId === 'string') context['secretsmanager:VersionId'] = input.VersionId;
    if (typeof input.RotationLambdaARN === 'string') context['secretsmanager:RotationLambdaARN'] = input.RotationLambdaARN;
    return [this.on(ctx, iamAction, resource, context, record)];
  }

  /** A permission on one secret, with its tags and resource policy fetched on demand. */
  on(ctx: RequestContext, action: string, resource: string, context: ConditionValues, record: Pick<SecretRecord, 'row' | 'attributes'> | undefined): Permission {
    return {
      action, resource, context,
      ...(record ? {
        resourceTags: async () => Object.fromEntries((await this.records.tags(this.records.storage, ctx, record.row.name)).map((t) => [t.Key!, t.Value!])),
        resourcePolicy: async () => record.attributes.policy,
      } : {}),
    };
  }
}
