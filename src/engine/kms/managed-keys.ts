/**
 * AWS-managed keys (`alias/aws/ssm`, `alias/aws/secretsmanager`) are made on first use, as AWS
 * makes them, but a failed write must leave the store as it was. So a write resolves its key
 * without creating it (Keyring.resolveExisting); when the managed key is missing, the write
 * stops with ManagedKeyNeeded before it has written anything, the key is made (its own
 * transaction: a write cannot nest one), and the write runs again, this time to completion.
 */
import type { KeyInfo, Keyring } from '../../crypto/keyring.js';
import type { Scope } from '../../storage/storage.js';

/** Raised inside a write's transaction (which then rolls back) when its managed key does not exist yet. */
export class ManagedKeyNeeded extends Error {
  constructor(readonly alias: string) {
    super(`the AWS-managed key ${alias} is made first`);
  }
}

/** The key a write will seal under: an existing one, or ManagedKeyNeeded. */
export async function keyForWrite(
  keyring: Keyring,
  scope: Scope,
  reference: string | undefined,
  managedAlias: string,
): Promise<KeyInfo> {
  const key = await keyring.resolveExisting(scope, reference, managedAlias);
  if (!key) throw new ManagedKeyNeeded(managedAlias);
  return key;
}

/** Runs `write`; if it needs its managed key, makes the key and runs it once more. */
export async function withManagedKey<T>(keyring: Keyring, scope: Scope, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!(error instanceof ManagedKeyNeeded)) throw error;
    await keyring.resolve(scope, undefined, error.alias);
  }
  return write();
}
