/**
 * The Secrets Manager domain's queries (secret-rows.ts) shared by both SQL backends: secrets,
 * their sealed versions and staging labels, each row sealed with its MAC (row-integrity.ts).
 * SqlRows composes this class with the other domains' over one executor.
 */
import type { RowIntegrity } from './row-integrity.js';
import { storedInteger } from './row-integrity.js';
import type { Scope } from './scope.js';
import type { SecretRow, SecretRowSet, SecretStageRow, SecretVersionRow, SecretWriter } from './secret-rows.js';
import { blobValue, selectBlob, type SqlExecutor } from './sql-executor.js';

const SECRET_COLUMNS =
  'name AS "name", arn AS "arn", created_at AS "createdAt", attributes AS "attributes", purge_at AS "purgeAt", mac ' +
  'AS "mac"';
const VERSION_COLUMNS =
  `version_id AS "versionId", created_at AS "createdAt", kind AS "kind", value AS "value", ` +
  `fingerprint AS "fingerprint", mac AS "mac"`;

type Sealed<T> = T & { mac: Buffer | null };

/**
 * The secret (part 0), its versions (1) and its stages (2) as one statement, read as row arrays
 * (`rows`): each part's own columns, the others' NULL. Parts are read in their lists' orders
 * (versions by creation, then id; stages by name): within a part, the other part's sort columns
 * are all NULL.
 */
const rowSetSql = (sql: SqlExecutor) => {
  const blob = (column: string) => selectBlob(sql, column);
  return `SELECT 0 AS "part", name, arn, created_at AS "createdAt", attributes, purge_at,
    NULL AS "versionId", NULL, NULL, NULL, NULL AS "stage", ${blob('mac')}
  FROM sm_secrets WHERE account = ? AND region = ? AND name = ?
  UNION ALL SELECT 1, NULL, NULL, created_at, NULL, NULL, version_id, kind, ${blob('value')}, fingerprint, NULL,
    ${blob('mac')}
  FROM sm_secret_versions WHERE account = ? AND region = ? AND name = ?
  UNION ALL SELECT 2, NULL, NULL, NULL, NULL, NULL, version_id, NULL, NULL, NULL, stage, ${blob('mac')}
  FROM sm_version_stages WHERE account = ? AND region = ? AND name = ?
  ORDER BY "part", "createdAt", "stage", "versionId"`;
};
/** rowSetSql's columns, by position. */
const SET = {
  part: 0,
  name: 1,
  arn: 2,
  createdAt: 3,
  attributes: 4,
  purgeAt: 5,
  versionId: 6,
  kind: 7,
  value: 8,
  fingerprint: 9,
  stage: 10,
  mac: 11,
} as const;

const secretFields = (s: Scope, r: SecretRow) => [
  s.account,
  s.region,
  r.name,
  r.arn,
  r.createdAt,
  r.attributes,
  r.purgeAt,
];
const versionFields = (s: Scope, name: string, r: SecretVersionRow) => [
  s.account,
  s.region,
  name,
  r.versionId,
  r.createdAt,
  r.kind,
  r.value,
  r.fingerprint,
];
const stageFields = (s: Scope, name: string, r: SecretStageRow) => [s.account, s.region, name, r.stage, r.versionId];

/** Secret reads and writes over one SqlExecutor (helpers are #private: every public method is the contract). */
export class SqlSecretRows implements SecretWriter {
  readonly #rowSetSql: string;

  constructor(
    private readonly sql: SqlExecutor,
    private readonly integrity: RowIntegrity,
    private readonly lock: (scope: Scope, name: string) => Promise<void>,
  ) {
    this.#rowSetSql = rowSetSql(sql);
  }

  lockSecret(account: string, name: string): Promise<void> {
    // The backend's named lock, in a Region no parameter has: it never waits on a parameter's writers.
    return this.lock({ account, region: '*' }, `secret:${name}`);
  }

