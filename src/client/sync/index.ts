/**
 * Sync and migration between stores (`coffer sync`, `coffer diff`): plan, apply with retries,
 * verify by keyed hash. Imports nothing of the server. See docs/client.md, "Sync and migration".
 */
export type { SyncCapabilities, SyncEntry, SyncStore, Unsupported } from './sync-entry.js';
export {
  countActions,
  planDiffers,
  planFromEntries,
  planSync,
  type PlanOptions,
  type PlannedChange,
  type SyncAction,
  type SyncPlan,
} from './sync-plan.js';
export {
  applyPlan,
  keyedHash,
  pendingChanges,
  verifySync,
  type ApplyOptions,
  type SyncFailure,
  type SyncOutcome,
  type VerifyResult,
} from './sync-apply.js';
export { SsmSyncStore, type SsmSyncOperations } from './ssm-sync-store.js';
export { SecretsSyncStore, type SecretsSyncOperations, type SecretValueResult } from './secrets-sync-store.js';
export { FileSyncStore } from './file-sync-store.js';
export { DirectorySyncStore } from './directory-sync-store.js';
export { ProfileSyncStore } from './profile-sync-store.js';
export { parseSyncUrl, syncStoreFromUrl, type SyncServices, type SyncUrl } from './sync-store-url.js';
export { secretsClientFor, secretsOperations, ssmClientFor, ssmOperations, type SdkTarget } from './sdk-operations.js';
