/**
 * The client: reads parameters and secrets through a cache (value-cache.ts) from a provider
 * chain (the store, then any fallbacks, each behind retries and a circuit breaker of its own),
 * kept fresh by the server's change feed where there is one. Values stay in memory and are
 * never logged, put in an error or in an event.
 */
import { EventEmitter } from 'node:events';
import { authFailureAfterRefresh, isUnauthorized, plainValue } from './auth-failure.js';
import { parameterKey, pathKey, secretKey } from './cache-keys.js';
import { CofferClientError } from './client-error.js';
import type { ClientEvents, ClientStats } from './client-events.js';
import { resolveSettings, type ClientOptions } from './client-options.js';
import type { Clock } from './clock.js';
import {
  isSecretArn,
  nameSpellings,
  namesToInvalidate,
  normalizePath,
  parameterNameFromArn,
  secretNameCandidates,
  splitSelector,
} from './parameter-names.js';
import { buildProviderChain } from './provider-chain.js';
import type { ResilientProvider } from './resilient-provider.js';
import { applyTransform, type Transform, type Transformed } from './transforms.js';
import { ValueCache } from './value-cache.js';
import type { FeedSignal, FeedState, ParameterRecord, SecretRecord, ValueProvider } from './value-provider.js';

/** The options of a read given none (the hot path knows them by identity). */
const NO_OPTIONS = Object.freeze({});

/** How any read uses the cache. */
export interface CacheReadOptions {
  /** This read's max age (when it loads), instead of the client's. */
  maxAgeMs?: number;
  /** Skip the cache (a load already in flight is joined). */
  forceFetch?: boolean;
  /** Hears that this read was served an expired value, and why (the `stale` event is for every read). */
  onStale?: (code: string) => void;
}

/** Choices for reading one parameter. */
export interface ParameterReadOptions<T extends Transform | undefined = Transform | undefined>
  extends CacheReadOptions {
  /** Decrypt a SecureString (default true). */
  decrypt?: boolean;
  transform?: T;
}

/** Choices for reading every parameter under a path. */
export interface PathReadOptions<T extends Transform | undefined = Transform | undefined> extends CacheReadOptions {
  recursive?: boolean;
  decrypt?: boolean;
  transform?: T;
}

/** Choices for reading a secret. */
export interface SecretReadOptions<T extends Transform | undefined = Transform | undefined> extends CacheReadOptions {
  transform?: T;
  versionId?: string;
  versionStage?: string;
}

/** Choices for withRefreshOnAuthFailure. */
export interface AuthRefreshOptions {
  /** Whether an error from `fn` means the value was refused (default: an HTTP 401 in any usual shape). */
  isAuthFailure?: (error: unknown) => boolean;
  /** What `name` is; by default an ARN says, and anything else is a parameter. */
  kind?: 'parameter' | 'secret';
}

type CachedRecord = ParameterRecord | ParameterRecord[] | SecretRecord;
type SecretValue = string | Uint8Array;

/** One read, made once or again with forceFetch: its key, and the record and value it gives. */
interface RefreshableRead {
  key: string;
  name: string;
  read(forceFetch: boolean): Promise<ParameterRecord | SecretRecord>;
}

/** Reads parameters and secrets through a cache; see docs/client.md. */
export class CofferClient extends EventEmitter<ClientEvents> {
  /** The cache, for inspection; reads go through the methods. */
  readonly cache: ValueCache<CachedRecord>;
  private readonly provider: ValueProvider;
  private readonly primary: ResilientProvider;
  private readonly owned: ValueProvider[];
  private readonly changes: false | { prefix?: string };
  private readonly clock: Clock;
  private feedState: FeedState = 'off';
  private readonly forwardHit = (payload: { key: string; negative?: boolean }) => this.emit('hit', payload);
  private unsubscribe: (() => void) | undefined;
  private closed = false;

  constructor(options: ClientOptions = {}) {
    super();
    const settings = resolveSettings(options);
    this.clock = settings.clock;
    const chain = buildProviderChain(options, settings, {
      breaker: (notice) => this.emit('breaker', notice),
      fallback: (notice) => this.emit('fallback', notice),
    });
    this.provider = chain.provider;
    this.primary = chain.primary;
    this.owned = chain.owned;
    const changes = options.changes ?? chain.changesByDefault;
    this.changes = changes === false ? false : changes === true ? {} : changes;
    this.cache = new ValueCache<CachedRecord>({ ...settings });
    for (const event of ['miss', 'stale', 'refresh'] as const) {
      this.cache.on(event, (payload: ClientEvents[typeof event][0]) => this.emit(event, payload as never));
    }
    // Hits are the hot path: the cache tells of them only while someone listens here.
    const plain = this as EventEmitter;
    plain.on('newListener', (event: string) => {
      if (event === 'hit' && this.listenerCount('hit') === 0) this.cache.on('hit', this.forwardHit);
    });
    plain.on('removeListener', (event: string) => {
      if (event === 'hit' && this.listenerCount('hit') === 0) this.cache.off('hit', this.forwardHit);
    });
  }

