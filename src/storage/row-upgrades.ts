/**
 * Row-level steps that follow a migration's DDL, inside the same transaction. Migration 5
 * fills the new columns of existing rows (an access key's owner id, a secret's purge time) and
 * seals every existing row with its MAC: rows written before integrity existed are trusted this
 * once, at the upgrade; from then on a row without a matching MAC is refused. Migration 10 plans
 * the actions of parameter policies stored before Coffer enforced them.
 */
import { SEALED_COLUMNS, storedInteger, type RowField, type RowIntegrity } from './row-integrity.js';
import type { SqlExecutor } from './sql-executor.js';

/** The primary key of each sealed table, to update a row's MAC in place. */
const PRIMARY_KEYS: Readonly<Record<string, readonly string[]>> = {
  ssm_parameters: ['account', 'region', 'name'],
  ssm_parameter_versions: ['account', 'region', 'name', 'version'],
  ssm_parameter_labels: ['account', 'region', 'name', 'label'],
  resource_tags: ['account', 'region', 'resource_type', 'resource_id', 'tag_key'],
  iam_access_keys: ['access_key_id'],
  iam_entities: ['account', 'kind', 'name'],
  iam_documents: ['owner_arn', 'doc_kind', 'doc_name'],
  iam_links: ['link', 'from_arn', 'to_arn'],
  kms_keys: ['key_id'],
  kms_aliases: ['account', 'region', 'alias_name'],
  sm_secrets: ['account', 'region', 'name'],
  sm_secret_versions: ['account', 'region', 'name', 'version_id'],
  sm_version_stages: ['account', 'region', 'name', 'stage'],
  rotation_functions: ['account', 'region', 'name'],
  rotation_schedules: ['account', 'region', 'target_kind', 'target_name'],
};

async function fillNewColumns(sql: SqlExecutor): Promise<void> {
  await sql.run(
    `UPDATE iam_access_keys SET owner_id = (SELECT e.entity_id FROM iam_entities e
    WHERE e.kind = 'user' AND e.arn = iam_access_keys.principal_arn) WHERE owner_id IS NULL`,
    [],
  );
  await sql.run(
    `UPDATE iam_access_keys SET owner_id = account WHERE owner_id IS NULL AND principal_arn = 'arn:aws:iam::' || ` +
      `account || ':root'`,
    [],
  );
  for (const row of await sql.all<{ account: string; region: string; name: string; attributes: string }>(
    'SELECT account AS "account", region AS "region", name AS "name", attributes AS "attributes" FROM sm_secrets',
    [],
  )) {
    const deletionDate = (JSON.parse(row.attributes) as { deletionDate?: number }).deletionDate;
    if (deletionDate !== undefined) {
      await sql.run('UPDATE sm_secrets SET purge_at = ? WHERE account = ? AND region = ? AND name = ?', [
        deletionDate,
        row.account,
        row.region,
        row.name,
      ]);
    }
  }
}

/** Seals every row of every sealed table (used once, by migration 5). */
export async function sealExistingRows(sql: SqlExecutor, integrity: RowIntegrity): Promise<number> {
  let sealed = 0;
  for (const [table, columns] of Object.entries(SEALED_COLUMNS)) {
    const key = PRIMARY_KEYS[table];
    // Tables made after migration 5 (the audit trail's) are sealed from their first row.
    if (!key) continue;
    const rows = await sql.all<Record<string, RowField>>(
      `SELECT ${columns.map((c) => `${c} AS "${c}"`).join(', ')} FROM ${table}`,
      [],
    );
    for (const row of rows) {
      const mac = integrity.seal(
        table,
        columns.map((c) => row[c]),
      );
      await sql.run(`UPDATE ${table} SET mac = ? WHERE ${key.map((k) => `${k} = ?`).join(' AND ')}`, [
        mac,
        ...key.map((k) => row[k]),
      ]);
      sealed++;
    }
  }
  return sealed;
}

/** The migration that made parameter policies' actions (migrations.ts). */
const POLICY_ACTIONS_MIGRATION = 10;

/**
 * Plans an action, due at once, for each policy of every parameter's latest version (policies
 * written before Coffer enforced them). Storage knows no policy: the engine, at its first look,
 * recomputes each one's time from the sealed version and waits until then (policy-actions.ts).
 */
async function planExistingPolicies(sql: SqlExecutor): Promise<void> {
  const rows = await sql.all<{ account: string; region: string; name: string; version: unknown; policies: string }>(
    `SELECT v.account AS "account", v.region AS "region", v.name AS "name", v.version AS "version",
       v.policies AS "policies" FROM ssm_parameter_versions v JOIN ssm_parameters p
       ON p.account = v.account AND p.region = v.region AND p.name = v.name AND p.version = v.version
     WHERE v.policies IS NOT NULL`,
    [],
  );
  for (const row of rows) {
    let entries: unknown;
    try {
      entries = JSON.parse(row.policies);
    } catch {
      continue;
    }
    if (!Array.isArray(entries)) continue;
    const typed = entries.filter((e) => typeof e === 'object' && e !== null && Object.keys(e).length > 0);
    for (const [slot, entry] of typed.entries()) {
      await sql.run(
        `INSERT INTO ssm_policy_actions (account, region, name, slot, version, policy_type, due, status, attempts)
         VALUES (?, ?, ?, ?, ?, ?, 0, 'Pending', 0)`,
        [
          row.account,
          row.region,
          row.name,
          slot,
          storedInteger(row.version),
          String((entry as { Type?: unknown }).Type),
        ],
      );
    }
  }
}

/** The row-level step that follows migration `version`'s DDL, if it has one. */
export async function upgradeRows(version: number, sql: SqlExecutor, integrity: RowIntegrity): Promise<void> {
  if (version === POLICY_ACTIONS_MIGRATION) await planExistingPolicies(sql);
  if (version !== 5) return;
  await fillNewColumns(sql);
  await sealExistingRows(sql, integrity);
}
