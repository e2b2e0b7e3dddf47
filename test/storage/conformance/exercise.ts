/**
 * What a conformance case gets and how cases are registered (storage-conformance.ts runs them):
 * each case a fresh store of its own, so no case depends on another's rows or on their order.
 */
import type { AuditStorage } from '../../../src/storage/audit-storage.js';
import type { Storage } from '../../../src/storage/storage.js';
import type { RawExecutor } from '../../helpers/raw-executors.js';

/** One fresh, empty, unmigrated store without row integrity, as a backend's test opens it. */
export interface FreshStore {
  readonly storage: Storage;
  /** Runs SQL on the store's database behind Coffer's back, as an attacker with the database would. */
  raw(sql: string): Promise<void>;
  /** An executor on the store's database outside the Storage (for row upgrades). */
  executor(): RawExecutor;
  /** Removes the store's files or schema (the suite has closed the store by then). */
  remove(): Promise<void>;
}

/** Opens a FreshStore on one backend. */
export type OpenFresh = () => Promise<FreshStore>;

/** What a case runs against. */
export interface StoreCase {
  readonly backend: Storage['kind'];
  /** Migrated and sealing rows unless the case asked otherwise; every call on it is recorded for the coverage check. */
  readonly storage: Storage;
  raw(sql: string): Promise<void>;
  executor(): RawExecutor;
}

export interface CaseOptions {
  /** Leave the store unmigrated (default: migrated). */
  migrated?: boolean;
  /** Leave row integrity unset (default: set, with the test authenticator). */
  integrity?: boolean;
}

/** Registers one case; it runs on a store of its own. */
export type Exercise = (name: string, run: (store: StoreCase) => Promise<void>, options?: CaseOptions) => void;

/** One fresh, empty, unmigrated audit storage without row integrity (audit-storage-conformance.ts). */
export interface FreshAuditStore {
  readonly storage: AuditStorage;
  /** Runs SQL on the audit storage's database behind Coffer's back. */
  raw(sql: string): Promise<void>;
  remove(): Promise<void>;
}

export type OpenFreshAudit = () => Promise<FreshAuditStore>;

/** What an audit storage case runs against. */
export interface AuditStoreCase {
  readonly backend: AuditStorage['kind'];
  readonly storage: AuditStorage;
  raw(sql: string): Promise<void>;
}

export type AuditExercise = (
  name: string,
  run: (store: AuditStoreCase) => Promise<void>,
  options?: CaseOptions,
) => void;
