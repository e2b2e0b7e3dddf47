/**
 * The physical storage contract: rows and transactions, nothing more.
 *
 * Storage is untrusted (as in Vault): it holds parameter values only as sealed bytes produced by
 * the crypto barrier, and key material only wrapped under the master key. Every method is async
 * so that SQLite and PostgreSQL sit behind one interface; one conformance suite
 * (test/storage/storage-conformance.test.ts) runs against both.
 */
import type { RowAuthenticator } from './row-integrity.js';

/** The account and region a row belongs to; every parameter row is namespaced by both. */
export interface Scope {
  readonly account: string;
  readonly region: string;
}

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

/** A logical (KMS-style) key; its material lives in KeyMaterialRow, wrapped. */
export interface KeyRow {
  keyId: string;
  account: string;
  region: string;
  description: string;
  keyManager: 'AWS' | 'CUSTOMER';
  createdAt: number;
  currentMaterial: number;
  enabled: boolean;
  /** KMS state beyond the columns (rotation, deletion schedule, usage) as a JSON object. */
  attributes: string | null;
}

/** One generation of a logical key's material, wrapped under the master key. */
export interface KeyMaterialRow {
  keyId: string;
  materialNo: number;
  wrapped: Buffer;
  createdAt: number;
}

/** An alias (`alias/...`) pointing at a logical key. */
export interface AliasRow {
  account: string;
  region: string;
  aliasName: string;
  keyId: string;
}

/** An access key; the secret is sealed by the crypto barrier. */
export interface AccessKeyRow {
  accessKeyId: string;
  account: string;
  principalArn: string;
  /** The owner's unique id (AIDA... for a user, the account for root): a user recreated under the same name is another owner. */
  ownerId: string;
  secretSealed: Buffer;
  status: 'Active' | 'Inactive';
  createdAt: number;
}

/** An IAM user, group, role or customer-managed policy. */
export interface IamEntityRow {
  account: string;
  kind: 'user' | 'group' | 'role' | 'policy';
  name: string;
  /** AIDA... / AGPA... / AROA... / ANPA... */
  id: string;
  arn: string;
  path: string;
  createdAt: number;
  /** Kind-specific attributes as a JSON object (trust policy, default version, description...). */
  attributes: string;
}

/** A policy document owned by an entity: an inline policy, or a managed policy's version. */
export interface IamDocumentRow {
  ownerArn: string;
  docKind: 'inline' | 'version';
  docName: string;
  account: string;
  document: string;
  createdAt: number;
}

/** A relation between entities: a policy attached to a principal, or a user in a group. */
export interface IamLinkRow {
  link: 'attached' | 'member';
  /** The principal (attached) or the group (member). */
  fromArn: string;
  /** The policy (attached) or the user (member). */
  toArn: string;
  account: string;
}

/** A Secrets Manager secret; its versions and stages are rows of their own. */
export interface SecretRow {
  name: string;
  arn: string;
  createdAt: number;
  /** Description, KMS key, rotation, deletion schedule, resource policy... as a JSON object. */
  attributes: string;
  /** When the secret's recovery window ends and the sweeper may purge it (null: not deleted). */
  purgeAt: number | null;
}

/** One version of a secret; `value` is sealed bytes, never plaintext. */
export interface SecretVersionRow {
  versionId: string;
  createdAt: number;
  kind: 'string' | 'binary';
  value: Buffer;
  /** A keyed hash of the value, so a repeated ClientRequestToken can be checked without opening it. */
  fingerprint: string;
}

/** A staging label (AWSCURRENT, AWSPREVIOUS, AWSPENDING, or the caller's own) on a version. */
export interface SecretStageRow {
  stage: string;
  versionId: string;
}

/** A registered rotation function: an HTTP endpoint, or one of Coffer's built-in rotators. */
export interface RotationFunctionRow {
  name: string;
  kind: 'http' | 'builtin';
  /** The URL, or the built-in rotator's name. */
  target: string;
  /** Rotator options as a JSON object. */
  options: string;
  /** The HMAC key Coffer signs calls with, sealed. */
  keySealed: Buffer;
  createdAt: number;
}

/** What rotates, how, and when it is next due; the lease lets exactly one node run it. */
export interface RotationScheduleRow {
  account: string;
  region: string;
  targetKind: 'secret' | 'parameter';
  targetName: string;
  /** Function, rules and state as a JSON object. */
  config: string;
  nextDue: number | null;
  leaseOwner: string | null;
  leaseUntil: number | null;
}