  /** A parameter's value (decrypted), by name, `name:version`, `name:label` or ARN. */
  getParameter(name: string, options?: ParameterReadOptions<undefined>): Promise<string>;
  getParameter<T extends Transform>(name: string, options: ParameterReadOptions<T>): Promise<Transformed<T, string>>;
  getParameter(name: string, options: ParameterReadOptions = NO_OPTIONS): Promise<unknown> {
    // A fresh entry read plainly is answered without the cache's promise machinery.
    if (options === NO_OPTIONS && !this.closed && (this.changes === false || this.unsubscribe)) {
      const hit = this.cache.freshValue(parameterKey(name, true)) as ParameterRecord | undefined;
      if (hit !== undefined) return Promise.resolve(hit.Value);
    }
    return this.readParameterValue(name, options);
  }

  private async readParameterValue(name: string, options: ParameterReadOptions): Promise<unknown> {
    const record = await this.parameterRecord(name, options);
    return applyTransform(record.Value, options.transform, splitSelector(name).name);
  }

  /** Every parameter under `path` (all pages), by full name. */
  getParameters(path: string, options?: PathReadOptions<undefined>): Promise<Record<string, string>>;
  getParameters<T extends Transform>(
    path: string,
    options: PathReadOptions<T>,
  ): Promise<Record<string, Transformed<T, string>>>;
  async getParameters(path: string, options: PathReadOptions = {}): Promise<Record<string, unknown>> {
    const records = await this.parameterRecords(path, options);
    return Object.fromEntries(records.map((r) => [r.Name, applyTransform(r.Value, options.transform, r.Name)]));
  }

  /** A secret's value: its SecretString, or its SecretBinary as bytes. */
  getSecret(id: string, options?: SecretReadOptions<undefined>): Promise<SecretValue>;
  getSecret<T extends Transform>(id: string, options: SecretReadOptions<T>): Promise<Transformed<T, SecretValue>>;
  async getSecret(id: string, options: SecretReadOptions = {}): Promise<unknown> {
    const record = await this.secretRecord(id, options);
    return applyTransform(record.SecretString ?? record.SecretBinary ?? '', options.transform, record.Name || id);
  }

  /** A value by ARN: a Parameter Store ARN reads the parameter, a Secrets Manager ARN the secret. */
  getByArn(arn: string, options?: ParameterReadOptions<undefined> & SecretReadOptions<undefined>): Promise<SecretValue>;
  getByArn<T extends Transform>(
    arn: string,
    options: ParameterReadOptions<T> & SecretReadOptions<T>,
  ): Promise<Transformed<T, SecretValue>>;
  async getByArn(arn: string, options: ParameterReadOptions & SecretReadOptions = {}): Promise<unknown> {
    const parameter = parameterNameFromArn(arn);
    if (parameter !== undefined) return this.getParameter(parameter, options as ParameterReadOptions<Transform>);
    if (isSecretArn(arn)) return this.getSecret(arn, options as SecretReadOptions<Transform>);
    throw new CofferClientError('ValidationException', `${arn} is neither a Parameter Store nor a Secrets Manager ARN`);
  }

  /**
   * Calls `fn` with the value of `name`; if `fn` fails with an authentication failure, fetches the
   * value afresh once and calls `fn` again (seed 000). A second refusal raises
   * `AuthFailureAfterRefresh`; any other error of `fn` passes through unchanged.
   */
  async withRefreshOnAuthFailure<R>(
    name: string,
    fn: (value: string) => R | Promise<R>,
    options: AuthRefreshOptions = {},
  ): Promise<R> {
    const isAuthFailure = options.isAuthFailure ?? isUnauthorized;
    const read = this.refreshableRead(name, options.kind);
    const first = await read.read(false);
    try {
      return await fn(plainValue(first));
    } catch (error) {
      if (!isAuthFailure(error)) throw error;
    }
    // The refused value is dropped and fetched afresh, unless a concurrent caller already replaced it
    // (then its value is used) or is fetching it (then that load, begun after the drop, is joined).
    const current = this.cache.peek(read.key);
    if (current === first) this.invalidateNames(read.name);
    const second = await read.read(current === first || current === undefined);
    try {
      return await fn(plainValue(second));
    } catch (error) {
      if (isAuthFailure(error)) throw authFailureAfterRefresh(name, error);
      throw error;
    }
  }

  /** Forgets every cached entry of `name` (all selectors, variants and listings holding it), or everything. */
  invalidate(name?: string): void {
    if (name === undefined) this.cache.invalidateAll();
    else this.invalidateNames(name);
    this.emit('invalidate', name === undefined ? { reason: 'manual' } : { name, reason: 'manual' });
  }

  stats(): ClientStats {
    return { ...this.cache.stats(), breaker: this.primary.breaker.state, feed: this.feedState };
  }

