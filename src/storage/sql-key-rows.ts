/**
 * The KMS domain's queries (key-rows.ts) shared by both SQL backends: logical keys (sealed
 * rows: their state and key policy decide who may use them), their material (wrapped under the
 * master key with its identity as additional data, so it needs no MAC), and aliases (sealed).
 * SqlRows composes this class with the other domains' over one executor.
 */
import type { AliasRow, KeyMaterialRow, KeyRow, KeyWriter } from './key-rows.js';
import type { RowIntegrity } from './row-integrity.js';
import { storedInteger } from './row-integrity.js';
import type { SqlExecutor } from './sql-executor.js';

type Sealed<T> = T & { mac: Buffer | null };

const KEY_COLUMNS = `key_id AS "keyId", account AS "account", region AS "region", description AS "description",
  key_manager AS "keyManager", created_at AS "createdAt", current_material AS "currentMaterial", enabled AS "enabled",
  attributes AS "attributes", mac AS "mac"`;

const keyFields = (r: KeyRow) => [
  r.keyId,
  r.account,
  r.region,
  r.description,
  r.keyManager,
  r.createdAt,
  r.currentMaterial,
  r.enabled ? 1 : 0,
  r.attributes,
];
const aliasFields = (r: AliasRow) => [r.account, r.region, r.aliasName, r.keyId];

/** KMS reads and writes over one SqlExecutor (helpers are #private: every public method is the contract). */
export class SqlKeyRows implements KeyWriter {
  constructor(
    private readonly sql: SqlExecutor,
    private readonly integrity: RowIntegrity,
  ) {}

  async listKeys(): Promise<KeyRow[]> {
    const rows = await this.sql.all<Sealed<KeyRow>>(
      `SELECT ${KEY_COLUMNS} FROM kms_keys ORDER BY created_at, key_id`,
      [],
    );
    return rows.map(({ mac, ...r }) => {
      const key = {
        ...r,
        createdAt: storedInteger(r.createdAt),
        currentMaterial: storedInteger(r.currentMaterial),
        enabled: Boolean(storedInteger(r.enabled)),
      };
      this.integrity.check('kms_keys', keyFields(key), mac, key.keyId);
      return key;
    });
  }

  async listKeyMaterials(): Promise<KeyMaterialRow[]> {
    const rows = await this.sql.all<KeyMaterialRow>(
      `SELECT key_id AS "keyId", material_no AS "materialNo", wrapped AS "wrapped", created_at AS "createdAt"
       FROM kms_key_materials ORDER BY key_id, material_no`,
      [],
    );
    return rows.map((r) => ({ ...r, materialNo: storedInteger(r.materialNo), createdAt: storedInteger(r.createdAt) }));
  }

  async listAliases(): Promise<AliasRow[]> {
    const rows = await this.sql.all<Sealed<AliasRow>>(
      `SELECT account AS "account", region AS "region", alias_name AS "aliasName", key_id AS "keyId", mac AS "mac"
       FROM kms_aliases ORDER BY account, region, alias_name`,
      [],
    );
    return rows.map(({ mac, ...alias }) => {
      this.integrity.check(
        'kms_aliases',
        aliasFields(alias),
        mac,
        `${alias.account}/${alias.region}/${alias.aliasName}`,
      );
      return alias;
    });
  }

  async insertKey(row: KeyRow): Promise<void> {
    await this.sql.run(
      `INSERT INTO kms_keys (key_id, account, region, description, key_manager, created_at, current_material, enabled,
      attributes, mac)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [...keyFields(row), this.integrity.seal('kms_keys', keyFields(row))],
    );
  }

  async setKeyAttributes(keyId: string, attributes: string): Promise<void> {
    await this.#rewriteKey(keyId, (key) => ({ ...key, attributes }));
  }

  async setKeyCurrentMaterial(keyId: string, materialNo: number): Promise<void> {
    await this.#rewriteKey(keyId, (key) => ({ ...key, currentMaterial: materialNo }));
  }

  /** Changes a key row through its checked current state, sealing the result. */
  async #rewriteKey(keyId: string, change: (key: KeyRow) => KeyRow): Promise<void> {
    const current = (await this.listKeys()).find((k) => k.keyId === keyId);
    if (!current) return;
    const row = change(current);
    await this.sql.run('UPDATE kms_keys SET attributes = ?, current_material = ?, mac = ? WHERE key_id = ?', [
      row.attributes,
      row.currentMaterial,
      this.integrity.seal('kms_keys', keyFields(row)),
      keyId,
    ]);
  }

  async insertKeyMaterial(row: KeyMaterialRow): Promise<void> {
    await this.sql.run('INSERT INTO kms_key_materials (key_id, material_no, wrapped, created_at) VALUES (?, ?, ?, ?)', [
      row.keyId,
      row.materialNo,
      row.wrapped,
      row.createdAt,
    ]);
  }

  async updateKeyMaterial(row: KeyMaterialRow): Promise<void> {
    await this.sql.run('UPDATE kms_key_materials SET wrapped = ? WHERE key_id = ? AND material_no = ?', [
      row.wrapped,
      row.keyId,
      row.materialNo,
    ]);
  }

  async insertAlias(row: AliasRow): Promise<boolean> {
    return (
      (await this.sql.run(
        `INSERT INTO kms_aliases (account, region, alias_name, key_id, mac) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (account, region, alias_name) DO NOTHING`,
        [...aliasFields(row), this.integrity.seal('kms_aliases', aliasFields(row))],
      )) === 1
    );
  }

  async deleteAlias(account: string, region: string, aliasName: string): Promise<boolean> {
    return (
      (await this.sql.run('DELETE FROM kms_aliases WHERE account = ? AND region = ? AND alias_name = ?', [
        account,
        region,
        aliasName,
      ])) > 0
    );
  }
}
