/** Config profiles (seed 002): see profile-store.ts and docs/client.md, "Profiles". */
export {
  profiles,
  ProfileStore,
  SCHEMA_PROFILE,
  type ProfilesOptions,
  type RawProfile,
  type WriteOptions,
  type WriteResult,
} from './profile-store.js';
export { ProfileError, type ProfileErrorCode, type ProfileVersion } from './profile-error.js';
export { PLACEHOLDERS, REDACTED, deepMerge, redactDocument, type ProfileDocument } from './documents.js';
export type { ProfileBackend, ProfileStoreKind, StoredProfile } from './backend.js';
export { FileProfileBackend } from './file-backend.js';
export {
  ADVANCED_LIMIT,
  EXPECTED_VERSION_HEADER,
  ParameterStoreProfileBackend,
  STANDARD_LIMIT,
  withExpectedVersion,
  type ParameterStoreBackendOptions,
} from './parameter-store-backend.js';
