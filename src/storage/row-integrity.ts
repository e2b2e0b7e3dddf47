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

import { ReadAgainFilter } from './read-again-filter.js';

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
  ssm_parameter_versions: [
    'account',
    'region',
    'name',
    'version',
    'type',
    'key_id',
    'tier',
    'data_type',
    'description',
    'allowed_pattern',
    'policies',
    'value',
    'last_modified_date',
    'last_modified_user',
  ],
  ssm_parameter_labels: ['account', 'region', 'name', 'label', 'version'],
  resource_tags: ['account', 'region', 'resource_type', 'resource_id', 'tag_key', 'tag_value'],
  iam_access_keys: ['access_key_id', 'account', 'principal_arn', 'owner_id', 'secret_sealed', 'status', 'created_at'],
  iam_entities: ['account', 'kind', 'name', 'entity_id', 'arn', 'path', 'created_at', 'attributes'],
  iam_documents: ['owner_arn', 'doc_kind', 'doc_name', 'account', 'document', 'created_at'],
  iam_links: ['link', 'from_arn', 'to_arn', 'account'],
  kms_keys: [
    'key_id',
    'account',
    'region',
    'description',
    'key_manager',
    'created_at',
    'current_material',
    'enabled',
    'attributes',
  ],
  kms_aliases: ['account', 'region', 'alias_name', 'key_id'],
  sm_secrets: ['account', 'region', 'name', 'arn', 'created_at', 'attributes', 'purge_at'],
  sm_secret_versions: ['account', 'region', 'name', 'version_id', 'created_at', 'kind', 'value', 'fingerprint'],
  sm_version_stages: ['account', 'region', 'name', 'stage', 'version_id'],
  rotation_functions: ['account', 'region', 'name', 'kind', 'target', 'options', 'key_sealed', 'created_at'],
  rotation_schedules: ['account', 'region', 'target_kind', 'target_name', 'config'],
  // Not the record: its chain hash covers it (audit-chain.ts), so the MAC over the hash binds it
  // without a second pass over a kilobyte per event; readers check the hash against the record.
  audit_events: [
    'seq',
    'event_id',
    'event_time',
    'account',
    'event_source',
    'event_name',
    'read_only',
    'username',
    'access_key_id',
    'error_code',
    'prev_hash',
    'hash',
    'principal',
    'resources',
  ],
  audit_outbox: ['event_id', 'created_at', 'record', 'names'],
};

/**
 * An integer column's value as the driver returns it: a number (SQLite), a bigint, or decimal
 * digits (PostgreSQL's BIGINT); anything else is NaN. Number() would read `'0x1a'`, stored as
 * text in an INTEGER column behind Coffer's back, as 26: the row's MAC would still match while
 * SQL compares it as text (above every number), hiding the row from every range query.
 */
export function storedInteger(value: unknown): number {
  if (typeof value === 'number') return Number.isInteger(value) ? value : NaN;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && /^-?\d{1,20}$/.test(value)) return Number(value);
  return NaN;
}

/** A row whose MAC does not match (or is missing): changed outside Coffer. */
export class TamperedRowError extends Error {
  readonly code = 'TAMPERED_ROW';

  /** `row` names the row by its key columns (names and ids, never values or documents). */
  constructor(
    readonly table: string,
    readonly row: string,
  ) {
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
  // One allocation: this runs for every row read, so it sizes first and then writes in place.
  const texts: (string | Buffer | null)[] = fields.map((field) => {
    if (field === null || field === undefined) return null;
    if (Buffer.isBuffer(field)) return field;
    if (typeof field === 'boolean') return field ? '1' : '0';
    return typeof field === 'string' ? field : String(field);
  });
  let size = 5 + Buffer.byteLength(table);
  for (const t of texts) size += 5 + (t === null ? 0 : typeof t === 'string' ? Buffer.byteLength(t) : t.length);
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  const put = (tag: number, data: string | Buffer | null) => {
    out[at] = tag;
    const length =
      data === null ? 0 : typeof data === 'string' ? out.write(data, at + 5, 'utf8') : data.copy(out, at + 5);
    out.writeUInt32BE(length, at + 1);
    at += 5 + length;
  };
  put(0x54, table); // T
  for (const t of texts) put(t === null ? 0x4e : typeof t === 'string' ? 0x53 : 0x42, t); // N, S, B
  return out;
}

/** Rows recently proven (read twice lately), by MAC: the same fields under the same MAC need no second HMAC. */
const VERIFIED_ROWS = 20_000;
/**
 * Larger rows (big secret versions) are always HMACed: the memo stays within ~80 MiB (sizes are
 * counted in UTF-16 units, so a row of two-byte text may hold twice its count).
 */
const VERIFIED_ROW_BYTES = 2048;

/** A row whose MAC was checked: its table and its fields, Buffers copied (a caller may change its own). */
interface ProvenRow {
  readonly table: string;
  readonly fields: readonly RowField[];
}

/**
 * Whether two rows' fields are the same values of the same types. Stricter than equal bytes
 * (rowBytes writes 1 and '1' alike), never looser: a miss only costs an HMAC.
 */
function sameFields(proven: readonly RowField[], fields: readonly RowField[]): boolean {
  if (proven.length !== fields.length) return false;
  for (let i = 0; i < fields.length; i++) {
    const a = proven[i];
    const b = fields[i];
    if (a !== b && !(Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b))) return false;
  }
  return true;
}

