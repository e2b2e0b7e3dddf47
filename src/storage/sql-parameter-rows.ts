/**
 * The Parameter Store domain's queries (parameter-rows.ts) shared by both SQL backends:
 * versions, the head pointer of each parameter, labels, and the tags of every resource. Each
 * row is sealed (row-integrity.ts). The parameter lock is the backend's (a no-op on SQLite, an
 * advisory lock on PostgreSQL). SqlRows composes this class with the other domains' over one
 * executor.
 */
import type { LabelRow, ListLatestOptions, ParameterVersionRow, ParameterWriter, TagRow } from './parameter-rows.js';
import type { RowIntegrity } from './row-integrity.js';
import { storedInteger, TamperedRowError } from './row-integrity.js';
import type { Scope } from './scope.js';
import { blobValue, selectBlob, type SqlExecutor } from './sql-executor.js';

type Sealed<T> = T & { mac: Buffer | null };

/**
 * A version's columns, its BLOBs read as the executor reads them cheapest (selectBlob), in the
 * order `#version` reads them from a row array (`rows`): the MAC last.
 */
const versionColumns = (sql: SqlExecutor) => `v.name, v.version, v.type, v.key_id, v.tier, v.data_type,
  v.description, v.allowed_pattern, v.policies, ${selectBlob(sql, 'v.value')}, v.last_modified_date,
  v.last_modified_user, ${selectBlob(sql, 'v.mac')}`;
/** Where the version's MAC is in a row array, and the head's after it when the head is joined. */
const VERSION_MAC = 12;
const HEAD_MAC = 13;
/** The head's own name, after its MAC, in a listing's row (its version may be missing). */
const HEAD_NAME = 14;

const versionFields = (s: Scope, r: ParameterVersionRow) => [
  s.account,
  s.region,
  r.name,
  r.version,
  r.type,
  r.keyId,
  r.tier,
  r.dataType,
  r.description,
  r.allowedPattern,
  r.policies,
  r.value,
  r.lastModifiedDate,
  r.lastModifiedUser,
];
const headFields = (s: Scope, name: string, version: number) => [s.account, s.region, name, version];
const labelFields = (s: Scope, name: string, label: string, version: number) => [
  s.account,
  s.region,
  name,
  label,
  version,
];
const tagFields = (s: Scope, type: string, t: TagRow) => [s.account, s.region, type, t.resourceId, t.key, t.value];

/** The smallest string greater than every string starting with `prefix` (byte order). */
export function prefixUpperBound(prefix: string): string {
  const last = prefix.charCodeAt(prefix.length - 1);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}

/** Parameter and tag reads and writes over one SqlExecutor (helpers are #private: every public method is the contract).
 * */
export class SqlParameterRows implements ParameterWriter {
  readonly #versionColumns: string;
  readonly #headMac: string;

  constructor(
    private readonly sql: SqlExecutor,
    private readonly integrity: RowIntegrity,
    private readonly lock: (scope: Scope, name: string) => Promise<void>,
  ) {
    this.#versionColumns = versionColumns(sql);
    this.#headMac = selectBlob(sql, 'p.mac');
  }

  lockParameter(scope: Scope, name: string): Promise<void> {
    return this.lock(scope, name);
  }