/** One rotation attempt and how it ended. */
export interface RotationRunRow {
  runId: string;
  account: string;
  region: string;
  targetKind: 'secret' | 'parameter';
  targetName: string;
  token: string;
  status: 'pending' | 'succeeded' | 'failed';
  step: string | null;
  error: string | null;
  attempts: number;
  startedAt: number;
  finishedAt: number | null;
}

/** Range options for listing the latest versions of parameters in name order. */
export interface ListLatestOptions {
  /** Only names starting with this prefix. */
  prefix?: string;
  /** Only names strictly greater than this one (for paging). */
  after?: string;
  limit: number;
}

/** Reads that are valid inside and outside a transaction. */
export interface StorageReader {
  getMeta(key: string): Promise<Buffer | undefined>;

  getLatestVersion(scope: Scope, name: string): Promise<ParameterVersionRow | undefined>;
  getVersion(scope: Scope, name: string, version: number): Promise<ParameterVersionRow | undefined>;
  /** Versions of one parameter in ascending order, after `afterVersion`. */
  listVersions(scope: Scope, name: string, afterVersion: number, limit: number): Promise<ParameterVersionRow[]>;
  countVersions(scope: Scope, name: string): Promise<number>;
  /** The latest version of each parameter, in byte order of name. */
  listLatest(scope: Scope, options: ListLatestOptions): Promise<ParameterVersionRow[]>;
  listLabels(scope: Scope, name: string): Promise<LabelRow[]>;
  listTags(scope: Scope, resourceType: string, resourceIds: readonly string[]): Promise<TagRow[]>;

  getSecret(scope: Scope, name: string): Promise<SecretRow | undefined>;
  listSecrets(scope: Scope): Promise<SecretRow[]>;
  /** Secrets of every scope whose recovery window ended by `now`. */
  listSecretsToPurge(now: number, limit: number): Promise<{ account: string; region: string; name: string }[]>;
  listSecretVersions(scope: Scope, name: string): Promise<SecretVersionRow[]>;
  listSecretStages(scope: Scope, name: string): Promise<SecretStageRow[]>;

  getRotationFunction(scope: Scope, name: string): Promise<RotationFunctionRow | undefined>;
  listRotationFunctions(scope: Scope): Promise<RotationFunctionRow[]>;
  getRotationSchedule(scope: Scope, targetKind: RotationScheduleRow['targetKind'], targetName: string): Promise<RotationScheduleRow | undefined>;
  /** Schedules of every scope due at `now` whose lease (if any) has expired. */
  listDueRotations(now: number, limit: number): Promise<RotationScheduleRow[]>;
  /** Runs of one target (or of the scope), newest first. */
  listRotationRuns(scope: Scope, target: { kind: RotationScheduleRow['targetKind']; name: string } | undefined, limit: number): Promise<RotationRunRow[]>;

  getAccessKey(accessKeyId: string): Promise<AccessKeyRow | undefined>;
  listAccessKeys(principalArn: string): Promise<AccessKeyRow[]>;
  /** The ids of the keys rows name `principalArn` as owner of, unchecked (each row is checked when read). */
  listAccessKeyIds(principalArn: string): Promise<string[]>;

  getIamEntity(account: string, kind: IamEntityRow['kind'], name: string): Promise<IamEntityRow | undefined>;
  /** The entity whose name equals `name` ignoring case (IAM names are unique regardless of case). */
  findIamEntityFolded(account: string, kind: IamEntityRow['kind'], name: string): Promise<IamEntityRow | undefined>;
  listIamEntities(account: string, kind: IamEntityRow['kind']): Promise<IamEntityRow[]>;
  listIamDocuments(ownerArn: string, docKind: IamDocumentRow['docKind']): Promise<IamDocumentRow[]>;
  /** Links from `fromArn`, or (given only `toArn`) links to it. */
  listIamLinks(link: IamLinkRow['link'], end: { fromArn: string } | { toArn: string }): Promise<IamLinkRow[]>;

  listKeys(): Promise<KeyRow[]>;
  listKeyMaterials(): Promise<KeyMaterialRow[]>;
  listAliases(): Promise<AliasRow[]>;
}

/** Writes; only available inside a transaction. */
export interface StorageWriter extends StorageReader {
  /**
   * Serialises writers of one parameter across processes and nodes until the transaction ends.
   * SQLite's write lock already does this; PostgreSQL takes an advisory transaction lock.
   */
  lockParameter(scope: Scope, name: string): Promise<void>;

  /** Inserts only if absent; returns whether it inserted. */
  insertMeta(key: string, value: Buffer): Promise<boolean>;
  putMeta(key: string, value: Buffer): Promise<void>;

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

