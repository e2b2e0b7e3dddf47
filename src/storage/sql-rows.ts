/**
 * The row queries shared by both SQL backends.
 *
 * SQLite and PostgreSQL accept the same SQL for everything Coffer does (ON CONFLICT upserts,
 * quoted aliases, `?` placeholders that the PostgreSQL executor renumbers), so the queries live
 * once here and each backend supplies only an executor and its locking.
 */
import type {
  AccessKeyRow, AliasRow, KeyMaterialRow, KeyRow, LabelRow, ListLatestOptions, ParameterVersionRow, Scope,
  StorageWriter, TagRow,
} from './storage.js';
import { SqlRotationRows } from './sql-rotation-rows.js';

import type { SqlExecutor } from './sql-executor.js';

export type { SqlExecutor };

const VERSION_COLUMNS = `v.name AS "name", v.version AS "version", v.type AS "type", v.key_id AS "keyId",
  v.tier AS "tier", v.data_type AS "dataType", v.description AS "description",
  v.allowed_pattern AS "allowedPattern", v.policies AS "policies", v.value AS "value",
  v.last_modified_date AS "lastModifiedDate", v.last_modified_user AS "lastModifiedUser"`;

const ACCESS_KEY_COLUMNS = `access_key_id AS "accessKeyId", account AS "account", principal_arn AS "principalArn",
  secret_sealed AS "secretSealed", status AS "status", created_at AS "createdAt"`;

const LATEST_JOIN = `ssm_parameters p JOIN ssm_parameter_versions v
  ON v.account = p.account AND v.region = p.region AND v.name = p.name AND v.version = p.version`;

/** The smallest string greater than every string starting with `prefix` (byte order). */
export function prefixUpperBound(prefix: string): string {
  const last = prefix.charCodeAt(prefix.length - 1);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}

function numeric(row: ParameterVersionRow): ParameterVersionRow {
  // PostgreSQL returns BIGINT as a string; normalise once here.
  row.lastModifiedDate = Number(row.lastModifiedDate);
  row.version = Number(row.version);
  return row;
}

/** Row-level reads and writes over any SqlExecutor. */
export class SqlRows extends SqlRotationRows implements StorageWriter {
  constructor(
    sql: SqlExecutor,
    private readonly lock: (scope: Scope, name: string) => Promise<void>,
  ) {
    super(sql);
  }

  lockParameter(scope: Scope, name: string): Promise<void> {
    return this.lock(scope, name);
  }

  async getMeta(key: string): Promise<Buffer | undefined> {
    const rows = await this.sql.all<{ value: Buffer }>('SELECT value AS "value" FROM coffer_meta WHERE key = ?', [key]);
    return rows[0]?.value;
  }

  async insertMeta(key: string, value: Buffer): Promise<boolean> {
    return (await this.sql.run('INSERT INTO coffer_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING', [key, value])) === 1;
  }

  async putMeta(key: string, value: Buffer): Promise<void> {
    await this.sql.run('INSERT INTO coffer_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
  }

  async getLatestVersion(scope: Scope, name: string): Promise<ParameterVersionRow | undefined> {
    // The latest version is always the highest kept one (only the oldest is ever pruned), so
    // one backward primary-key probe finds it without the join.
    const rows = await this.sql.all<ParameterVersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM ssm_parameter_versions v WHERE v.account = ? AND v.region = ? AND v.name = ?
       ORDER BY v.version DESC LIMIT 1`,
      [scope.account, scope.region, name]);
    return rows[0] && numeric(rows[0]);
  }

  async getVersion(scope: Scope, name: string, version: number): Promise<ParameterVersionRow | undefined> {
    const rows = await this.sql.all<ParameterVersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM ssm_parameter_versions v WHERE v.account = ? AND v.region = ? AND v.name = ? AND v.version = ?`,
      [scope.account, scope.region, name, version]);
    return rows[0] && numeric(rows[0]);
  }