/**
 * A MAC column's bytes as stored: a BLOB, or text a hand-edited row left there (which then fails
 * its check); anything else (a number, say) is no MAC at all.
 */
function macBytes(mac: unknown): Buffer | undefined {
  if (Buffer.isBuffer(mac)) return mac;
  return typeof mac === 'string' ? Buffer.from(mac) : undefined;
}

/** About how many bytes a row's fields hold (strings by UTF-16 length: a bound for the memo, not an encoding). */
function fieldsSize(fields: readonly RowField[]): number {
  let size = 0;
  for (const f of fields) size += typeof f === 'string' || Buffer.isBuffer(f) ? f.length : 8;
  return size;
}

/** Seals and checks rows for the SQL backends; one per storage, shared by all its connections. */
export class RowIntegrity {
  private authenticator: RowAuthenticator | undefined;
  private readonly verified = new Map<string, ProvenRow>();
  private readonly readAgain = new ReadAgainFilter();

  /** Set once the master key is proven; until then no sealed table may be read or written. */
  use(authenticator: RowAuthenticator): void {
    this.authenticator = authenticator;
    // What another key proved proves nothing under this one.
    this.verified.clear();
  }

  private required(): RowAuthenticator {
    if (!this.authenticator)
      throw new Error('row integrity is not configured: a sealed table was used before the master key was proven');
    return this.authenticator;
  }

  /** The MAC to store with a row of `table` whose sealed columns hold `fields`. */
  seal(table: string, fields: readonly RowField[]): Buffer {
    return this.required().mac(rowBytes(table, fields));
  }

  /** Whether `mac` is the row's (for readers that report a changed row rather than refuse it). */
  verifies(table: string, fields: readonly RowField[], mac: Buffer | null | undefined): boolean {
    const authenticator = this.required();
    const bytes = macBytes(mac);
    return bytes !== undefined && authenticator.verify(rowBytes(table, fields), bytes);
  }

  /**
   * Throws TamperedRowError unless `mac` is the row's. A row read again unchanged (the same
   * fields, compared one by one, under the same MAC as a row proven before) is neither encoded
   * nor HMACed again: any changed field misses the memo. A row enters the memo on its second
   * read lately (read-again-filter.ts).
   */
  check(table: string, fields: readonly RowField[], mac: Buffer | null | undefined, key: string): void {
    const authenticator = this.required();
    const bytes = macBytes(mac);
    if (bytes === undefined) throw new TamperedRowError(table, key);
    const memo = bytes.toString('latin1');
    const proven = this.verified.get(memo);
    if (proven !== undefined && proven.table === table && sameFields(proven.fields, fields)) return;
    if (!authenticator.verify(rowBytes(table, fields), bytes)) throw new TamperedRowError(table, key);
    // A verified MAC is 32 bytes of HMAC output: its first four are as random as any.
    if (fieldsSize(fields) > VERIFIED_ROW_BYTES || !this.readAgain.seenBefore(bytes.readUInt32LE(0))) return;
    if (this.verified.size >= VERIFIED_ROWS) this.verified.clear();
    this.verified.set(memo, { table, fields: fields.map((f) => (Buffer.isBuffer(f) ? Buffer.from(f) : f)) });
  }
}
