/**
 * The Parameter Store bridge: GetParameter(s) on `/aws/reference/secretsmanager/<secret-id>`
 * returns the secret's current value, as AWS does, with the secret's own permissions applied
 * (secretsmanager:GetSecretValue on the secret, including its resource policy) on top of the
 * ssm:GetParameter the request already needed.
 */
import type { Parameter } from '@aws-sdk/client-ssm';
import type { RequestContext } from '../request-context.js';
import { ServiceError } from '../service-error.js';
import type { SecretStore } from './secret-store.js';
import type { SecretsPermissions } from './secrets-permissions.js';
import { pendingSecretArn } from './secret-names.js';
import { describeShape } from './secret-shapes.js';

const PREFIX = '/aws/reference/secretsmanager/';

export function secretReference(store: SecretStore, permissions: SecretsPermissions) {
  return async (ctx: RequestContext, secretId: string, withDecryption: boolean): Promise<Parameter> => {
    if (!withDecryption) {
      throw new ServiceError('ValidationException', 'WithDecryption flag must be True for retrieving a Secret Manager secret.');
    }
    let record;
    try {
      record = await store.records.resolve(store.records.storage, ctx, secretId);
    } catch (error) {
      if (!(error instanceof ServiceError && error.code === 'ResourceNotFoundException')) throw error;
    }
    // Authorized before the caller learns whether the secret exists; a missing one is ParameterNotFound, as in AWS.
    const arn = record?.row.arn ?? pendingSecretArn(ctx, secretId);
    await ctx.authorize?.([permissions.on(ctx, 'secretsmanager:GetSecretValue', arn, { 'secretsmanager:SecretId': arn }, record)]);
    if (!record) throw new ServiceError('ParameterNotFound', `Parameter ${PREFIX}${secretId} not found.`);
    const value = await store.getSecretValue(ctx, { SecretId: record.row.arn });
    const tags = await store.records.tags(store.records.storage, ctx, record.row.name);
    return {
      Name: `${PREFIX}${secretId}`, Type: 'SecureString',
      Value: value.SecretString ?? (typeof value.SecretBinary === 'string' ? value.SecretBinary : ''),
      Version: 0, SourceResult: JSON.stringify(describeShape(record, tags)), LastModifiedDate: value.CreatedDate,
      ARN: record.row.arn, DataType: 'text',
    };
  };
}
