/**
 * The physical storage contract: rows and transactions, nothing more.
 *
 * Storage is untrusted (as in Vault): it holds parameter values only as sealed bytes produced by
 * the crypto barrier, and key material only wrapped under the master key. The contract is split
 * by domain, each a small reader/writer pair in its own file (meta-rows, parameter-rows,
 * secret-rows, identity-rows, key-rows, rotation-rows, policy-action-rows, audit-outbox-rows,
 * change-rows); this file composes them into
 * StorageReader and StorageWriter and re-exports their row types, so callers import from here.
 * Every method is async so that SQLite and PostgreSQL sit behind one interface; one conformance
 * suite (test/storage/storage-conformance.ts) runs against both, a fresh store per case.
 */
import type { AuditOutboxReader, AuditOutboxWriter } from './audit-outbox-rows.js';
import type { ChangeReader, ChangeWriter } from './change-rows.js';
import type { IdentityReader, IdentityWriter } from './identity-rows.js';
import type { KeyReader, KeyWriter } from './key-rows.js';
import type { MetaReader, MetaWriter } from './meta-rows.js';
import type { ParameterReader, ParameterWriter } from './parameter-rows.js';
import type { PolicyActionReader, PolicyActionWriter } from './policy-action-rows.js';
import type { RotationReader, RotationWriter } from './rotation-rows.js';
import type { RowAuthenticator } from './row-integrity.js';
import type { SecretReader, SecretWriter } from './secret-rows.js';

export type { Scope } from './scope.js';
export type { MetaReader, MetaWriter } from './meta-rows.js';
export type {
  LabelRow,
  ListLatestOptions,
  ParameterReader,
  ParameterVersionRow,
  ParameterWriter,
  TagRow,
} from './parameter-rows.js';
export type {
  SecretReader,
  SecretRow,
  SecretRowSet,
  SecretStageRow,
  SecretVersionRow,
  SecretWriter,
} from './secret-rows.js';
export type {
  AccessKeyRow,
  AccessKeyUseRow,
  IamDocumentRow,
  IamEntityRow,
  IamLinkRow,
  IdentityReader,
  IdentityWriter,
} from './identity-rows.js';
export type { AliasRow, KeyMaterialRow, KeyReader, KeyRow, KeyWriter } from './key-rows.js';
export type {
  RotationFunctionRow,
  RotationReader,
  RotationRunRow,
  RotationScheduleRow,
  RotationWriter,
} from './rotation-rows.js';
export type {
  AuditOutboxReader,
  AuditOutboxRow,
  AuditOutboxWriter,
  StoredAuditOutboxRow,
} from './audit-outbox-rows.js';
export type { ChangeReader, ChangeRow, ChangeRowInput, ChangeWriter } from './change-rows.js';
export type {
  PlannedPolicyAction,
  PolicyActionOutcome,
  PolicyActionReader,
  PolicyActionRow,
  PolicyActionStatus,
  PolicyActionWriter,
} from './policy-action-rows.js';

/** Reads that are valid inside and outside a transaction: every domain's reads. */
export interface StorageReader
  extends MetaReader,
    ParameterReader,
    SecretReader,
    IdentityReader,
    KeyReader,
    RotationReader,
    PolicyActionReader,
    AuditOutboxReader,
    ChangeReader {}

/** Writes; only available inside a transaction: every domain's writes. */
export interface StorageWriter
  extends StorageReader,
    MetaWriter,
    ParameterWriter,
    SecretWriter,
    IdentityWriter,
    KeyWriter,
    RotationWriter,
    PolicyActionWriter,
    AuditOutboxWriter,
    ChangeWriter {
  /**
   * The moto-style reset, the one write across domains: removes every parameter, version, label
   * and tag, every IAM entity, document and link, every secret with its versions and stages,
   * every rotation schedule and run, and every parameter-policy action, of every scope. Access
   * keys, rotation functions, KMS keys, store metadata and the audit trail (its outbox too) stay.
   */
  deleteAllParameters(): Promise<void>;
}

/** How a transaction commits. */
export interface TransactionOptions {
  /** Wait for the disk before acknowledging (the default); false for the audit's read events. */
  readonly sync?: boolean;
}

/**
 * Work added to the end of every transaction (Storage.useTransactionHook). It may return a
 * callback, told once whether the transaction then committed (what the hook wrote counts only
 * if it did: a COMMIT can still fail after the hook).
 */
export type TransactionHook = (tx: StorageWriter) => Promise<((committed: boolean) => void) | undefined>;

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
   * `options.sync: false` commits without waiting for the disk (SQLite synchronous=NORMAL,
   * PostgreSQL synchronous_commit off): the commit survives the process, not a power loss.
   */
  transaction<T>(work: (tx: StorageWriter) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * Runs `hook` at the end of every transaction's work, inside the transaction and in the async
   * context of the code that began it: the audit trail puts a request's event in the outbox
   * there, so a write and its event commit together or not at all. A hook that throws fails the
   * transaction.
   */
  useTransactionHook(hook: TransactionHook): void;
  /**
   * Calls `listener` whenever changes may have been appended to the change log: on SQLite after
   * each commit of this process; on PostgreSQL when any node commits one (LISTEN/NOTIFY), and
   * when the listening connection comes back after a loss. Returns a function that stops it.
   */
  watchChanges(listener: () => void): () => void;
  close(): Promise<void>;
}