  /** Removes every parameter, version, label and tag of every scope (moto-style reset). */
  deleteAllParameters(): Promise<void>;

  /** Inserts or replaces the secret row (its versions and stages are untouched). */
  putSecret(scope: Scope, row: SecretRow): Promise<void>;
  /** Removes a secret with its versions, stages and tags. */
  deleteSecret(scope: Scope, name: string): Promise<void>;
  insertSecretVersion(scope: Scope, name: string, row: SecretVersionRow): Promise<void>;
  deleteSecretVersion(scope: Scope, name: string, versionId: string): Promise<void>;
  /** Points a stage at a version (moving it if it was elsewhere). */
  putSecretStage(scope: Scope, name: string, row: SecretStageRow): Promise<void>;
  deleteSecretStage(scope: Scope, name: string, stage: string): Promise<void>;

  putRotationFunction(scope: Scope, row: RotationFunctionRow): Promise<void>;
  /** Returns whether it existed. */
  deleteRotationFunction(scope: Scope, name: string): Promise<boolean>;
  /** Inserts or replaces, keeping any lease. */
  putRotationSchedule(row: Omit<RotationScheduleRow, 'leaseOwner' | 'leaseUntil'>): Promise<void>;
  deleteRotationSchedule(scope: Scope, targetKind: RotationScheduleRow['targetKind'], targetName: string): Promise<void>;
  /**
   * Takes the schedule's lease for `owner` until `until` if it is free or expired at `now`;
   * returns whether this caller got it (an atomic conditional update, so one node wins).
   */
  leaseRotation(scope: Scope, targetKind: RotationScheduleRow['targetKind'], targetName: string, owner: string, now: number, until: number): Promise<boolean>;
  releaseRotation(scope: Scope, targetKind: RotationScheduleRow['targetKind'], targetName: string, owner: string, nextDue: number | null): Promise<void>;
  /** Inserts or replaces. */
  putRotationRun(row: RotationRunRow): Promise<void>;

  insertAccessKey(row: AccessKeyRow): Promise<void>;
  deleteAccessKey(accessKeyId: string): Promise<void>;

  setAccessKeyStatus(accessKeyId: string, status: AccessKeyRow['status']): Promise<void>;

  /** Inserts or replaces. */
  putIamEntity(row: IamEntityRow): Promise<void>;
  deleteIamEntity(account: string, kind: IamEntityRow['kind'], name: string): Promise<void>;
  /** Inserts or replaces. */
  putIamDocument(row: IamDocumentRow): Promise<void>;
  /** Returns whether it existed. */
  deleteIamDocument(ownerArn: string, docKind: IamDocumentRow['docKind'], docName: string): Promise<boolean>;
  /** Inserts only if absent. */
  putIamLink(row: IamLinkRow): Promise<void>;
  /** Returns whether it existed. */
  deleteIamLink(row: Omit<IamLinkRow, 'account'>): Promise<boolean>;

  insertKey(row: KeyRow): Promise<void>;
  setKeyAttributes(keyId: string, attributes: string): Promise<void>;
  setKeyCurrentMaterial(keyId: string, materialNo: number): Promise<void>;
  insertKeyMaterial(row: KeyMaterialRow): Promise<void>;
  updateKeyMaterial(row: KeyMaterialRow): Promise<void>;
  /** Inserts only if absent; returns whether it inserted. */
  insertAlias(row: AliasRow): Promise<boolean>;
  /** Returns whether it existed. */
  deleteAlias(account: string, region: string, aliasName: string): Promise<boolean>;
}

/** A storage backend: reads, transactions, migrations, lifecycle. */
export interface Storage extends StorageReader {
  readonly kind: 'sqlite' | 'postgres';
  /**
   * Seals and checks rows with `authenticator` from now on (row-integrity.ts). Until it is set,
   * sealed tables can be neither read nor written; the composition root sets it once the master
   * key is proven, before the migrations that seal existing rows.
   */
  useIntegrity(authenticator: RowAuthenticator): void;
  /** The highest applied schema migration, 0 for an empty store. Writes nothing. */
  schemaVersion(): Promise<number>;
  /** Applies pending schema migrations; safe to call from several processes at once. */
  migrate(): Promise<void>;
  /**
   * Runs `work` in one transaction: all its writes commit together or none do. Transactions
   * from one process are serialised; across processes the database's own locking applies.
   * Transactions do not nest: one started inside another's work fails at once with
   * NestedTransactionError (it could only wait for the outer one, forever).
   */
  transaction<T>(work: (tx: StorageWriter) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
