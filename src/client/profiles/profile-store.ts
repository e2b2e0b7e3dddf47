/**
 * `profiles(app, options)`: qenvy-style config profiles (seed 002) over a file tree or Parameter
 * Store. A profile is a JSON object; `_inherits` names a parent (`base`, or across stores
 * `file:base` / `parameter-store:base`) that the child is deep-merged over; `_metadata` holds
 * `created` and `modified`. Secure fields (dotted paths) come from the options and from the
 * app's `_schema` profile; they drive redaction and the warnings a write returns.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AwsCredentials } from '../aws-provider.js';
import type { ProfileBackend, ProfileStoreKind, StoredProfile } from './backend.js';
import {
  deepMerge,
  isPlainObject,
  type ProfileDocument,
  redactDocument,
  secureFieldWarnings,
  toDocument,
} from './documents.js';
import { FileProfileBackend } from './file-backend.js';
import { ParameterStoreProfileBackend } from './parameter-store-backend.js';
import { checkName, ProfileError, type ProfileVersion } from './profile-error.js';

/** The profile holding the app's schema: `{ "secure_fields": ["db.password", ...] }`. */
export const SCHEMA_PROFILE = '_schema';

export interface ProfilesOptions {
  /**
   * `file` (default), `file:/config/home`, `parameter-store`, or an SDK store URL (`coffer:`,
   * `coffer:http://host:port`, `aws:`, `aws:https://...`); else COFFER_PROFILE_STORE.
   */
  store?: string;
  /** Dotted paths of fields holding secrets (`db.password`), besides the `_schema` profile's. */
  secureFields?: readonly string[];
  /** Parameter Store name prefix before `/{app}`: else COFFER_PROFILE_PREFIX, else ''. */
  prefix?: string;
  /** The environment settings are read from (process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** For Parameter Store: the endpoint (else COFFER_ENDPOINT, AWS_ENDPOINT_URL, or AWS itself). */
  endpoint?: string;
  region?: string;
  /** Fixed credentials or a provider; the AWS SDK's default chain when absent. */
  credentials?: AwsCredentials;
}

export interface WriteOptions {
  /** Compare-and-set: the version `readRaw` returned, or 0 / null for "must not exist yet". */
  expectedVersion?: ProfileVersion | null;
}

export interface WriteResult {
  version: ProfileVersion;
  /** Secure fields written empty or with a placeholder; each names the field, never the value. */
  warnings: string[];
}

export interface RawProfile {
  document: ProfileDocument;
  version: ProfileVersion;
}

/** A parsed `_inherits` reference. */
interface Reference {
  kind: ProfileStoreKind | undefined;
  profile: string;
  /** As written, for messages. */
  text: string;
}

function parseReference(value: unknown, child: string, chain: string[]): Reference {
  if (typeof value !== 'string' || value === '') {
    throw new ProfileError(
      'ProfileInheritanceError',
      `profile ${child}: _inherits must be a profile name (chain: ${chain.join(' -> ')})`,
    );
  }
  const match = /^(file|parameter-store):(.*)$/.exec(value);
  const reference: Reference = match
    ? { kind: match[1] as ProfileStoreKind, profile: match[2]!, text: value }
    : { kind: undefined, profile: value, text: value };
  try {
    checkName('profile', reference.profile);
  } catch {
    throw new ProfileError(
      'ProfileInheritanceError',
      `profile ${child}: _inherits names no valid profile (chain: ${chain.join(' -> ')})`,
    );
  }
  return reference;
}

export class ProfileStore {
  readonly app: string;
  private readonly backend: ProfileBackend;
  private readonly others = new Map<ProfileStoreKind, ProfileBackend>();
  private readonly env: Readonly<Record<string, string | undefined>>;
  private readonly optionFields: readonly string[];

  constructor(
    app: string,
    private readonly options: ProfilesOptions = {},
  ) {
    checkName('app', app);
    this.app = app;
    this.env = options.env ?? process.env;
    this.optionFields = [...(options.secureFields ?? [])];
    this.backend = this.backendFor(options.store ?? (this.env.COFFER_PROFILE_STORE || 'file'));
    this.others.set(this.backend.kind, this.backend);
  }

  /** The kind of store profiles are read from and written to. */
  get kind(): ProfileStoreKind {
    return this.backend.kind;
  }

  /** The profile resolved: its `_inherits` chain deep-merged, child over parent. */
  async read(profile: string): Promise<ProfileDocument> {
    checkName('profile', profile);
    const root = await this.backend.read(this.app, profile);
    if (!root) throw new ProfileError('ProfileNotFound', `profile ${profile} not found in ${this.backend.label}`);
    // Walk up to the root of the chain, then merge down.
    const documents: ProfileDocument[] = [root.document];
    const chain = [profile];
    const seen = new Set([`${this.backend.kind}:${profile}`]);
    let current = root.document;
    let kind: ProfileStoreKind = this.backend.kind;
    let name = profile;
    while (current._inherits !== undefined && current._inherits !== null) {
      const reference = parseReference(current._inherits, name, chain);
      const parentKind = reference.kind ?? kind;
      chain.push(reference.text);
      const key = `${parentKind}:${reference.profile}`;
      if (seen.has(key)) throw new ProfileError('ProfileInheritanceError', `profile cycle: ${chain.join(' -> ')}`);
      seen.add(key);
      const parent = await this.storeOf(parentKind).read(this.app, reference.profile);
      if (!parent) {
        throw new ProfileError(
          'ProfileInheritanceError',
          `profile ${name} inherits missing profile ${reference.text} (chain: ${chain.join(' -> ')})`,
        );
      }
      documents.push(parent.document);
      current = parent.document;
      kind = parentKind;
      name = reference.profile;
    }
    let resolved: ProfileDocument = {};
    for (const document of documents.reverse()) resolved = deepMerge(resolved, document);
    for (const key of ['_inherits', '_metadata']) {
      if (Object.hasOwn(root.document, key)) resolved[key] = root.document[key];
      else delete resolved[key];
    }
    return structuredClone(resolved);
  }