  /** A version from its row array (versionColumns' order), its MAC checked, and its head's when `joined`. */
  #version(scope: Scope, columns: readonly unknown[], joined = false): ParameterVersionRow {
    const version: ParameterVersionRow = {
      name: columns[0] as string,
      // PostgreSQL returns BIGINT as a string; normalised once here.
      version: storedInteger(columns[1]),
      type: columns[2] as string,
      keyId: columns[3] as string | null,
      tier: columns[4] as string,
      dataType: columns[5] as string,
      description: columns[6] as string | null,
      allowedPattern: columns[7] as string | null,
      policies: columns[8] as string | null,
      value: blobValue(columns[9]) as Buffer,
      lastModifiedDate: storedInteger(columns[10]),
      lastModifiedUser: columns[11] as string,
    };
    const key = `${scope.account}/${scope.region}/${version.name}`;
    const mac = blobValue(columns[VERSION_MAC]);
    this.integrity.check('ssm_parameter_versions', versionFields(scope, version), mac, `${key}:${version.version}`);
    if (joined)
      this.integrity.check(
        'ssm_parameters',
        headFields(scope, version.name, version.version),
        blobValue(columns[HEAD_MAC]),
        key,
      );
    return version;
  }

  async getLatestVersion(scope: Scope, name: string): Promise<ParameterVersionRow | undefined> {
    // The latest version is always the highest kept one (only the oldest is ever pruned), so
    // one backward primary-key probe finds it without the join.
    const rows = await this.sql.rows(
      `SELECT ${this.#versionColumns} FROM ssm_parameter_versions v WHERE v.account = ? AND v.region = ? AND v.name = ?
       ORDER BY v.version DESC LIMIT 1`,
      [scope.account, scope.region, name],
    );
    return rows[0] && this.#version(scope, rows[0]);
  }

  async getVersion(scope: Scope, name: string, version: number): Promise<ParameterVersionRow | undefined> {
    const rows = await this.sql.rows(
      `SELECT ${this.#versionColumns} FROM ssm_parameter_versions v ` +
        'WHERE v.account = ? AND v.region = ? AND v.name = ? AND v.version = ?',
      [scope.account, scope.region, name, version],
    );
    return rows[0] && this.#version(scope, rows[0]);
  }

  async listVersions(scope: Scope, name: string, afterVersion: number, limit: number): Promise<ParameterVersionRow[]> {
    const rows = await this.sql.rows(
      `SELECT ${this.#versionColumns} FROM ssm_parameter_versions v
       WHERE v.account = ? AND v.region = ? AND v.name = ? AND v.version > ? ORDER BY v.version LIMIT ?`,
      [scope.account, scope.region, name, afterVersion, limit],
    );
    return rows.map((r) => this.#version(scope, r));
  }

  async versionSpan(scope: Scope, name: string): Promise<{ count: number; oldest: number | undefined }> {
    // One pass over the primary key, no row read: a write to a parameter with 100 versions asks this every time.
    const rows = await this.sql.all<{ n: number; oldest: number | null }>(
      'SELECT COUNT(*) AS "n", MIN(version) AS "oldest" FROM ssm_parameter_versions ' +
        'WHERE account = ? AND region = ? AND name = ?',
      [scope.account, scope.region, name],
    );
    const oldest = rows[0]?.oldest;
    return { count: storedInteger(rows[0]?.n ?? 0), oldest: oldest == null ? undefined : storedInteger(oldest) };
  }

  async listLatest(scope: Scope, options: ListLatestOptions): Promise<ParameterVersionRow[]> {
    const where = ['p.account = ?', 'p.region = ?'];
    const params: unknown[] = [scope.account, scope.region];
    if (options.prefix) {
      where.push('p.name >= ?', 'p.name < ?');
      params.push(options.prefix, prefixUpperBound(options.prefix));
    }
    if (options.after !== undefined) {
      where.push('p.name > ?');
      params.push(options.after);
    }
    params.push(options.limit);
    // The page of heads first, then each head's version by its whole key, whatever the planner
    // thinks of the two tables' ranges: a merge of them would read every kept version (up to 100)
    // of each parameter listed to keep one. A head without its version is a store changed outside
    // Coffer: it comes back with no version and is refused. An inner join dropped it, and the
    // short page ended the listing there, hiding every parameter after it.
    const rows = await this.sql.rows(
      `SELECT ${this.#versionColumns}, ${this.#headMac}, p.name FROM (SELECT account, region, name, version, mac ` +
        `FROM ssm_parameters p WHERE ${where.join(' AND ')} ORDER BY p.name LIMIT ?) p LEFT JOIN ` +
        'ssm_parameter_versions v ON v.account = p.account AND v.region = p.region AND v.name = p.name ' +
        'AND v.version = p.version ORDER BY p.name',
      params,
    );
    return rows.map((r) => {
      if (r[0] === null)
        throw new TamperedRowError('ssm_parameters', `${scope.account}/${scope.region}/${r[HEAD_NAME]}`);
      return this.#version(scope, r, true);
    });
  }

  async listLabels(scope: Scope, name: string): Promise<LabelRow[]> {
    const rows = await this.sql.all<Sealed<LabelRow>>(
      `SELECT label AS "label", version AS "version", mac AS "mac" FROM ssm_parameter_labels
       WHERE account = ? AND region = ? AND name = ? ORDER BY label`,
      [scope.account, scope.region, name],
    );
    return rows.map(({ mac, label, version }) => {
      const row = { label, version: storedInteger(version) };
      this.integrity.check(
        'ssm_parameter_labels',
        labelFields(scope, name, row.label, row.version),
        mac,
        `${scope.account}/${scope.region}/${name}/${label}`,
      );
      return row;
    });
  }

  async listTags(scope: Scope, resourceType: string, resourceIds: readonly string[]): Promise<TagRow[]> {
    if (resourceIds.length === 0) return [];
    const marks = resourceIds.map(() => '?').join(', ');
    const rows = await this.sql.all<Sealed<TagRow>>(
      `SELECT resource_id AS "resourceId", tag_key AS "key", tag_value AS "value", mac AS "mac" FROM resource_tags
       WHERE account = ? AND region = ? AND resource_type = ? AND resource_id IN (${marks}) ORDER BY resource_id,
         tag_key`,
      [scope.account, scope.region, resourceType, ...resourceIds],
    );
    return rows.map(({ mac, ...tag }) => {
      this.integrity.check(
        'resource_tags',
        tagFields(scope, resourceType, tag),
        mac,
        `${scope.account}/${scope.region}/${resourceType}/${tag.resourceId}/${tag.key}`,
      );
      return tag;
    });
  }

  async insertVersion(scope: Scope, row: ParameterVersionRow): Promise<void> {
    const fields = versionFields(scope, row);
    await this.sql.run(
      `INSERT INTO ssm_parameter_versions (account, region, name, version, type, key_id, tier, data_type,
         description, allowed_pattern, policies, value, last_modified_date, last_modified_user, mac)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [...fields, this.integrity.seal('ssm_parameter_versions', fields)],
    );
  }

  async setLatestVersion(scope: Scope, name: string, version: number): Promise<void> {
    const fields = headFields(scope, name, version);
    await this.sql.run(
      `INSERT INTO ssm_parameters (account, region, name, version, mac) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (account, region, name) DO UPDATE SET version = excluded.version, mac = excluded.mac`,
      [...fields, this.integrity.seal('ssm_parameters', fields)],
    );
  }

  async deleteVersion(scope: Scope, name: string, version: number): Promise<void> {
    await this.sql.run(
      'DELETE FROM ssm_parameter_versions WHERE account = ? AND region = ? AND name = ? AND version = ?',
      [scope.account, scope.region, name, version],
    );
  }

  async deleteParameter(scope: Scope, name: string): Promise<boolean> {
    const key = [scope.account, scope.region, name];
    const existed = await this.sql.run('DELETE FROM ssm_parameters WHERE account = ? AND region = ? AND name = ?', key);
    await this.sql.run('DELETE FROM ssm_parameter_versions WHERE account = ? AND region = ? AND name = ?', key);
    await this.sql.run('DELETE FROM ssm_parameter_labels WHERE account = ? AND region = ? AND name = ?', key);
    await this.sql.run(
      `DELETE FROM resource_tags WHERE account = ? AND region = ? AND resource_type = 'Parameter' AND resource_id = ?`,
      key,
    );
    return existed > 0;
  }

  async putLabel(scope: Scope, name: string, label: string, version: number): Promise<void> {
    const fields = labelFields(scope, name, label, version);
    await this.sql.run(
      `INSERT INTO ssm_parameter_labels (account, region, name, label, version, mac) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (account, region, name, label) DO UPDATE SET version = excluded.version, mac = excluded.mac`,
      [...fields, this.integrity.seal('ssm_parameter_labels', fields)],
    );
  }

  async deleteLabel(scope: Scope, name: string, label: string): Promise<void> {
    await this.sql.run('DELETE FROM ssm_parameter_labels WHERE account = ? AND region = ? AND name = ? AND label = ?', [
      scope.account,
      scope.region,
      name,
      label,
    ]);
  }

  async putTag(scope: Scope, resourceType: string, tag: TagRow): Promise<void> {
    const fields = tagFields(scope, resourceType, tag);
    await this.sql.run(
      `INSERT INTO resource_tags (account, region, resource_type, resource_id, tag_key, tag_value, mac) VALUES (?, ?,
      ?, ?, ?, ?, ?)
       ON CONFLICT (account, region, resource_type, resource_id,
         tag_key) DO UPDATE SET tag_value = excluded.tag_value, mac = excluded.mac`,
      [...fields, this.integrity.seal('resource_tags', fields)],
    );
  }

  async deleteTag(scope: Scope, resourceType: string, resourceId: string, key: string): Promise<void> {
    await this.sql.run(
      'DELETE FROM resource_tags WHERE account = ? AND region = ? AND resource_type = ? AND resource_id = ? AND ' +
        'tag_key = ?',
      [scope.account, scope.region, resourceType, resourceId, key],
    );
  }
}
