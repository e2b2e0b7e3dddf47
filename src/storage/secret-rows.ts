/**
 * The Secrets Manager domain of the storage contract (storage.ts composes it): secrets, their
 * versions (sealed bytes, never plaintext) and the staging labels that point at versions.
 */
import type { Scope } from './scope.js';

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

/** A secret's row with all its versions (oldest first) and stages (by name), read together. */
export interface SecretRowSet {
  readonly row: SecretRow;
  readonly versions: SecretVersionRow[];
  readonly stages: SecretStageRow[];
}

/** Reads of secrets, versions and stages. */
export interface SecretReader {
  getSecret(scope: Scope, name: string): Promise<SecretRow | undefined>;
  /** The secret with its versions and stages in one statement (one snapshot, one round trip). */
  getSecretRowSet(scope: Scope, name: string): Promise<SecretRowSet | undefined>;
  listSecrets(scope: Scope): Promise<SecretRow[]>;
  /** Secrets of every scope whose recovery window ended by `now`. */
  listSecretsToPurge(now: number, limit: number): Promise<{ account: string; region: string; name: string }[]>;
  listSecretVersions(scope: Scope, name: string): Promise<SecretVersionRow[]>;
  listSecretStages(scope: Scope, name: string): Promise<SecretStageRow[]>;
}

/** Writes of secrets, versions and stages; only inside a transaction. */
export interface SecretWriter extends SecretReader {
  /**
   * Serialises writers of the secrets named `name` in every Region of `account` (a primary and
   * its replicas share their name) across processes and nodes until the transaction ends.
   * SQLite's write lock already does this; PostgreSQL takes an advisory transaction lock.
   */
  lockSecret(account: string, name: string): Promise<void>;
  /** Inserts or replaces the secret row (its versions and stages are untouched). */
  putSecret(scope: Scope, row: SecretRow): Promise<void>;
  /** Removes a secret with its versions, stages and tags. */
  deleteSecret(scope: Scope, name: string): Promise<void>;
  insertSecretVersion(scope: Scope, name: string, row: SecretVersionRow): Promise<void>;
  deleteSecretVersion(scope: Scope, name: string, versionId: string): Promise<void>;
  /** Points a stage at a version (moving it if it was elsewhere). */
  putSecretStage(scope: Scope, name: string, row: SecretStageRow): Promise<void>;
  deleteSecretStage(scope: Scope, name: string, stage: string): Promise<void>;
}
