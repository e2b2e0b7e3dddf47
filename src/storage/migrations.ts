/**
 * Versioned schema migrations, applied in order at start.
 *
 * Each migration is a list of statements written once with a few dialect placeholders:
 * `{blob}` (BLOB / BYTEA), `{text}` (TEXT, with the C collation on PostgreSQL so names sort by
 * byte as SQLite sorts them) and `{bigint}`. Never edit a released migration; add a new one.
 */

/** What differs between the two SQL dialects in DDL. */
export interface Dialect {
  name: 'sqlite' | 'postgres';
  blob: string;
  text: string;
  bigint: string;
}

export const SQLITE_DIALECT: Dialect = { name: 'sqlite', blob: 'BLOB', text: 'TEXT', bigint: 'INTEGER' };
export const POSTGRES_DIALECT: Dialect = {
  name: 'postgres',
  blob: 'BYTEA',
  text: 'TEXT COLLATE "C"',
  bigint: 'BIGINT',
};

/**
 * The audit trail's tables, in the store (migration 6; PostgreSQL keeps them there) and in the
 * embedded store's audit file (AUDIT_FILE_MIGRATIONS).
 */
const AUDIT_TABLES: readonly string[] = [
  `CREATE TABLE audit_events (
     seq {bigint} PRIMARY KEY, event_id {text} NOT NULL, event_time {bigint} NOT NULL, account {text} NOT NULL,
       event_source {text} NOT NULL,
     event_name {text} NOT NULL, read_only INTEGER NOT NULL, username {text}, access_key_id {text}, error_code {text},
     prev_hash {text} NOT NULL, hash {text} NOT NULL, record {text} NOT NULL, principal {text}, resources {text},
       mac {blob})`,
  // Found by name (lookups by resource, reports) and by event (filters, pruning), built from
  // audit_events.resources in batches. Rows in insertion order with two indexes: a tree of
  // whole rows ordered by name cost twice as much to fill.
  `CREATE TABLE audit_resources (
     resource_name {text} NOT NULL, seq {bigint} NOT NULL, position INTEGER NOT NULL, resource_type {text} NOT NULL,
       arn {text} NOT NULL,
     event_time {bigint} NOT NULL, principal {text}, read_only INTEGER NOT NULL, succeeded INTEGER NOT NULL)`,
  `CREATE UNIQUE INDEX audit_resources_name ON audit_resources (resource_name, seq, position)`,
  `CREATE INDEX audit_resources_seq ON audit_resources (seq)`,
  // How far the resource index has been built: one row.
  `CREATE TABLE audit_index_state (id INTEGER PRIMARY KEY CHECK (id = 1), indexed_through {bigint} NOT NULL)`,
  `CREATE TABLE audit_digests (
     digest_no {bigint} PRIMARY KEY, kind {text} NOT NULL, created_at {bigint} NOT NULL, first_seq {bigint} NOT NULL,
     last_seq {bigint} NOT NULL, head_hash {text} NOT NULL, previous_hash {text} NOT NULL, signature {text} NOT NULL)`,
];

/** Events are found by id: LookupEvents' EventId, and an outbox event carried twice is chained once. */
const AUDIT_EVENT_ID_INDEX = 'CREATE UNIQUE INDEX audit_events_event_id ON audit_events (event_id)';

/** A statement for both dialects, or for one only. */
type Statement = string | { readonly sqlite?: string; readonly postgres?: string };