  async listVersions(scope: Scope, name: string, afterVersion: number, limit: number): Promise<ParameterVersionRow[]> {
    const rows = await this.sql.all<ParameterVersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM ssm_parameter_versions v
       WHERE v.account = ? AND v.region = ? AND v.name = ? AND v.version > ? ORDER BY v.version LIMIT ?`,
      [scope.account, scope.region, name, afterVersion, limit]);
    return rows.map(numeric);
  }

  async countVersions(scope: Scope, name: string): Promise<number> {
    const rows = await this.sql.all<{ n: number }>(
      'SELECT COUNT(*) AS "n" FROM ssm_parameter_versions WHERE account = ? AND region = ? AND name = ?',
      [scope.account, scope.region, name]);
    return Number(rows[0]?.n ?? 0);
  }

  async listLatest(scope: Scope, options: ListLatestOptions): Promise<ParameterVersionRow[]> {
    const where = ['p.account = ?', 'p.region = ?'];
    const params: unknown[] = [scope.account, scope.region];
    // Name bounds go on both sides of the join (v.name = p.name makes them redundant) so the
    // planner bounds both index scans instead of walking the versions table from its start.
    for (const side of ['p', 'v']) {
      if (options.prefix) {
        where.push(`${side}.name >= ?`, `${side}.name < ?`);
        params.push(options.prefix, prefixUpperBound(options.prefix));
      }
      if (options.after !== undefined) {
        where.push(`${side}.name > ?`);
        params.push(options.after);
      }
    }
    params.push(options.limit);
    const rows = await this.sql.all<ParameterVersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM ${LATEST_JOIN} WHERE ${where.join(' AND ')} ORDER BY p.name LIMIT ?`, params);
    return rows.map(numeric);
  }

  async listLabels(scope: Scope, name: string): Promise<LabelRow[]> {
    const rows = await this.sql.all<LabelRow>(
      `SELECT label AS "label", version AS "version" FROM ssm_parameter_labels
       WHERE account = ? AND region = ? AND name = ? ORDER BY label`,
      [scope.account, scope.region, name]);
    return rows.map((r) => ({ label: r.label, version: Number(r.version) }));
  }

  async listTags(scope: Scope, resourceType: string, resourceIds: readonly string[]): Promise<TagRow[]> {
    if (resourceIds.length === 0) return [];
    const marks = resourceIds.map(() => '?').join(', ');
    return this.sql.all<TagRow>(
      `SELECT resource_id AS "resourceId", tag_key AS "key", tag_value AS "value" FROM resource_tags
       WHERE account = ? AND region = ? AND resource_type = ? AND resource_id IN (${marks}) ORDER BY resource_id, tag_key`,
      [scope.account, scope.region, resourceType, ...resourceIds]);
  }

  async insertVersion(scope: Scope, row: ParameterVersionRow): Promise<void> {
    await this.sql.run(
      `INSERT INTO ssm_parameter_versions (account, region, name, version, type, key_id, tier, data_type,
         description, allowed_pattern, policies, value, last_modified_date, last_modified_user)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [scope.account, scope.region, row.name, row.version, row.type, row.keyId, row.tier, row.dataType,
        row.description, row.allowedPattern, row.policies, row.value, row.lastModifiedDate, row.lastModifiedUser]);
  }

  async setLatestVersion(scope: Scope, name: string, version: number): Promise<void> {
    await this.sql.run(
      `INSERT INTO ssm_parameters (account, region, name, version) VALUES (?, ?, ?, ?)
       ON CONFLICT (account, region, name) DO UPDATE SET version = excluded.version`,
      [scope.account, scope.region, name, version]);
  }

  async deleteVersion(scope: Scope, name: string, version: number): Promise<void> {
    await this.sql.run('DELETE FROM ssm_parameter_versions WHERE account = ? AND region = ? AND name = ? AND version = ?',
      [scope.account, scope.region, name, version]);
  }

  async deleteParameter(scope: Scope, name: string): Promise<boolean> {
    const key = [scope.account, scope.region, name];
    const existed = await this.sql.run('DELETE FROM ssm_parameters WHERE account = ? AND region = ? AND name = ?', key);
    await this.sql.run('DELETE FROM ssm_parameter_versions WHERE account = ? AND region = ? AND name = ?', key);
    await this.sql.run('DELETE FROM ssm_parameter_labels WHERE account = ? AND region = ? AND name = ?', key);
    await this.sql.run(`DELETE FROM resource_tags WHERE account = ? AND region = ? AND resource_type = 'Parameter' AND resource_id = ?`, key);
    return existed > 0;
  }

  async putLabel(scope: Scope, name: string, label: string, version: number): Promise<void> {
    await this.sql.run(
      `INSERT INTO ssm_parameter_labels (account, region, name, label, version) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (account, region, name, label) DO UPDATE SET version = excluded.version`,
      [scope.account, scope.region, name, label, version]);
  }

  async deleteLabel(scope: Scope, name: string, label: string): Promise<void> {
    await this.sql.run('DELETE FROM ssm_parameter_labels WHERE account = ? AND region = ? AND name = ? AND label = ?',
      [scope.account, scope.region, name, label]);
  }

  async putTag(scope: Scope, resourceType: string, tag: TagRow): Promise<void> {
    await this.sql.run(
      `INSERT INTO resource_tags (account, region, resource_type, resource_id, tag_key, tag_value) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (account, region, resource_type, resource_id, tag_key) DO UPDATE SET tag_value = excluded.tag_value`,
      [scope.account, scope.region, resourceType, tag.resourceId, tag.key, tag.value]);
  }

  async deleteTag(scope: Scope, resourceType: string, resourceId: string, key: string): Promise<void> {
    await this.sql.run(
      'DELETE FROM resource_tags WHERE account = ? AND region = ? AND resource_type = ? AND resource_id = ? AND tag_key = ?',
      [scope.account, scope.region, resourceType, resourceId, key]);
  }

  async deleteAllParameters(): Promise<void> {
    for (const table of ['ssm_parameters', 'ssm_parameter_versions', 'ssm_parameter_labels', 'resource_tags',
      'iam_entities', 'iam_documents', 'iam_links', 'sm_secrets', 'sm_secret_versions', 'sm_version_stages', 'rotation_schedules', 'rotation_runs']) {
      await this.sql.run(`DELETE FROM ${table}`, []);
    }
  }

  async getAccessKey(accessKeyId: string): Promise<AccessKeyRow | undefined> {
    const rows = await this.sql.all<AccessKeyRow>(`SELECT ${ACCESS_KEY_COLUMNS} FROM iam_access_keys WHERE access_key_id = ?`, [accessKeyId]);
    return rows[0] && { ...rows[0], createdAt: Number(rows[0].createdAt) };
  }

  async listAccessKeys(principalArn: string): Promise<AccessKeyRow[]> {
    const rows = await this.sql.all<AccessKeyRow>(
      `SELECT ${ACCESS_KEY_COLUMNS} FROM iam_access_keys WHERE principal_arn = ? ORDER BY created_at, access_key_id`, [principalArn]);
    return rows.map((r) => ({ ...r, createdAt: Number(r.createdAt) }));
  }

  async insertAccessKey(row: AccessKeyRow): Promise<void> {
    await this.sql.run(
      `INSERT INTO iam_access_keys (access_key_id, account, principal_arn, secret_sealed, status, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
      [row.accessKeyId, row.account, row.principalArn, row.secretSealed, row.status, row.createdAt]);
  }

  async deleteAccessKey(accessKeyId: string): Promise<void> {
    await this.sql.run('DELETE FROM iam_access_keys WHERE access_key_id = ?', [accessKeyId]);
  }

  async listKeys(): Promise<KeyRow[]> {
    const rows = await this.sql.all<KeyRow>(
      `SELECT key_id AS "keyId", account AS "account", region AS "region", description AS "description",
         key_manager AS "keyManager", created_at AS "createdAt", current_material AS "currentMaterial", enabled AS "enabled",
         attributes AS "attributes"
       FROM kms_keys ORDER BY created_at, key_id`, []);
    return rows.map((r) => ({ ...r, createdAt: Number(r.createdAt), currentMaterial: Number(r.currentMaterial), enabled: Boolean(Number(r.enabled)) }));
  }

  async listKeyMaterials(): Promise<KeyMaterialRow[]> {
    const rows = await this.sql.all<KeyMaterialRow>(
      `SELECT key_id AS "keyId", material_no AS "materialNo", wrapped AS "wrapped", created_at AS "createdAt"
       FROM kms_key_materials ORDER BY key_id, material_no`, []);
    return rows.map((r) => ({ ...r, materialNo: Number(r.materialNo), createdAt: Number(r.createdAt) }));
  }

  async listAliases(): Promise<AliasRow[]> {
    return this.sql.all<AliasRow>(
      `SELECT account AS "account", region AS "region", alias_name AS "aliasName", key_id AS "keyId"
       FROM kms_aliases ORDER BY account, region, alias_name`, []);
  }

  async insertKey(row: KeyRow): Promise<void> {
    await this.sql.run(
      `INSERT INTO kms_keys (key_id, account, region, description, key_manager, created_at, current_material, enabled, attributes)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [row.keyId, row.account, row.region, row.description, row.keyManager, row.createdAt, row.currentMaterial, row.enabled ? 1 : 0,
        row.attributes]);
  }

  async setKeyAttributes(keyId: string, attributes: string): Promise<void> {
    await this.sql.run('UPDATE kms_keys SET attributes = ? WHERE key_id = ?', [attributes, keyId]);
  }

  async setKeyCurrentMaterial(keyId: string, materialNo: number): Promise<void> {
    await this.sql.run('UPDATE kms_keys SET current_material = ? WHERE key_id = ?', [materialNo, keyId]);
  }

  async insertKeyMaterial(row: KeyMaterialRow): Promise<void> {
    await this.sql.run('INSERT INTO kms_key_materials (key_id, material_no, wrapped, created_at) VALUES (?, ?, ?, ?)',
      [row.keyId, row.materialNo, row.wrapped, row.createdAt]);
  }

  async updateKeyMaterial(row: KeyMaterialRow): Promise<void> {
    await this.sql.run('UPDATE kms_key_materials SET wrapped = ? WHERE key_id = ? AND material_no = ?',
      [row.wrapped, row.keyId, row.materialNo]);
  }

  async insertAlias(row: AliasRow): Promise<boolean> {
    return (await this.sql.run(
      `INSERT INTO kms_aliases (account, region, alias_name, key_id) VALUES (?, ?, ?, ?)
       ON CONFLICT (account, region, alias_name) DO NOTHING`,
      [row.account, row.region, row.aliasName, row.keyId])) === 1;
  }

  async deleteAlias(account: string, region: string, aliasName: string): Promise<boolean> {
    return (await this.sql.run('DELETE FROM kms_aliases WHERE account = ? AND region = ? AND alias_name = ?', [account, region, aliasName])) > 0;
  }
}
