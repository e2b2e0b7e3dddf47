/**
 * The Secrets Manager row queries shared by both SQL backends: secrets, their sealed versions
 * and staging labels.
 */
import type { Scope, SecretRow, SecretStageRow, SecretVersionRow } from './storage.js';
import { SqlIdentityRows } from './sql-identity-rows.js';

const SECRET_COLUMNS = 'name AS "name", arn AS "arn", created_at AS "createdAt", attributes AS "attributes"';
const VERSION_COLUMNS = `version_id AS "versionId", created_at AS "createdAt", kind AS "kind", value AS "value", fingerprint AS "fingerprint"`;

const withTime = <T extends { createdAt: number }>(row: T): T => ({ ...row, createdAt: Number(row.createdAt) });

/** Secret reads and writes over any SqlExecutor (the query groups stack: identity, secrets, then SqlRows). */
export class SqlSecretRows extends SqlIdentityRows {
  async getSecret(scope: Scope, name: string): Promise<SecretRow | undefined> {
    const rows = await this.sql.all<SecretRow>(`SELECT ${SECRET_COLUMNS} FROM sm_secrets WHERE account = ? AND region = ? AND name = ?`,
      [scope.account, scope.region, name]);
    return rows[0] && withTime(rows[0]);
  }

  async listSecrets(scope: Scope): Promise<SecretRow[]> {
    const rows = await this.sql.all<SecretRow>(`SELECT ${SECRET_COLUMNS} FROM sm_secrets WHERE account = ? AND region = ? ORDER BY name`,
      [scope.account, scope.region]);
    return rows.map(withTime);
  }

  async listSecretVersions(scope: Scope, name: string): Promise<SecretVersionRow[]> {
    const rows = await this.sql.all<SecretVersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM sm_secret_versions WHERE account = ? AND region = ? AND name = ? ORDER BY created_at, version_id`,
      [scope.account, scope.region, name]);
    return rows.map(withTime);
  }

  listSecretStages(scope: Scope, name: string): Promise<SecretStageRow[]> {
    return this.sql.all<SecretStageRow>(
      'SELECT stage AS "stage", version_id AS "versionId" FROM sm_version_stages WHERE account = ? AND region = ? AND name = ? ORDER BY stage',
      [scope.account, scope.region, name]);
  }

  async putSecret(scope: Scope, row: SecretRow): Promise<void> {
    await this.sql.run(
      `INSERT INTO sm_secrets (account, region, name, arn, created_at, attributes) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (account, region, name) DO UPDATE SET arn = excluded.arn, created_at = excluded.created_at, attributes = excluded.attributes`,
      [scope.account, scope.region, row.name, row.arn, row.createdAt, row.attributes]);
  }

  async deleteSecret(scope: Scope, name: string): Promise<void> {
    const key = [scope.account, scope.region, name];
    for (const table of ['sm_secrets', 'sm_secret_versions', 'sm_version_stages']) {
      await this.sql.run(`DELETE FROM ${table} WHERE account = ? AND region = ? AND name = ?`, key);
    }
    await this.sql.run(`DELETE FROM resource_tags WHERE account = ? AND region = ? AND resource_type = 'Secret' AND resource_id = ?`, key);
  }

  async insertSecretVersion(scope: Scope, name: string, row: SecretVersionRow): Promise<void> {
    await this.sql.run(
      `INSERT INTO sm_secret_versions (account, region, name, version_id, created_at, kind, value, fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [scope.account, scope.region, name, row.versionId, row.createdAt, row.kind, row.value, row.fingerprint]);
  }

  async deleteSecretVersion(scope: Scope, name: string, versionId: string): Promise<void> {
    await this.sql.run('DELETE FROM sm_secret_versions WHERE account = ? AND region = ? AND name = ? AND version_id = ?',
      [scope.account, scope.region, name, versionId]);
  }

  async putSecretStage(scope: Scope, name: string, row: SecretStageRow): Promise<void> {
    await this.sql.run(
      `INSERT INTO sm_version_stages (account, region, name, stage, version_id) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (account, region, name, stage) DO UPDATE SET version_id = excluded.version_id`,
      [scope.account, scope.region, name, row.stage, row.versionId]);
  }

  async deleteSecretStage(scope: Scope, name: string, stage: string): Promise<void> {
    await this.sql.run('DELETE FROM sm_version_stages WHERE account = ? AND region = ? AND name = ? AND stage = ?',
      [scope.account, scope.region, name, stage]);
  }
}
