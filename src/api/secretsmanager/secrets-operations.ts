/**
 * The Secrets Manager JSON 1.1 operation table (`X-Amz-Target: secretsmanager.<Action>`).
 * SecretBinary travels as base64 text.
 */
import type { RequestContext } from '../../engine/request-context.js';
import type { SecretListing } from '../../engine/secrets/secret-listing.js';
import type { SecretPolicies } from '../../engine/secrets/secret-policies.js';
import type { SecretStore } from '../../engine/secrets/secret-store.js';
import type { SecretsPermissions } from '../../engine/secrets/secrets-permissions.js';
import type { RotationService } from '../../engine/rotation/rotation-service.js';
import type { JsonService, ServiceOperation } from '../api-service.js';
import type { OperationShape } from '../json/json-shapes.js';

const ID = { SecretId: 'string' } as const;
const VALUE = { SecretString: 'string', SecretBinary: 'string', ClientRequestToken: 'string' } as const;

/** The Secrets Manager engines the table calls. */
export interface SecretsEngines {
  readonly store: SecretStore;
  readonly listing: SecretListing;
  readonly policies: SecretPolicies;
  readonly permissions: SecretsPermissions;
  readonly rotation: RotationService;
}

/** The Secrets Manager service. */
export function secretsService(sm: SecretsEngines): JsonService {
  const op = (shape: OperationShape, call: (ctx: RequestContext, input: never) => Promise<object>): ServiceOperation =>
    ({ shape, handle: (ctx, input) => call(ctx, input as never) });
  const { store, listing, policies, rotation } = sm;
  const operations = new Map<string, ServiceOperation>([
    ['CreateSecret', op({ Name: 'string', Description: 'string', KmsKeyId: 'string', Tags: 'tags', ForceOverwriteReplicaSecret: 'boolean', ...VALUE },
      (c, i) => store.createSecret(c, i))],
    ['GetSecretValue', op({ ...ID, VersionId: 'string', VersionStage: 'string' }, (c, i) => store.getSecretValue(c, i))],
    ['BatchGetSecretValue', op({ SecretIdList: 'string[]', Filters: 'legacy-filters', MaxResults: 'integer', NextToken: 'string' },
      (c, i) => listing.batchGetSecretValue(c, i))],
    ['PutSecretValue', op({ ...ID, ...VALUE, VersionStages: 'string[]' }, (c, i) => store.putSecretValue(c, i))],
    ['UpdateSecret', op({ ...ID, ...VALUE, Description: 'string', KmsKeyId: 'string' }, (c, i) => store.updateSecret(c, i))],
    ['DescribeSecret', op(ID, (c, i) => store.describeSecret(c, i))],
    ['ListSecrets', op({ MaxResults: 'integer', NextToken: 'string', Filters: 'legacy-filters', SortOrder: 'string', SortBy: 'string', IncludePlannedDeletion: 'boolean' },
      (c, i) => listing.listSecrets(c, i))],
    ['ListSecretVersionIds', op({ ...ID, MaxResults: 'integer', NextToken: 'string', IncludeDeprecated: 'boolean' }, (c, i) => store.listSecretVersionIds(c, i))],
    ['UpdateSecretVersionStage', op({ ...ID, VersionStage: 'string', RemoveFromVersionId: 'string', MoveToVersionId: 'string' },
      (c, i) => store.updateSecretVersionStage(c, i))],
    ['DeleteSecret', op({ ...ID, RecoveryWindowInDays: 'integer', ForceDeleteWithoutRecovery: 'boolean' }, (c, i) => store.deleteSecret(c, i))],
    ['RestoreSecret', op(ID, (c, i) => store.restoreSecret(c, i))],
    ['TagResource', op({ ...ID, Tags: 'tags' }, (c, i) => store.tagResource(c, i))],
    ['UntagResource', op({ ...ID, TagKeys: 'string[]' }, (c, i) => store.untagResource(c, i))],
    ['GetRandomPassword', op({ PasswordLength: 'integer', ExcludeCharacters: 'string', ExcludeNumbers: 'boolean', ExcludePunctuation: 'boolean',
      ExcludeUppercase: 'boolean', ExcludeLowercase: 'boolean', IncludeSpace: 'boolean', RequireEachIncludedType: 'boolean' }, (c, i) => policies.getRandomPassword(c, i))],
    ['PutResourcePolicy', op({ ...ID, ResourcePolicy: 'string', BlockPublicPolicy: 'boolean' }, (c, i) => policies.putResourcePolicy(c, i))],
    ['GetResourcePolicy', op(ID, (c, i) => policies.getResourcePolicy(c, i))],
    ['DeleteResourcePolicy', op(ID, (c, i) => policies.deleteResourcePolicy(c, i))],
    ['ValidateResourcePolicy', op({ ...ID, ResourcePolicy: 'string' }, (c, i) => policies.validateResourcePolicy(c, i))],
    ['RotateSecret', op({ ...ID, ClientRequestToken: 'string', RotationLambdaARN: 'string', RotationRules: 'structure', RotateImmediately: 'boolean' },
      (c, i) => rotation.rotateSecret(c, i))],
    ['CancelRotateSecret', op(ID, (c, i) => rotation.cancelRotateSecret(c, i))],
  ]);
  return {
    name: 'secretsmanager', protocol: 'json', targetPrefix: 'secretsmanager', operations,
    permissionsFor: (ctx, action, input) => sm.permissions.permissionsFor(ctx, action, input),
  };
}
