/**
 * What the engines write to the change log: one row per change of a parameter or secret, in
 * the write's own transaction, so the feed tells of a change exactly when it has committed.
 * Never a value: the name, the kind, the version it made current and the operation.
 */
import type { Scope, StorageWriter } from '../../storage/storage.js';

/** One change, as an engine describes it. */
export interface ChangeNote {
  readonly kind: 'parameter' | 'secret';
  readonly name: string;
  readonly arn: string;
  /** The version the change made current (a parameter's number, a secret's VersionId), if any. */
  readonly version?: string | number;
  /** The AWS action that made it (PutParameter, ...), or Coffer's own (EndSecretDeletion). */
  readonly operation: string;
}

/** Appends `note` in `tx`. */
export async function noteChange(tx: StorageWriter, scope: Scope, note: ChangeNote): Promise<void> {
  await tx.appendChange({
    account: scope.account,
    region: scope.region,
    kind: note.kind,
    name: note.name,
    arn: note.arn,
    version: note.version === undefined ? '' : String(note.version),
    operation: note.operation,
    at: Date.now(),
  });
}

/** Appends a change of the secret stored as `row` (its name and ARN). */
export function noteSecretChange(
  tx: StorageWriter,
  scope: Scope,
  row: { readonly name: string; readonly arn: string },
  operation: string,
  versionId?: string,
): Promise<void> {
  return noteChange(tx, scope, { kind: 'secret', name: row.name, arn: row.arn, version: versionId, operation });
}