/** The migrations, index i holding version i + 1. */
const MIGRATIONS: readonly (readonly Statement[])[] = [
  [
    `CREATE TABLE coffer_meta (key {text} PRIMARY KEY, value {blob} NOT NULL)`,
    `CREATE TABLE kms_keys (
       key_id {text} PRIMARY KEY, account {text} NOT NULL, region {text} NOT NULL,
       description {text} NOT NULL, key_manager {text} NOT NULL, created_at {bigint} NOT NULL,
       current_material INTEGER NOT NULL, enabled INTEGER NOT NULL)`,
    `CREATE TABLE kms_key_materials (
       key_id {text} NOT NULL, material_no INTEGER NOT NULL, wrapped {blob} NOT NULL,
       created_at {bigint} NOT NULL, PRIMARY KEY (key_id, material_no))`,
    `CREATE TABLE kms_aliases (
       account {text} NOT NULL, region {text} NOT NULL, alias_name {text} NOT NULL, key_id {text} NOT NULL,
       PRIMARY KEY (account, region, alias_name))`,
    `CREATE TABLE ssm_parameters (
       account {text} NOT NULL, region {text} NOT NULL, name {text} NOT NULL, version INTEGER NOT NULL,
       PRIMARY KEY (account, region, name))`,
    `CREATE TABLE ssm_parameter_versions (
       account {text} NOT NULL, region {text} NOT NULL, name {text} NOT NULL, version INTEGER NOT NULL,
       type {text} NOT NULL, key_id {text}, tier {text} NOT NULL, data_type {text} NOT NULL,
       description {text}, allowed_pattern {text}, policies {text}, value {blob} NOT NULL,
       last_modified_date {bigint} NOT NULL, last_modified_user {text} NOT NULL,
       PRIMARY KEY (account, region, name, version))`,
    `CREATE TABLE ssm_parameter_labels (
       account {text} NOT NULL, region {text} NOT NULL, name {text} NOT NULL, label {text} NOT NULL,
       version INTEGER NOT NULL, PRIMARY KEY (account, region, name, label))`,
    `CREATE TABLE resource_tags (
       account {text} NOT NULL, region {text} NOT NULL, resource_type {text} NOT NULL,
       resource_id {text} NOT NULL, tag_key {text} NOT NULL, tag_value {text} NOT NULL,
       PRIMARY KEY (account, region, resource_type, resource_id, tag_key))`,
  ],
  [
    `CREATE TABLE iam_access_keys (
       access_key_id {text} PRIMARY KEY, account {text} NOT NULL, principal_arn {text} NOT NULL,
       secret_sealed {blob} NOT NULL, status {text} NOT NULL, created_at {bigint} NOT NULL)`,
  ],
  [
    `CREATE TABLE iam_entities (
       account {text} NOT NULL, kind {text} NOT NULL, name {text} NOT NULL, entity_id {text} NOT NULL,
       arn {text} NOT NULL, path {text} NOT NULL, created_at {bigint} NOT NULL, attributes {text} NOT NULL,
       PRIMARY KEY (account, kind, name))`,
    `CREATE TABLE iam_documents (
       owner_arn {text} NOT NULL, doc_kind {text} NOT NULL, doc_name {text} NOT NULL, account {text} NOT NULL,
       document {text} NOT NULL, created_at {bigint} NOT NULL, PRIMARY KEY (owner_arn, doc_kind, doc_name))`,
    `CREATE TABLE iam_links (
       link {text} NOT NULL, from_arn {text} NOT NULL, to_arn {text} NOT NULL, account {text} NOT NULL,
       PRIMARY KEY (link, from_arn, to_arn))`,
    `CREATE INDEX iam_links_by_target ON iam_links (link, to_arn)`,
    `ALTER TABLE kms_keys ADD COLUMN attributes {text}`,
  ],
  [
    `CREATE TABLE sm_secrets (
       account {text} NOT NULL, region {text} NOT NULL, name {text} NOT NULL, arn {text} NOT NULL,
       created_at {bigint} NOT NULL, attributes {text} NOT NULL, PRIMARY KEY (account, region, name))`,
    `CREATE TABLE sm_secret_versions (
       account {text} NOT NULL, region {text} NOT NULL, name {text} NOT NULL, version_id {text} NOT NULL,
       created_at {bigint} NOT NULL, kind {text} NOT NULL, value {blob} NOT NULL, fingerprint {text} NOT NULL,
       PRIMARY KEY (account, region, name, version_id))`,
    `CREATE TABLE sm_version_stages (
       account {text} NOT NULL, region {text} NOT NULL, name {text} NOT NULL, stage {text} NOT NULL,
       version_id {text} NOT NULL, PRIMARY KEY (account, region, name, stage))`,
    `CREATE TABLE rotation_functions (
       account {text} NOT NULL, region {text} NOT NULL, name {text} NOT NULL, kind {text} NOT NULL,
         target {text} NOT NULL,
       options {text} NOT NULL, key_sealed {blob} NOT NULL, created_at {bigint} NOT NULL, PRIMARY KEY (account,
         region, name))`,
    `CREATE TABLE rotation_schedules (
       account {text} NOT NULL, region {text} NOT NULL, target_kind {text} NOT NULL, target_name {text} NOT NULL,
       config {text} NOT NULL, next_due {bigint}, lease_owner {text}, lease_until {bigint},
       PRIMARY KEY (account, region, target_kind, target_name))`,
    `CREATE INDEX rotation_schedules_due ON rotation_schedules (next_due)`,
    `CREATE TABLE rotation_runs (
       run_id {text} PRIMARY KEY, account {text} NOT NULL, region {text} NOT NULL, target_kind {text} NOT NULL,
       target_name {text} NOT NULL, token {text} NOT NULL, status {text} NOT NULL, step {text}, error {text},
       attempts INTEGER NOT NULL, started_at {bigint} NOT NULL, finished_at {bigint})`,
    `CREATE INDEX rotation_runs_by_target ON rotation_runs (account, region, target_kind, target_name, started_at)`,
  ],
  [
    // Row integrity (row-integrity.ts): a MAC per row of every table that decides what Coffer
    // does; access keys name their owner's unique id; IAM names are unique regardless of case;
    // secrets past their recovery window are found by purge time (reads never purge).
    ...[
      'ssm_parameters',
      'ssm_parameter_versions',
      'ssm_parameter_labels',
      'resource_tags',
      'iam_access_keys',
      'iam_entities',
      'iam_documents',
      'iam_links',
      'kms_keys',
      'kms_aliases',
      'sm_secrets',
      'sm_secret_versions',
      'sm_version_stages',
      'rotation_functions',
      'rotation_schedules',
    ].map((table) => `ALTER TABLE ${table} ADD COLUMN mac {blob}`),
    `ALTER TABLE iam_access_keys ADD COLUMN owner_id {text}`,
    `ALTER TABLE sm_secrets ADD COLUMN purge_at {bigint}`,
    `CREATE INDEX sm_secrets_purge ON sm_secrets (purge_at)`,
    `CREATE UNIQUE INDEX iam_entities_folded_name ON iam_entities (account, kind, lower(name))`,
  ],
  [
    // The audit trail (audit-rows.ts): one global sequence of hash-chained events, the resources
    // each touched (for lookups and reports), and the signed digests and checkpoints.
    ...AUDIT_TABLES,
  ],
  [
    // The audit trail's outbox (audit-outbox-rows.ts): the event of a write, committed with it,
    // until the trail has chained it. On SQLite the trail moves to a file of its own (the
    // audit file's migration takes the moved tables' rows and drops them); on PostgreSQL it
    // stays, and an event is found by its id so that one carried twice is chained once.
    `CREATE TABLE audit_outbox (event_id {text} PRIMARY KEY, created_at {bigint} NOT NULL, record {text} NOT NULL, ` +
      `names {text} NOT NULL, mac {blob})`,
    ...['audit_events', 'audit_resources', 'audit_index_state', 'audit_digests'].map((table) => ({
      sqlite: `ALTER TABLE ${table} RENAME TO moved_${table}`,
    })),
    { postgres: AUDIT_EVENT_ID_INDEX },
  ],
  [
    // When each access key was last used, to the hour (GetAccessKeyLastUsed; identity-rows.ts).
    `CREATE TABLE iam_access_key_usage (access_key_id {text} PRIMARY KEY, last_used_at {bigint} NOT NULL, service ` +
      `{text} NOT NULL, region {text} NOT NULL)`,
  ],
  [
    // The change log (change-rows.ts): what changed, in commit order on SQLite and in sequence
    // order on PostgreSQL (the feed rereads numbers it saw skipped), for the change feed.
    {
      sqlite:
        'CREATE TABLE coffer_changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, account TEXT NOT NULL, ' +
        'region TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL, arn TEXT NOT NULL, ' +
        'version TEXT NOT NULL, operation TEXT NOT NULL, ' +
        'at INTEGER NOT NULL)',
      postgres:
        'CREATE TABLE coffer_changes (seq BIGSERIAL PRIMARY KEY, account TEXT NOT NULL, ' +
        'region TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL, arn TEXT NOT NULL, ' +
        'version TEXT NOT NULL, operation TEXT NOT NULL, ' +
        'at BIGINT NOT NULL)',
    },
    'CREATE INDEX coffer_changes_at ON coffer_changes (at)',
  ],
  [
    // Parameter policies' actions (policy-action-rows.ts): when each policy of a parameter is
    // next due, its status, and the lease that lets one node run it. Bookkeeping, unsealed.
    `CREATE TABLE ssm_policy_actions (
       account {text} NOT NULL, region {text} NOT NULL, name {text} NOT NULL, slot INTEGER NOT NULL,
       version {bigint} NOT NULL, policy_type {text} NOT NULL, due {bigint}, status {text} NOT NULL,
       attempts INTEGER NOT NULL, lease_owner {text}, lease_until {bigint},
       PRIMARY KEY (account, region, name, slot))`,
    `CREATE INDEX ssm_policy_actions_due ON ssm_policy_actions (due)`,
  ],
];

