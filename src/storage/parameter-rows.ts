/**
 * The Parameter Store domain of the storage contract (storage.ts composes it): the versions of
 * each parameter, the head pointing at its latest, labels, and the tags of every resource
 * (parameters and secrets alike, by resource type). Values are sealed bytes, never plaintext.
 */
import type { Scope } from './scope.js';

/** One stored version of one parameter. `value` is sealed bytes, never plaintext. */
export interface ParameterVersionRow {
  name: string;
  version: number;
  type: string;
  /** The KeyId as the caller named it (SecureString only). */
  keyId: string | null;
  tier: string;
  dataType: string;
  description: string | null;
  allowedPattern: string | null;
  policies: string | null;
  value: Buffer;
  /** Milliseconds since the epoch. */
  lastModifiedDate: number;
  lastModifiedUser: string;
}

/** A label attached to one version of a parameter. */
export interface LabelRow {
  label: string;
  version: number;
}

/** A tag on a resource. */
export interface TagRow {
  resourceId: string;
  key: string;
  value: string;
}

/** Range options for listing the latest versions of parameters in name order. */
export interface ListLatestOptions {
  /** Only names starting with this prefix. */
  prefix?: string;
  /** Only names strictly greater than this one (for paging). */
  after?: string;
  limit: number;
}

/** Reads of parameters, labels and tags. */
export interface ParameterReader {
  getLatestVersion(scope: Scope, name: string): Promise<ParameterVersionRow | undefined>;
  getVersion(scope: Scope, name: string, version: number): Promise<ParameterVersionRow | undefined>;
  /** Versions of one parameter in ascending order, after `afterVersion`. */
  listVersions(scope: Scope, name: string, afterVersion: number, limit: number): Promise<ParameterVersionRow[]>;
  /** How many versions of `name` are kept, and the oldest one's number (undefined: none). */
  versionSpan(scope: Scope, name: string): Promise<{ count: number; oldest: number | undefined }>;
  /** The latest version of each parameter, in byte order of name. */
  listLatest(scope: Scope, options: ListLatestOptions): Promise<ParameterVersionRow[]>;
  listLabels(scope: Scope, name: string): Promise<LabelRow[]>;
  listTags(scope: Scope, resourceType: string, resourceIds: readonly string[]): Promise<TagRow[]>;
}

/** Writes of parameters, labels and tags; only inside a transaction. */
export interface ParameterWriter extends ParameterReader {
  /**
   * Serialises writers of one parameter across processes and nodes until the transaction ends.
   * SQLite's write lock already does this; PostgreSQL takes an advisory transaction lock.
   */
  lockParameter(scope: Scope, name: string): Promise<void>;

  insertVersion(scope: Scope, row: ParameterVersionRow): Promise<void>;
  /** Points the parameter's head at `version`, creating the head if needed. */
  setLatestVersion(scope: Scope, name: string, version: number): Promise<void>;
  deleteVersion(scope: Scope, name: string, version: number): Promise<void>;
  /** Removes a parameter with all of its versions, labels and tags. Returns whether it existed. */
  deleteParameter(scope: Scope, name: string): Promise<boolean>;

  putLabel(scope: Scope, name: string, label: string, version: number): Promise<void>;
  deleteLabel(scope: Scope, name: string, label: string): Promise<void>;

  putTag(scope: Scope, resourceType: string, tag: TagRow): Promise<void>;
  deleteTag(scope: Scope, resourceType: string, resourceId: string, key: string): Promise<void>;
}
