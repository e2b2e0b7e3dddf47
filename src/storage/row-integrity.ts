/**
 * Storage is untrusted for integrity as it is for secrecy: every row that decides what Coffer
 * does (access keys and their owners, IAM entities, policies and attachments, tags, key rows and
 * aliases, secrets with their resource policies, versions, labels, rotation functions) carries a
 * MAC over all of its columns, table name included. A row changed outside Coffer (an owner set
 * to root, a Deny policy rewritten, a row copied onto another user) no longer matches its MAC
 * and is refused with TamperedRowError, never honoured.
 *
 * Storage computes and checks the MACs through a RowAuthenticator the crypto layer supplies;
 * it never sees the key. What a MAC cannot show is a row deleted or an old row restored whole.
 */

/** A column value as the SQL drivers pass and return it. */
export type RowField = string | number | bigint | boolean | Buffer | null | undefined;

/** Computes the MAC of a row's canonical bytes (crypto/row-authenticator.ts). */
export interface RowAuthenticator {
  mac(data: Buffer): Buffer;
  verify(data: Buffer, mac: Buffer): boolean;
}

/** The columns each sealed table's MAC covers, in order (the `mac` column holds it). */
export const SEALED_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  ssm_parameters: ['account', 'region', 'name', 'version'],
  ssm_parameter_versions: ['account', 'region', 'name', 'version', 'type', 'key_id', 'tier', 'data_type', 'description',
    'allowed_pattern', 'policies', 'value', 'last_modified_date', 'last_modified_user'],
  ssm_parameter_labels: ['account', 'region', 'name', 'label', 'version'],
  resource_tags: ['account', 'region', 'resource_type', 'resource_id', 'tag_key', 'tag_value'],
  iam_access_keys: ['access_key_id', 'account', 'principal_arn', 'owner_id', 'secret_sealed', 'status', 'created_at'],
  iam_entities: ['account', 'kind', 'name', 'entity_id', 'arn', 'path', 'created_at', 'attributes'],
  iam_documents: ['owner_arn', 'doc_kind', 'doc_name', 'account', 'document', 'created_at'],
  iam_links: ['link', 'from_arn', 'to_arn', 'account'],
  kms_keys: ['key_id', 'account', 'region', 'description', 'key_manager', 'created_at', 'current_material', 'enabled', 'attributes'],
  kms_aliases: ['account', 'region', 'alias_name', 'key_id'],
  sm_secrets: ['account', 'region', 'name', 'arn', 'created_at', 'attributes', 'purge_at'],
  sm_secret_versions: ['account', 'region', 'name', 'version_id', 'created_at', 'kind', 'value', 'fingerprint'],
  sm_version_stages: ['account', 'region', 'name', 'stage', 'version_id'],
  rotation_functions: ['account', 'region', 'name', 'kind', 'target', 'options', 'key_sealed', 'created_at'],
  rotation_schedules: ['account', 'region', 'target_kind', 'target_name', 'config'],
};

/** A row whose MAC does not match (or is missing): changed outside Coffer. */
export class TamperedRowError extends Error {
  readonly code = 'TAMPERED_ROW';

  /** `row` names the row by its key columns (names and ids, never values or documents). */
  constructor(readonly table: string, readonly row: string) {
    super(`the ${table} row ${row} does not match its integrity check: it was changed outside Coffer`);
    this.name = 'TamperedRowError';
  }
}

/**
 * The canonical bytes of a row: the table, then each field as a type tag, its length and its
 * bytes, so no two different rows (or tables) share an encoding. Numbers are written in
 * decimal, the form both drivers agree on (PostgreSQL returns BIGINT as text).
 */
export function rowBytes(table: string, fields: readonly RowField[]): Buffer {
  const parts: Buffer[] = [];
  const push = (tag: string, bytes: Buffer) => {
    const head = Buffer.alloc(5);
    head.write(tag, 0, 'latin1');
    head.writeUInt32BE(bytes.length, 1);
    parts.push(head, bytes);
  };
  push('T', Buffer.from(table, 'utf8'));
  for (const field of fields) {
    if (field === null || field === undefined) push('N', Buffer.alloc(0));
    else if (Buffer.isBuffer(field)) push('B', field);
    else if (typeof field === 'boolean') push('S', Buffer.from(field ? '1' : '0'));
    else push('S', Buffer.from(String(field), 'utf8'));
  }
  return Buffer.concat(parts);
}

/** Seals and checks rows for the SQL backends; one per storage, shared by all its connections. */
export class RowIntegrity {
  private authenticator: RowAuthenticator | undefined;

  /** Set once the master key is proven; until then no sealed table may be read or written. */
  use(authenticator: RowAuthenticator): void {
    this.authenticator = authenticator;
  }

  private required(): RowAuthenticator {
    if (!this.authenticator) throw new Error('row integrity is not configured: a sealed table was used before the master key was proven');
    return this.authenticator;
  }

  /** The MAC to store with a row of `table` whose sealed columns hold `fields`. */
  seal(table: string, fields: readonly RowField[]): Buffer {
    return this.required().mac(rowBytes(table, fields));
  }

  /** Throws TamperedRowError unless `mac` is the row's. */
  check(table: string, fields: readonly RowField[], mac: Buffer | null | undefined, key: string): void {
    const ok = mac !== null && mac !== undefined && this.required().verify(rowBytes(table, fields), Buffer.from(mac));
    if (!ok) throw new TamperedRowError(table, key);
  }
}