/** The schema version this build expects. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;

/** The migration that made the audit outbox (and, on PostgreSQL, found events by id). */
export const AUDIT_OUTBOX_SCHEMA_VERSION = 7;

/** The statements of migration `version` (1-based) in the given dialect. */
export function migrationStatements(version: number, dialect: Dialect): string[] {
  const statements = MIGRATIONS[version - 1];
  if (!statements) throw new Error(`no schema migration ${version}`);
  return inDialect(statements, dialect);
}

function inDialect(statements: readonly Statement[], dialect: Dialect): string[] {
  return statements.flatMap((s) => {
    const text = typeof s === 'string' ? s : s[dialect.name];
    return text === undefined
      ? []
      : [text.replace(/\{(blob|text|bigint)\}/g, (_, k: 'blob' | 'text' | 'bigint') => dialect[k])];
  });
}

/** The embedded store's audit file (sqlite-audit-storage.ts): the trail's tables, by themselves. */
const AUDIT_FILE_MIGRATIONS: readonly (readonly Statement[])[] = [[...AUDIT_TABLES, AUDIT_EVENT_ID_INDEX]];

export const LATEST_AUDIT_FILE_VERSION = AUDIT_FILE_MIGRATIONS.length;
export const AUDIT_FILE_MIGRATIONS_TABLE = 'coffer_audit_schema_migrations';

/** The statements of the audit file's migration `version` (1-based). */
export function auditFileMigrationStatements(version: number): string[] {
  const statements = AUDIT_FILE_MIGRATIONS[version - 1];
  if (!statements) throw new Error(`no audit file migration ${version}`);
  return inDialect(statements, SQLITE_DIALECT);
}

export const MIGRATIONS_TABLE = 'coffer_schema_migrations';
