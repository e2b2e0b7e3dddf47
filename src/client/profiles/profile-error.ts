/**
 * The one error the profile store raises. `code` says what went wrong; messages name profiles,
 * fields and versions, never a value a profile holds.
 *
 * - `ProfileNotFound`: the profile read does not exist.
 * - `ProfileInheritanceError`: an `_inherits` chain has a cycle, names a missing profile, or is not a name.
 * - `ProfileConflict`: a compare-and-set write found another version than the one read.
 * - `ProfileTooLarge`: the document does not fit the store (8 KB in Parameter Store).
 * - `ProfileInvalid`: not a JSON object, a bad profile or app name, a bad store setting.
 * - `ProfileLocked`: a file profile stayed locked by another writer too long.
 * - `ProfileStoreError`: the store failed (`storeCode` holds its own code, e.g. `AccessDeniedException`).
 */

/** A profile's version in its store: a Parameter Store version number, or an opaque string for files. */
export type ProfileVersion = number | string;

export type ProfileErrorCode =
  | 'ProfileNotFound'
  | 'ProfileInheritanceError'
  | 'ProfileConflict'
  | 'ProfileTooLarge'
  | 'ProfileInvalid'
  | 'ProfileLocked'
  | 'ProfileStoreError';

export class ProfileError extends Error {
  override readonly name = 'ProfileError';
  readonly code: ProfileErrorCode;
  /** The store's own error code, for `ProfileStoreError`. */
  readonly storeCode: string | undefined;
  /** For `ProfileConflict`: the version the writer read (0: absent) and the one found (0: absent). */
  readonly expectedVersion: ProfileVersion | undefined;
  readonly actualVersion: ProfileVersion | undefined;

  constructor(
    code: ProfileErrorCode,
    message: string,
    options: {
      storeCode?: string;
      expectedVersion?: ProfileVersion;
      actualVersion?: ProfileVersion;
      cause?: unknown;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.storeCode = options.storeCode;
    this.expectedVersion = options.expectedVersion;
    this.actualVersion = options.actualVersion;
  }
}

/** The conflict a compare-and-set write raises: both versions named, 0 standing for "absent". */
export function conflictError(profile: string, expected: ProfileVersion, actual: ProfileVersion): ProfileError {
  return new ProfileError(
    'ProfileConflict',
    `profile ${profile} changed: you read version ${expected}, it is now version ${actual}` +
      (actual === 0 ? ' (deleted)' : expected === 0 ? ' (you expected it not to exist)' : ''),
    { expectedVersion: expected, actualVersion: actual },
  );
}

/**
 * Refuses a write whose `expected` version (undefined: no check; 0 or null: must not exist) is
 * not the `current` one (undefined: absent).
 */
export function checkExpectedVersion(
  profile: string,
  expected: ProfileVersion | null | undefined,
  current: ProfileVersion | undefined,
): void {
  if (expected === undefined) return;
  const wanted = expected === null || expected === 0 || expected === '0' ? 0 : expected;
  const found = current ?? 0;
  if (String(wanted) !== String(found)) throw conflictError(profile, wanted, found);
}

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,199}$/;

/** Refuses app and profile names that could leave their directory or path (`/`, `..`, `:`). */
export function checkName(kind: 'app' | 'profile', name: string): void {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new ProfileError(
      'ProfileInvalid',
      `the ${kind} name ${JSON.stringify(String(name).slice(0, 100))} is not valid ` +
        '(letters, digits, _, . and -; not starting with . or -)',
    );
  }
}
