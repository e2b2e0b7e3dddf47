/** What a profile store is built on: a file tree or Parameter Store. */
import type { ProfileDocument } from './documents.js';
import type { ProfileVersion } from './profile-error.js';

/** The kinds of store, as `_inherits` references name them (`file:base`, `parameter-store:base`). */
export type ProfileStoreKind = 'file' | 'parameter-store';

/** A profile as stored, unresolved, with the store's version of it. */
export interface StoredProfile {
  document: ProfileDocument;
  version: ProfileVersion;
}

/** The primitives of one store. Names are checked before they get here. */
export interface ProfileBackend {
  readonly kind: ProfileStoreKind;
  /** Where the store is, for messages (a directory, or `parameter-store:/prefix`). */
  readonly label: string;
  read(app: string, profile: string): Promise<StoredProfile | undefined>;
  /**
   * Writes what `build` makes of the current document (undefined: absent). `expected` (0 or null:
   * must not exist) makes the write compare-and-set. Returns the new version.
   */
  write(
    app: string,
    profile: string,
    build: (current: StoredProfile | undefined) => ProfileDocument,
    expected: ProfileVersion | null | undefined,
  ): Promise<ProfileVersion>;
  /** Whether there was a profile to delete. */
  delete(app: string, profile: string): Promise<boolean>;
  /** Every profile of the app, sorted. */
  list(app: string): Promise<string[]>;
  close?(): void;
}