  /** Stops the feed, forgets every value, and closes the providers the client made (not ones passed in). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.cache.invalidateAll();
    await Promise.all(this.owned.map((p) => p.close?.()));
    if (this.feedState !== 'off') this.onFeed({ type: 'state', state: 'off' });
  }

  /**
   * The parameter record (SSM's shape) a read gives, through the cache: what `coffer agent`
   * serves as is. The record is the cached object itself: read it, never change it.
   */
  async parameterRecord(reference: string, options: ParameterReadOptions = {}): Promise<ParameterRecord> {
    this.opening();
    const decrypt = options.decrypt ?? true;
    const name = splitSelector(reference).name;
    return (await this.cache.get(
      parameterKey(reference, decrypt),
      async (load) => {
        const record = await this.provider.getParameter(reference, { decrypt });
        load.dependsOn(record.Name);
        return record;
      },
      { ...cacheOptions(options), names: nameSpellings(name) },
    )) as ParameterRecord;
  }

  /** The records of every parameter under `path`, through the cache (the cached array: never change it). */
  async parameterRecords(path: string, options: PathReadOptions = {}): Promise<ParameterRecord[]> {
    this.opening();
    const recursive = options.recursive ?? false;
    const decrypt = options.decrypt ?? true;
    return (await this.cache.get(
      pathKey(path, recursive, decrypt),
      () => this.provider.getParametersByPath(path, { recursive, decrypt }),
      { ...cacheOptions(options), paths: [normalizePath(path)] },
    )) as ParameterRecord[];
  }

  /**
   * The secret record (GetSecretValue's shape) a read gives, through the cache; on a miss,
   * DescribeSecret runs alongside so the entry never outlives the next rotation. The cached
   * object itself: never change it.
   */
  async secretRecord(id: string, options: SecretReadOptions = {}): Promise<SecretRecord> {
    this.opening();
    const { versionId, versionStage } = options;
    return (await this.cache.get(
      secretKey(id, versionId, versionStage),
      async (load) => {
        // A version asked for by id never changes; anything else may move at the next rotation.
        const describing =
          versionId === undefined && this.provider.describeSecret
            ? this.provider.describeSecret(id).catch(() => undefined)
            : undefined;
        const [record, description] = await Promise.all([
          this.provider.getSecretValue(id, { versionId, versionStage }),
          describing,
        ]);
        load.dependsOn(record.ARN, record.Name);
        const next = description?.NextRotationDate?.getTime();
        // A rotation already overdue says nothing about when the value will change.
        if (next !== undefined && next > this.clock.now()) load.expireBy(next);
        return record;
      },
      { ...cacheOptions(options), names: [id, ...secretNameCandidates(id)] },
    )) as SecretRecord;
  }

  private refreshableRead(name: string, kind: 'parameter' | 'secret' | undefined): RefreshableRead {
    const parameter = parameterNameFromArn(name);
    const asSecret = kind === 'secret' || (kind === undefined && parameter === undefined && isSecretArn(name));
    if (asSecret) {
      return { key: secretKey(name), name, read: (forceFetch) => this.secretRecord(name, { forceFetch }) };
    }
    const reference = parameter ?? name;
    return {
      key: parameterKey(reference, true),
      name: splitSelector(reference).name,
      read: (forceFetch) => this.parameterRecord(reference, { forceFetch }),
    };
  }

  private invalidateNames(name: string): void {
    for (const n of namesToInvalidate(name)) this.cache.invalidateName(n);
  }

  /** Refuses reads after close, and starts the change feed with the first read. */
  private opening(): void {
    if (this.closed) throw new CofferClientError('ClientClosed', 'The client is closed');
    if (this.changes === false || this.unsubscribe) return;
    const subscribe = this.provider.subscribe?.bind(this.provider);
    this.unsubscribe = subscribe ? subscribe(this.changes.prefix, (s) => this.onFeed(s)) : () => {};
  }

  private onFeed(signal: FeedSignal): void {
    if (signal.type === 'state') {
      this.feedState = signal.state;
      this.emit(
        'feed',
        signal.code === undefined ? { state: signal.state } : { state: signal.state, code: signal.code },
      );
    } else if (signal.type === 'reset') {
      this.cache.invalidateAll();
      this.emit('invalidate', { reason: 'feed' });
    } else if (signal.type === 'live') {
      this.cache.expireAll();
    } else {
      const { name, arn } = signal.change;
      for (const n of nameSpellings(name)) this.cache.invalidateName(n);
      if (arn) this.cache.invalidateName(arn);
      this.emit('invalidate', { name, reason: 'feed' });
    }
  }
}

/** The cache's part of a read's options. */
function cacheOptions(options: CacheReadOptions): CacheReadOptions {
  return { maxAgeMs: options.maxAgeMs, forceFetch: options.forceFetch, onStale: options.onStale };
}