  /** The profile as stored, unresolved, and its version (what `write`'s `expectedVersion` takes). */
  async readRaw(profile: string): Promise<RawProfile> {
    checkName('profile', profile);
    const stored = await this.backend.read(this.app, profile);
    if (!stored) throw new ProfileError('ProfileNotFound', `profile ${profile} not found in ${this.backend.label}`);
    return stored;
  }

  /**
   * Writes a profile, keeping `_metadata.created` and setting `_metadata.modified`. With
   * `expectedVersion`, only if the profile is still at that version (else ProfileConflict).
   */
  async write(profile: string, document: unknown, options: WriteOptions = {}): Promise<WriteResult> {
    checkName('profile', profile);
    const copy = toDocument(document, `the document for profile ${profile}`);
    const now = new Date().toISOString();
    const build = (current: StoredProfile | undefined): ProfileDocument => {
      const previous = current?.document._metadata;
      const created =
        isPlainObject(previous) && typeof previous.created === 'string'
          ? previous.created
          : isPlainObject(copy._metadata) && typeof copy._metadata.created === 'string' && current === undefined
            ? copy._metadata.created
            : now;
      const metadata = isPlainObject(copy._metadata) ? copy._metadata : {};
      return { ...copy, _metadata: { ...metadata, created, modified: now } };
    };
    const version = await this.backend.write(this.app, profile, build, options.expectedVersion);
    const fields = profile === SCHEMA_PROFILE ? [] : await this.secureFields();
    return { version, warnings: secureFieldWarnings(copy, fields) };
  }

  /** Every profile of the app (not `_schema`), sorted. */
  async list(): Promise<string[]> {
    return (await this.backend.list(this.app)).filter((name) => name !== SCHEMA_PROFILE);
  }

  /** Deletes a profile; whether there was one. */
  async delete(profile: string): Promise<boolean> {
    checkName('profile', profile);
    return this.backend.delete(this.app, profile);
  }

  async exists(profile: string): Promise<boolean> {
    checkName('profile', profile);
    return (await this.backend.read(this.app, profile)) !== undefined;
  }

  /** The secure fields: the options' and the `_schema` profile's `secure_fields`. */
  async secureFields(): Promise<string[]> {
    const schema = await this.backend.read(this.app, SCHEMA_PROFILE);
    const stored = schema?.document.secure_fields;
    const fromSchema = Array.isArray(stored) ? stored.filter((f): f is string => typeof f === 'string') : [];
    return [...new Set([...this.optionFields, ...fromSchema])].sort();
  }

  /** Stores the app's secure fields in its `_schema` profile (replacing those stored before). */
  async setSecureFields(paths: readonly string[], options: WriteOptions = {}): Promise<WriteResult> {
    if (!Array.isArray(paths) || paths.some((p) => typeof p !== 'string' || p === '' || p.split('.').includes(''))) {
      throw new ProfileError('ProfileInvalid', 'secure fields must be dotted paths such as db.password');
    }
    const current = await this.backend.read(this.app, SCHEMA_PROFILE);
    return this.write(SCHEMA_PROFILE, { ...current?.document, secure_fields: [...paths] }, options);
  }

  /** A deep copy of `document` with every secure field present replaced by `********`. */
  async redact(document: ProfileDocument): Promise<ProfileDocument> {
    return redactDocument(document, await this.secureFields());
  }

  /** Releases the store's connections. */
  close(): void {
    for (const backend of this.others.values()) backend.close?.();
  }

  private storeOf(kind: ProfileStoreKind): ProfileBackend {
    let backend = this.others.get(kind);
    if (!backend) {
      backend = this.backendFor(kind);
      this.others.set(kind, backend);
    }
    return backend;
  }

  private backendFor(store: string): ProfileBackend {
    const env = this.env;
    const colon = store.indexOf(':');
    const scheme = colon === -1 ? store : store.slice(0, colon);
    const rest = colon === -1 ? '' : store.slice(colon + 1);
    const prefix = this.options.prefix ?? env.COFFER_PROFILE_PREFIX ?? '';
    const parameterStore = (endpoint: string | undefined) =>
      new ParameterStoreProfileBackend({
        prefix,
        endpoint,
        region: this.options.region ?? (endpoint ? env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1' : undefined),
        credentials: this.options.credentials,
      });
    switch (scheme) {
      case 'file':
      case 'filesystem':
        return new FileProfileBackend(rest || env.XDG_CONFIG_HOME || join(homedir(), '.config'));
      case 'parameter-store':
        return parameterStore(
          rest || this.options.endpoint || env.COFFER_ENDPOINT || env.AWS_ENDPOINT_URL || undefined,
        );
      case 'coffer':
        return parameterStore(
          rest || this.options.endpoint || env.COFFER_ENDPOINT || env.AWS_ENDPOINT_URL || undefined,
        );
      case 'aws':
        return parameterStore(rest || this.options.endpoint || undefined);
      default:
        throw new ProfileError(
          'ProfileInvalid',
          `the profile store ${JSON.stringify(store)} is not one of file, parameter-store, coffer: or aws:`,
        );
    }
  }
}

/** The profiles of `app`: `profiles('benchling-webhook').read('sales')`. */
export function profiles(app: string, options: ProfilesOptions = {}): ProfileStore {
  return new ProfileStore(app, options);
}
