/**
 * The Secrets Manager JSON 1.1 operation table (`X-Amz-Target: secretsmanager.<Action>`).
 * SecretBinary travels as base64 text.
 */
import type { SecretListing } from '../../engine/secrets/secret-listing.js';
import type { SecretPolicies } from '../../engine/secrets/secret-policies.js';
import type { SecretStore } from '../../engine/secrets/secret-store.js';
import type { SecretsPermissions } from '../../engine/secrets/secrets-permissions.js';
import type { RotationService } from '../../engine/rotation/rotation-service.js';
import { handler as op, serviceFromModel, type ApiService, type ServiceOperation } from '../api-service.js';
import { secretsManagerModel } from '../models/secretsmanager.js';

/** The Secrets Manager engines the table calls. */
export interface SecretsEngines {
  readonly store: SecretStore;
  readonly listing: SecretListing;
  readonly policies: SecretPolicies;
  readonly permissions: SecretsPermissions;
  readonly rotation: RotationService;
}

/** The Secrets Manager service. */
export function secretsService(sm: SecretsEngines): ApiService {
  const { store, listing, policies, rotation } = sm;
  const operations = new Map<string, ServiceOperation>([
    ['CreateSecret', op((c, i) => store.createSecret(c, i))],
    ['GetSecretValue', op((c, i) => store.getSecretValue(c, i))],
    ['BatchGetSecretValue', op((c, i) => listing.batchGetSecretValue(c, i))],
    ['PutSecretValue', op((c, i) => store.putSecretValue(c, i))],
    ['UpdateSecret', op((c, i) => store.updateSecret(c, i))],
    ['DescribeSecret', op((c, i) => store.describeSecret(c, i))],
    ['ListSecrets', op((c, i) => listing.listSecrets(c, i))],
    ['ListSecretVersionIds', op((c, i) => store.listSecretVersionIds(c, i))],
    ['UpdateSecretVersionStage', op((c, i) => store.updateSecretVersionStage(c, i))],
    ['DeleteSecret', op((c, i) => store.deleteSecret(c, i))],
    ['RestoreSecret', op((c, i) => store.restoreSecret(c, i))],
    ['TagResource', op((c, i) => store.tagResource(c, i))],
    ['UntagResource', op((c, i) => store.untagResource(c, i))],
    ['GetRandomPassword', op((c, i) => policies.getRandomPassword(c, i))],
    ['PutResourcePolicy', op((c, i) => policies.putResourcePolicy(c, i))],
    ['GetResourcePolicy', op((c, i) => policies.getResourcePolicy(c, i))],
    ['DeleteResourcePolicy', op((c, i) => policies.deleteResourcePolicy(c, i))],
    ['ValidateResourcePolicy', op((c, i) => policies.validateResourcePolicy(c, i))],
    ['RotateSecret', op((c, i) => rotation.rotateSecret(c, i))],
    ['CancelRotateSecret', op((c, i) => rotation.cancelRotateSecret(c, i))],
    ['ReplicateSecretToRegions', op((c, i) => store.replication.replicateSecretToRegions(c, i))],
    ['RemoveRegionsFromReplication', op((c, i) => store.replication.removeRegionsFromReplication(c, i))],
    ['StopReplicationToReplica', op((c, i) => store.replication.stopReplicationToReplica(c, i))],
  ]);
  return serviceFromModel(secretsManagerModel, 'secretsmanager', operations, (ctx, action, input) =>
    sm.permissions.permissionsFor(ctx, action, input),
  );
}
