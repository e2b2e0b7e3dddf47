/**
 * The TrentService (KMS) JSON 1.1 operation table. Blobs travel as base64 strings.
 */
import type { KeyManagement } from '../../engine/kms/key-management.js';
import type { KmsPermissions } from '../../engine/kms/kms-permissions.js';
import { handler as op, serviceFromModel, type ApiService, type ServiceOperation } from '../api-service.js';
import { kmsModel } from '../models/kms.js';

/** The KMS service. */
export function kmsService(kms: KeyManagement, permissions: KmsPermissions): ApiService {
  const operations = new Map<string, ServiceOperation>([
    ['CreateKey', op((c, i) => kms.createKey(c, i))],
    ['DescribeKey', op((c, i) => kms.describeKey(c, i))],
    ['ListKeys', op((c) => kms.listKeys(c))],
    ['CreateAlias', op((c, i) => kms.createAlias(c, i))],
    ['DeleteAlias', op((c, i) => kms.deleteAlias(c, i))],
    ['ListAliases', op((c, i) => kms.listAliases(c, i))],
    ['EnableKeyRotation', op((c, i) => kms.enableKeyRotation(c, i))],
    ['DisableKeyRotation', op((c, i) => kms.disableKeyRotation(c, i))],
    ['GetKeyRotationStatus', op((c, i) => kms.getKeyRotationStatus(c, i))],
    ['EnableKey', op((c, i) => kms.enableKey(c, i))],
    ['DisableKey', op((c, i) => kms.disableKey(c, i))],
    ['ScheduleKeyDeletion', op((c, i) => kms.scheduleKeyDeletion(c, i))],
    ['CancelKeyDeletion', op((c, i) => kms.cancelKeyDeletion(c, i))],
    ['Encrypt', op((c, i) => kms.encrypt(c, i))],
    ['Decrypt', op((c, i) => kms.decrypt(c, i))],
    ['GenerateDataKey', op((c, i) => kms.generateDataKey(c, i))],
    ['PutKeyPolicy', op((c, i) => kms.putKeyPolicy(c, i))],
    ['GetKeyPolicy', op((c, i) => kms.getKeyPolicy(c, i))],
    ['ListKeyPolicies', op((c, i) => kms.listKeyPolicies(c, i))],
    ['TagResource', op((c, i) => kms.tagResource(c, i))],
    ['UntagResource', op((c, i) => kms.untagResource(c, i))],
    ['ListResourceTags', op((c, i) => kms.listResourceTags(c, i))],
    ['GenerateRandom', op((c, i) => kms.generateRandom(c, i))],
  ]);
  return serviceFromModel(kmsModel, 'kms', operations, (ctx, action, input) =>
    permissions.permissionsFor(ctx, action, input),
  );
}
