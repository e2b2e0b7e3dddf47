/**
 * Response shapes shared by several Secrets Manager actions, and tag checks.
 */
import type { DescribeSecretResponse, SecretListEntry, Tag } from '@aws-sdk/client-secrets-manager';
import { InvalidParameterException, SecretsValidationException } from './errors.js';
import { stagesByVersion, type SecretRecord } from './secret-records.js';

const date = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms));

/** DescribeSecret's answer (ListSecrets entries are the same with SecretVersionsToStages). */
export function describeShape(record: SecretRecord, tags: Tag[]): DescribeSecretResponse {
  const a = record.attributes;
  const rotation = a.rotation;
  const stages = stagesByVersion(record);
  const shape: DescribeSecretResponse = {
    ARN: record.row.arn,
    Name: record.row.name,
    Description: a.description,
    KmsKeyId: a.kmsKeyId,
    // Absent until rotation was first configured, as in AWS.
    RotationEnabled: rotation?.enabled,
    RotationLambdaARN: rotation?.lambdaArn,
    RotationRules: rotation?.rules,
    LastRotatedDate: date(rotation?.lastRotatedDate),
    LastChangedDate: date(a.lastChangedDate),
    LastAccessedDate: date(a.lastAccessedDate),
    DeletedDate: date(a.deletedDate),
    NextRotationDate: rotation?.enabled ? date(rotation.nextRotationDate) : undefined,
    // Absent while the secret never had a tag; `[]` once its last tag is removed, as in AWS.
    Tags: tags.length || a.tagged ? tags : undefined,
    VersionIdsToStages: Object.keys(stages).length ? stages : undefined,
    CreatedDate: new Date(record.row.createdAt),
  };
  return Object.fromEntries(Object.entries(shape).filter(([, v]) => v !== undefined)) as DescribeSecretResponse;
}

export function listEntryShape(record: SecretRecord, tags: Tag[]): SecretListEntry {
  const { VersionIdsToStages, ...rest } = describeShape(record, tags);
  return { ...rest, ...(VersionIdsToStages ? { SecretVersionsToStages: VersionIdsToStages } : {}) } as SecretListEntry;
}

/** Tags as Secrets Manager accepts them: at most 50, keys 1-128 and values up to 256 characters, no `aws:` keys. */
export function checkSecretTags(tags: unknown): Tag[] {
  if (tags === undefined) return [];
  if (!Array.isArray(tags))
    throw new SecretsValidationException(
      "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must be a list",
    );
  if (tags.length > 50) throw new InvalidParameterException("You can't attach more than 50 tags to a secret.");
  for (const tag of tags as Tag[]) {
    if (
      typeof tag?.Key !== 'string' ||
      tag.Key.length < 1 ||
      tag.Key.length > 128 ||
      typeof tag.Value !== 'string' ||
      tag.Value.length > 256
    ) {
      throw new SecretsValidationException(
        '1 validation error detected: Tag keys are 1-128 characters and values at most 256.',
      );
    }
    if (tag.Key.toLowerCase().startsWith('aws:'))
      throw new InvalidParameterException('Tag keys with the prefix aws: are reserved for AWS use.');
  }
  return tags as Tag[];
}
