/**
 * `coffer/client`: the SDK for reading parameters and secrets from Coffer (or AWS, files or the
 * environment) with caching, retries, a circuit breaker and change-feed invalidation. See
 * docs/client.md. This entry point imports nothing of the server: no database driver is loaded.
 */
import { CofferClient } from './coffer-client.js';
import type { ClientOptions } from './client-options.js';

export { CofferClient } from './coffer-client.js';
export type {
  AuthRefreshOptions,
  CacheReadOptions,
  ParameterReadOptions,
  PathReadOptions,
  SecretReadOptions,
} from './coffer-client.js';
export type { ClientOptions, ProviderClientOptions, StoreClientOptions } from './client-options.js';
export type { ClientEvents, ClientStats } from './client-events.js';
export { CofferClientError, NEGATIVE_CODES, NOT_FOUND_CODES, isNegativeAnswer, isUnavailable } from './client-error.js';
export { ValueCache, DEFAULT_CACHE_SETTINGS } from './value-cache.js';
export type {
  CacheGetOptions,
  CacheLoader,
  CacheStats,
  LoadContext,
  ValueCacheEvents,
  ValueCacheSettings,
} from './value-cache.js';
export type {
  ChangeEvent,
  FeedSignal,
  FeedState,
  ParameterRecord,
  SecretDescription,
  SecretRecord,
  ValueProvider,
} from './value-provider.js';
export { AwsProvider, type AwsCredentials, type AwsProviderOptions } from './aws-provider.js';
export { FileProvider, type FileFormat } from './file-provider.js';
export { DirectoryProvider } from './directory-provider.js';
export { EnvironmentProvider, environmentName, type EnvironmentProviderOptions } from './environment-provider.js';
export { MemoryProvider } from './memory-provider.js';
export { LocalProvider } from './local-provider.js';
export type { LocalValue } from './local-records.js';
export { FallbackProvider, type FallbackNotice } from './fallback-provider.js';
export { ResilientProvider, type ResilienceSettings } from './resilient-provider.js';
export { providerFromStoreUrl, type StoreChoice, type StoreContext } from './store-url.js';
export { ChangeFeed, type ChangeFeedOptions, type FeedCredentials } from './change-feed.js';
export { CircuitBreaker, type BreakerSettings, type BreakerState } from './circuit-breaker.js';
export { RetryPolicy, type RetrySettings } from './retry-policy.js';
export type { Clock, Timers } from './clock.js';
export { applyTransform, type Transform, type Transformed } from './transforms.js';
export { NodeSha256 } from './node-sha256.js';
export {
  ADVANCED_LIMIT,
  EXPECTED_VERSION_HEADER,
  FileProfileBackend,
  PLACEHOLDERS,
  ParameterStoreProfileBackend,
  ProfileError,
  ProfileStore,
  REDACTED,
  SCHEMA_PROFILE,
  STANDARD_LIMIT,
  deepMerge,
  profiles,
  redactDocument,
  withExpectedVersion,
  type ParameterStoreBackendOptions,
  type ProfileBackend,
  type ProfileDocument,
  type ProfileErrorCode,
  type ProfileStoreKind,
  type ProfileVersion,
  type ProfilesOptions,
  type RawProfile,
  type StoredProfile,
  type WriteOptions,
  type WriteResult,
} from './profiles/index.js';
export * from './sync/index.js';

/** A client: `createClient({ endpoint, region, credentials, maxAgeMs })`, or `{ store: 'file:./secrets.json' }`. */
export function createClient(options: ClientOptions = {}): CofferClient {
  return new CofferClient(options);
}