  #secret(scope: Scope, row: Sealed<SecretRow>): SecretRow {
    const { mac, ...secret } = row;
    secret.createdAt = storedInteger(secret.createdAt);
    secret.purgeAt = secret.purgeAt === null || secret.purgeAt === undefined ? null : storedInteger(secret.purgeAt);
    this.integrity.check(
      'sm_secrets',
      secretFields(scope, secret),
      mac,
      `${scope.account}/${scope.region}/${secret.name}`,
    );
    return secret;
  }

  #version(scope: Scope, name: string, row: Sealed<SecretVersionRow>): SecretVersionRow {
    const { mac, ...version } = row;
    version.createdAt = storedInteger(version.createdAt);
    this.integrity.check(
      'sm_secret_versions',
      versionFields(scope, name, version),
      mac,
      `${scope.account}/${scope.region}/${name}/${version.versionId}`,
    );
    return version;
  }

  #stage(scope: Scope, name: string, row: Sealed<SecretStageRow>): SecretStageRow {
    const { mac, ...stage } = row;
    this.integrity.check(
      'sm_version_stages',
      stageFields(scope, name, stage),
      mac,
      `${scope.account}/${scope.region}/${name}/${stage.stage}`,
    );
    return stage;
  }

  async getSecret(scope: Scope, name: string): Promise<SecretRow | undefined> {
    const rows = await this.sql.all<Sealed<SecretRow>>(
      `SELECT ${SECRET_COLUMNS} FROM sm_secrets WHERE account = ? AND region = ? AND name = ?`,
      [scope.account, scope.region, name],
    );
    return rows[0] && this.#secret(scope, rows[0]);
  }

  async getSecretRowSet(scope: Scope, name: string): Promise<SecretRowSet | undefined> {
    const where = [scope.account, scope.region, name];
    const rows = await this.sql.rows(this.#rowSetSql, [...where, ...where, ...where]);
    const head = rows[0];
    if (!head || Number(head[SET.part]) !== 0) return undefined;
    const set: SecretRowSet = {
      row: this.#secret(scope, {
        name: head[SET.name] as string,
        arn: head[SET.arn] as string,
        createdAt: head[SET.createdAt] as number,
        attributes: head[SET.attributes] as string,
        purgeAt: head[SET.purgeAt] as number | null,
        mac: blobValue(head[SET.mac]),
      }),
      versions: [],
      stages: [],
    };
    for (let i = 1; i < rows.length; i++) {
      const r = rows[i]!;
      const versionId = r[SET.versionId] as string;
      const mac = blobValue(r[SET.mac]);
      if (Number(r[SET.part]) === 1) {
        const version = {
          versionId,
          createdAt: r[SET.createdAt] as number,
          kind: r[SET.kind] as SecretVersionRow['kind'],
          value: blobValue(r[SET.value]) as Buffer,
          fingerprint: r[SET.fingerprint] as string,
          mac,
        };
        set.versions.push(this.#version(scope, name, version));
      } else set.stages.push(this.#stage(scope, name, { stage: r[SET.stage] as string, versionId, mac }));
    }
    return set;
  }

  async listSecrets(scope: Scope): Promise<SecretRow[]> {
    const rows = await this.sql.all<Sealed<SecretRow>>(
      `SELECT ${SECRET_COLUMNS} FROM sm_secrets WHERE account = ? AND region = ? ORDER BY name`,
      [scope.account, scope.region],
    );
    return rows.map((r) => this.#secret(scope, r));
  }

  async listSecretsToPurge(now: number, limit: number): Promise<{ account: string; region: string; name: string }[]> {
    return this.sql.all<{ account: string; region: string; name: string }>(
      `SELECT account AS "account", region AS "region", name AS "name" FROM sm_secrets WHERE purge_at IS NOT NULL
      AND purge_at <= ?
       ORDER BY purge_at LIMIT ?`,
      [now, limit],
    );
  }

  async listSecretVersions(scope: Scope, name: string): Promise<SecretVersionRow[]> {
    const rows = await this.sql.all<Sealed<SecretVersionRow>>(
      `SELECT ${VERSION_COLUMNS} FROM sm_secret_versions WHERE account = ? AND region = ? AND name = ? ORDER BY ` +
        `created_at, version_id`,
      [scope.account, scope.region, name],
    );
    return rows.map((row) => this.#version(scope, name, row));
  }

  async listSecretStages(scope: Scope, name: string): Promise<SecretStageRow[]> {
    const rows = await this.sql.all<Sealed<SecretStageRow>>(
      'SELECT stage AS "stage", version_id AS "versionId", mac AS "mac" FROM sm_version_stages WHERE account = ? AND ' +
        'region = ? AND name = ? ORDER BY stage',
      [scope.account, scope.region, name],
    );
    return rows.map((row) => this.#stage(scope, name, row));
  }

  async putSecret(scope: Scope, row: SecretRow): Promise<void> {
    const fields = secretFields(scope, row);
    await this.sql.run(
      `INSERT INTO sm_secrets (account, region, name, arn, created_at, attributes, purge_at, mac) VALUES (?, ?, ?, ?,
      ?, ?, ?, ?)
       ON CONFLICT (account, region, name) DO UPDATE SET arn = excluded.arn, created_at = excluded.created_at,
         attributes = excluded.attributes,
         purge_at = excluded.purge_at, mac = excluded.mac`,
      [...fields, this.integrity.seal('sm_secrets', fields)],
    );
  }

  async deleteSecret(scope: Scope, name: string): Promise<void> {
    const key = [scope.account, scope.region, name];
    for (const table of ['sm_secrets', 'sm_secret_versions', 'sm_version_stages']) {
      await this.sql.run(`DELETE FROM ${table} WHERE account = ? AND region = ? AND name = ?`, key);
    }
    await this.sql.run(
      `DELETE FROM resource_tags WHERE account = ? AND region = ? AND resource_type = 'Secret' AND resource_id = ?`,
      key,
    );
  }

  async insertSecretVersion(scope: Scope, name: string, row: SecretVersionRow): Promise<void> {
    const fields = versionFields(scope, name, row);
    await this.sql.run(
      `INSERT INTO sm_secret_versions (account, region, name, version_id, created_at, kind, value, fingerprint, mac) ` +
        `VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [...fields, this.integrity.seal('sm_secret_versions', fields)],
    );
  }

  async deleteSecretVersion(scope: Scope, name: string, versionId: string): Promise<void> {
    await this.sql.run(
      'DELETE FROM sm_secret_versions WHERE account = ? AND region = ? AND name = ? AND version_id = ?',
      [scope.account, scope.region, name, versionId],
    );
  }

  async putSecretStage(scope: Scope, name: string, row: SecretStageRow): Promise<void> {
    const fields = stageFields(scope, name, row);
    await this.sql.run(
      `INSERT INTO sm_version_stages (account, region, name, stage, version_id, mac) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (account, region, name, stage) DO UPDATE SET version_id = excluded.version_id, mac = excluded.mac`,
      [...fields, this.integrity.seal('sm_version_stages', fields)],
    );
  }

  async deleteSecretStage(scope: Scope, name: string, stage: string): Promise<void> {
    await this.sql.run('DELETE FROM sm_version_stages WHERE account = ? AND region = ? AND name = ? AND stage = ?', [
      scope.account,
      scope.region,
      name,
      stage,
    ]);
  }
}
