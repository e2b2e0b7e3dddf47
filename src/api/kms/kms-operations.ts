/**
 * The TrentService (KMS) JSON 1.1 operation table. Blobs travel as base64 strings.
 */
import type { KeyManagement } from '../../engine/kms/key-management.js';
import type { KmsPermissions } from '../../engine/kms/kms-permissions.js';
import type { RequestContext } from '../../engine/request-context.js';
import type { JsonService, ServiceOperation } from '../api-service.js';
import type { OperationShape } from '../json/json-shapes.js';

const KEY = { KeyId: 'string' } as const;
const CONTEXT = { EncryptionContext: 'string-map', GrantTokens: 'string[]', EncryptionAlgorithm: 'string' } as const;

/** The KMS service. */
export function kmsService(kms: KeyManagement, permissions: KmsPermissions): JsonService {
  const op = (shape: OperationShape, call: (ctx: RequestContext, input: never) => Promise<object>): ServiceOperation =>
    ({ shape, handle: (ctx, input) => call(ctx, input as never) });
  const operations = new Map<string, ServiceOperation>([
    ['CreateKey', op({ Description: 'string', KeyUsage: 'string', KeySpec: 'string', CustomerMasterKeySpec: 'string', Origin: 'string', Tags: 'tags' },
      (c, i) => kms.createKey(c, i))],
    ['DescribeKey', op(KEY, (c, i) => kms.describeKey(c, i))],
    ['ListKeys', op({ Limit: 'integer', Marker: 'string' }, (c) => kms.listKeys(c))],
    ['CreateAlias', op({ AliasName: 'string', TargetKeyId: 'string' }, (c, i) => kms.createAlias(c, i))],
    ['DeleteAlias', op({ AliasName: 'string' }, (c, i) => kms.deleteAlias(c, i))],
    ['ListAliases', op({ ...KEY, Limit: 'integer', Marker: 'string' }, (c, i) => kms.listAliases(c, i))],
    ['EnableKeyRotation', op({ ...KEY, RotationPeriodInDays: 'integer' }, (c, i) => kms.enableKeyRotation(c, i))],
    ['DisableKeyRotation', op(KEY, (c, i) => kms.disableKeyRotation(c, i))],
    ['GetKeyRotationStatus', op(KEY, (c, i) => kms.getKeyRotationStatus(c, i))],
    ['EnableKey', op(KEY, (c, i) => kms.enableKey(c, i))],
    ['DisableKey', op(KEY, (c, i) => kms.disableKey(c, i))],
    ['ScheduleKeyDeletion', op({ ...KEY, PendingWindowInDays: 'integer' }, (c, i) => kms.scheduleKeyDeletion(c, i))],
    ['CancelKeyDeletion', op(KEY, (c, i) => kms.cancelKeyDeletion(c, i))],
    ['Encrypt', op({ ...KEY, Plaintext: 'string', ...CONTEXT }, (c, i) => kms.encrypt(c, i))],
    ['Decrypt', op({ ...KEY, CiphertextBlob: 'string', ...CONTEXT }, (c, i) => kms.decrypt(c, i))],
    ['GenerateDataKey', op({ ...KEY, NumberOfBytes: 'integer', KeySpec: 'string', ...CONTEXT }, (c, i) => kms.generateDataKey(c, i))],
  ]);
  return { name: 'kms', protocol: 'json', targetPrefix: 'TrentService', operations, permissionsFor: (ctx, action, input) => permissions.permissionsFor(ctx, action, input) };
}
