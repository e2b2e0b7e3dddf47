/**
 * Every method of the storage contract, by domain: the coverage check (storage-conformance.ts)
 * fails unless a case calls each one, and unless a transaction's rows have exactly these
 * methods. The types make the list complete: a method added to an interface and missing here
 * does not compile, and neither does a name that is not the contract's.
 */
import type { AuditWriter } from '../../../src/storage/audit-rows.js';
import type { AuditStorage } from '../../../src/storage/audit-storage.js';
import type { Storage, StorageReader, StorageWriter } from '../../../src/storage/storage.js';

/** The keys of `T` whose values are functions (properties such as `kind` are not methods). */
type MethodOf<T> = { [K in keyof T]-?: T[K] extends (...args: never[]) => unknown ? K : never }[keyof T] & string;

/** A method of a transaction's rows, or of the Storage itself. */
export type ContractMethod = MethodOf<StorageWriter> | Exclude<MethodOf<Storage>, keyof StorageReader>;

export const CONTRACT = {
  storage: [
    'useIntegrity',
    'schemaVersion',
    'migrate',
    'transaction',
    'useTransactionHook',
    'watchChanges',
    'close',
    'deleteAllParameters',
  ],
  meta: ['getMeta', 'insertMeta', 'putMeta'],
  parameters: [
    'lockParameter',
    'getLatestVersion',
    'getVersion',
    'listVersions',
    'versionSpan',
    'listLatest',
    'listLabels',
    'listTags',
    'insertVersion',
    'setLatestVersion',
    'deleteVersion',
    'deleteParameter',
    'putLabel',
    'deleteLabel',
    'putTag',
    'deleteTag',
  ],
  secrets: [
    'lockSecret',
    'getSecret',
    'getSecretRowSet',
    'listSecrets',
    'listSecretsToPurge',
    'listSecretVersions',
    'listSecretStages',
    'putSecret',
    'deleteSecret',
    'insertSecretVersion',
    'deleteSecretVersion',
    'putSecretStage',
    'deleteSecretStage',
  ],
  identity: [
    'getAccessKeyUse',
    'recordAccessKeyUses',
    'getAccessKey',
    'listAccessKeys',
    'listAccessKeyIds',
    'insertAccessKey',
    'deleteAccessKey',
    'setAccessKeyStatus',
    'getIamEntity',
    'findIamEntityFolded',
    'listIamEntities',
    'putIamEntity',
    'deleteIamEntity',
    'listIamDocuments',
    'putIamDocument',
    'deleteIamDocument',
    'listIamLinks',
    'putIamLink',
    'deleteIamLink',
  ],
  keys: [
    'listKeys',
    'listKeyMaterials',
    'listAliases',
    'insertKey',
    'setKeyAttributes',
    'setKeyCurrentMaterial',
    'insertKeyMaterial',
    'updateKeyMaterial',
    'insertAlias',
    'deleteAlias',
  ],
  rotation: [
    'getRotationFunction',
    'listRotationFunctions',
    'putRotationFunction',
    'deleteRotationFunction',
    'getRotationSchedule',
    'listDueRotations',
    'putRotationSchedule',
    'deleteRotationSchedule',
    'leaseRotation',
    'releaseRotation',
    'listRotationRuns',
    'putRotationRun',
  ],
  policyActions: [
    'listPolicyActions',
    'listDuePolicyActions',
    'replacePolicyActions',
    'leasePolicyAction',
    'releasePolicyAction',
  ],
  auditOutbox: ['listAuditOutbox', 'insertAuditOutbox', 'deleteAuditOutbox'],
  changes: ['listChanges', 'listChangesBySeq', 'changeBounds', 'appendChange', 'pruneChanges'],
} as const satisfies Record<string, readonly ContractMethod[]>;

type Listed = (typeof CONTRACT)[keyof typeof CONTRACT][number];
type Unlisted = Exclude<ContractMethod, Listed>;
// Does not compile while a method of the contract is missing above; the error names it.
const complete: [Unlisted] extends [never] ? true : Unlisted = true;
void complete;

/** The contract's methods, flat. */
export const CONTRACT_METHODS: readonly ContractMethod[] = Object.values(CONTRACT).flat();

/** The methods that belong to the Storage itself rather than to a transaction's rows. */
export const STORAGE_ONLY: readonly ContractMethod[] = [
  'useIntegrity',
  'schemaVersion',
  'migrate',
  'transaction',
  'useTransactionHook',
  'watchChanges',
  'close',
];

/** A method of an audit storage transaction's rows, or of the AuditStorage itself. */
export type AuditContractMethod = MethodOf<AuditWriter> | Exclude<MethodOf<AuditStorage>, MethodOf<AuditWriter>>;

export const AUDIT_CONTRACT = {
  storage: ['useIntegrity', 'migrate', 'transaction', 'sync', 'close'],
  events: ['head', 'listEvents', 'lockChain', 'insertEvent', 'lastEventBefore', 'deleteEventsThrough'],
  index: ['readActivity', 'listIndexRows', 'indexedThrough', 'setIndexedThrough', 'listUnindexed', 'insertIndexRows'],
  digests: ['listDigests', 'lastDigest', 'insertDigest'],
} as const satisfies Record<string, readonly AuditContractMethod[]>;

type AuditListed = (typeof AUDIT_CONTRACT)[keyof typeof AUDIT_CONTRACT][number];
type AuditUnlisted = Exclude<AuditContractMethod, AuditListed>;
const auditComplete: [AuditUnlisted] extends [never] ? true : AuditUnlisted = true;
void auditComplete;

export const AUDIT_CONTRACT_METHODS: readonly AuditContractMethod[] = Object.values(AUDIT_CONTRACT).flat();
export const AUDIT_STORAGE_ONLY: readonly AuditContractMethod[] = AUDIT_CONTRACT.storage;
