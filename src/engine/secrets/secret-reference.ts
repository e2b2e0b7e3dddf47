/**
 * The Parameter Store bridge: GetParameter(s) on `/aws/reference/secretsmanager/<secret-id>`
 * (optionally `:<VersionId>` or `:<VersionStage>`) returns that version of the secret, as AWS
 * does, with the secret's own permissions applied (secretsmanager:GetSecretValue on the secret,
 * its resource policy and tags, through SecretsPermissions.onSecret) on top of the
 * ssm:GetParameter the request already needed on the whole reference name.
 */
import type { Parameter } from '@aws-sdk/client-ssm';
import type { RequestContext } from '../request-context.js';
import { ServiceError } from '../service-error.js';
import { ParameterNotFound } from '../ssm/errors.js';
import { SECRET_REFERENCE_PREFIX, type SecretReferenceName } from '../ssm/parameter-name.js';
import type { SecretStore } from './secret-store.js';
import type { SecretsPermissions } from './secrets-permissions.js';
import { describeShape } from './secret-shapes.js';

/** A selector is a VersionId when it names one of the secret's versions, else a staging label. */
function versionSelector(
  selector: string | undefined,
  versionIds: readonly string[],
): { VersionId?: string; VersionStage?: string } {
  if (selector === undefined) return {};
  return versionIds.includes(selector) ? { VersionId: selector } : { VersionStage: selector };
}

export function secretReference(store: SecretStore, permissions: SecretsPermissions) {
  return async (ctx: RequestContext, reference: SecretReferenceName, withDecryption: boolean): Promise<Parameter> => {
    const selector = reference.selector === undefined ? '' : `:${reference.selector}`;
    const name = `${SECRET_REFERENCE_PREFIX}${reference.secretId}${selector}`;
    if (!withDecryption) {
      throw new ServiceError(
        'ValidationException',
        'WithDecryption flag must be True for retrieving a Secret Manager secret.',
      );
    }
    // The selector is a VersionId if the secret has such a version, else a staging label: the same
    // condition keys GetSecretValue would give (secretsmanager:VersionId / VersionStage).
    const row = await store.records.findRow(store.records.storage, ctx, reference.secretId);
    const versionIds = row
      ? (await store.records.storage.listSecretVersions(ctx, row.row.name)).map((v) => v.versionId)
      : [];
    const selected = versionSelector(reference.selector, versionIds);
    const context: Record<string, string> = {
      ...(selected.VersionId !== undefined ? { 'secretsmanager:VersionId': selected.VersionId } : {}),
      ...(selected.VersionStage !== undefined ? { 'secretsmanager:VersionStage': selected.VersionStage } : {}),
    };
    // Authorized before the caller learns whether the secret exists; a missing one is ParameterNotFound, as in AWS.
    await ctx.authorize?.([
      await permissions.onSecret(ctx, 'secretsmanager:GetSecretValue', reference.secretId, context),
    ]);
    let record: Awaited<ReturnType<typeof store.records.resolve>>;
    try {
      record = await store.records.resolve(store.records.storage, ctx, reference.secretId);
    } catch (error) {
      if (error instanceof ServiceError && error.code === 'ResourceNotFoundException')
        throw ParameterNotFound.referencingSecret(name);
      throw error;
    }
    let value: Awaited<ReturnType<typeof store.getSecretValue>>;
    try {
      value = await store.getSecretValue(ctx, { SecretId: record.row.arn, ...selected });
    } catch (error) {
      if (error instanceof ServiceError && error.code === 'ResourceNotFoundException')
        throw new ServiceError(
          'ParameterVersionNotFound',
          `Systems Manager could not find version ${reference.selector} of ${name}.`,
        );
      throw error;
    }
    const tags = await store.records.tags(store.records.storage, ctx, record.row.name);
    return {
      Name: name,
      Type: 'SecureString',
      Value: value.SecretString ?? (typeof value.SecretBinary === 'string' ? value.SecretBinary : ''),
      Version: 0,
      SourceResult: JSON.stringify(describeShape(record, tags)),
      LastModifiedDate: value.CreatedDate,
      ARN: record.row.arn,
      DataType: 'text',
      ...(reference.selector !== undefined ? { Selector: `:${reference.selector}` } : {}),
    };
  };
}
