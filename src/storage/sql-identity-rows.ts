/**
 * The identity domain's queries (identity-rows.ts) shared by both SQL backends: IAM entities,
 * their policy documents, links between them, and access keys. Every row is sealed
 * (row-integrity.ts): written with its MAC, refused on read if it no longer matches. SqlRows
 * composes this class with the other domains' over one executor.
 */
import type {
  AccessKeyRow,
  AccessKeyUseRow,
  IamDocumentRow,
  IamEntityRow,
  IamLinkRow,
  IdentityWriter,
} from './identity-rows.js';
import type { SqlExecutor } from './sql-executor.js';
import type { RowIntegrity } from './row-integrity.js';
import { storedInteger } from './row-integrity.js';

const ENTITY_COLUMNS = `account AS "account", kind AS "kind", name AS "name", entity_id AS "id", arn AS "arn",
  path AS "path", created_at AS "createdAt", attributes AS "attributes", mac AS "mac"`;
const DOCUMENT_COLUMNS = `owner_arn AS "ownerArn", doc_kind AS "docKind", doc_name AS "docName", account AS "account",
  document AS "document", created_at AS "createdAt", mac AS "mac"`;
const LINK_COLUMNS = 'link AS "link", from_arn AS "fromArn", to_arn AS "toArn", account AS "account", mac AS "mac"';
const ACCESS_KEY_COLUMNS = `access_key_id AS "accessKeyId", account AS "account", principal_arn AS "principalArn",
  owner_id AS "ownerId",
  secret_sealed AS "secretSealed", status AS "status", created_at AS "createdAt", mac AS "mac"`;

type Sealed<T> = T & { mac: Buffer | null };

const entityFields = (r: IamEntityRow) => [r.account, r.kind, r.name, r.id, r.arn, r.path, r.createdAt, r.attributes];
const documentFields = (r: IamDocumentRow) => [r.ownerArn, r.docKind, r.docName, r.account, r.document, r.createdAt];
const linkFields = (r: IamLinkRow) => [r.link, r.fromArn, r.toArn, r.account];
const accessKeyFields = (r: AccessKeyRow) => [
  r.accessKeyId,
  r.account,
  r.principalArn,
  r.ownerId,
  r.secretSealed,
  r.status,
  r.createdAt,
];

/** IAM reads and writes over one SqlExecutor (helpers are #private: every public method is the contract). */
export class SqlIdentityRows implements IdentityWriter {
  constructor(
    private readonly sql: SqlExecutor,
    private readonly integrity: RowIntegrity,
  ) {}

  #entity(row: Sealed<IamEntityRow>): IamEntityRow {
    const { mac, ...entity } = row;
    entity.createdAt = storedInteger(entity.createdAt);
    this.integrity.check('iam_entities', entityFields(entity), mac, `${entity.account}/${entity.kind}/${entity.name}`);
    return entity;
  }

  #document(row: Sealed<IamDocumentRow>): IamDocumentRow {
    const { mac, ...document } = row;
    document.createdAt = storedInteger(document.createdAt);
    this.integrity.check(
      'iam_documents',
      documentFields(document),
      mac,
      `${document.ownerArn}/${document.docKind}/${document.docName}`,
    );
    return document;
  }

  #accessKey(row: Sealed<AccessKeyRow>): AccessKeyRow {
    const { mac, ...key } = row;
    key.createdAt = storedInteger(key.createdAt);
    this.integrity.check('iam_access_keys', accessKeyFields(key), mac, key.accessKeyId);
    return key;
  }

  async getIamEntity(account: string, kind: IamEntityRow['kind'], name: string): Promise<IamEntityRow | undefined> {
    const rows = await this.sql.all<Sealed<IamEntityRow>>(
      `SELECT ${ENTITY_COLUMNS} FROM iam_entities WHERE account = ? AND kind = ? AND name = ?`,
      [account, kind, name],
    );
    return rows[0] && this.#entity(rows[0]);
  }

  async findIamEntityFolded(
    account: string,
    kind: IamEntityRow['kind'],
    name: string,
  ): Promise<IamEntityRow | undefined> {
    const rows = await this.sql.all<Sealed<IamEntityRow>>(
      `SELECT ${ENTITY_COLUMNS} FROM iam_entities WHERE account = ? AND kind = ? AND lower(name) = lower(?)`,
      [account, kind, name],
    );
    return rows[0] && this.#entity(rows[0]);
  }

  async listIamEntities(account: string, kind: IamEntityRow['kind']): Promise<IamEntityRow[]> {
    const rows = await this.sql.all<Sealed<IamEntityRow>>(
      `SELECT ${ENTITY_COLUMNS} FROM iam_entities WHERE account = ? AND kind = ? ORDER BY name`,
      [account, kind],
    );
    return rows.map((r) => this.#entity(r));
  }

  async putIamEntity(row: IamEntityRow): Promise<void> {
    const mac = this.integrity.seal('iam_entities', entityFields(row));
    await this.sql.run(
      `INSERT INTO iam_entities (account, kind, name, entity_id, arn, path, created_at, attributes, mac) VALUES (?, ?,
      ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (account, kind, name) DO UPDATE SET entity_id = excluded.entity_id, arn = excluded.arn,
         path = excluded.path,
         created_at = excluded.created_at, attributes = excluded.attributes, mac = excluded.mac`,
      [...entityFields(row), mac],
    );
  }

  async deleteIamEntity(account: string, kind: IamEntityRow['kind'], name: string): Promise<void> {
    await this.sql.run('DELETE FROM iam_entities WHERE account = ? AND kind = ? AND name = ?', [account, kind, name]);
  }

  async listIamDocuments(ownerArn: string, docKind: IamDocumentRow['docKind']): Promise<IamDocumentRow[]> {
    const rows = await this.sql.all<Sealed<IamDocumentRow>>(
      `SELECT ${DOCUMENT_COLUMNS} FROM iam_documents WHERE owner_arn = ? AND doc_kind = ? ORDER BY doc_name`,
      [ownerArn, docKind],
    );
    return rows.map((r) => this.#document(r));
  }

  async putIamDocument(row: IamDocumentRow): Promise<void> {
    const mac = this.integrity.seal('iam_documents', documentFields(row));
    await this.sql.run(
      `INSERT INTO iam_documents (owner_arn, doc_kind, doc_name, account, document, created_at, mac) VALUES (?, ?, ?,
      ?, ?, ?, ?)
       ON CONFLICT (owner_arn, doc_kind, doc_name) DO UPDATE SET account = excluded.account,
         document = excluded.document,
         created_at = excluded.created_at, mac = excluded.mac`,
      [...documentFields(row), mac],
    );
  }

  async deleteIamDocument(ownerArn: string, docKind: IamDocumentRow['docKind'], docName: string): Promise<boolean> {
    return (
      (await this.sql.run('DELETE FROM iam_documents WHERE owner_arn = ? AND doc_kind = ? AND doc_name = ?', [
        ownerArn,
        docKind,
        docName,
      ])) > 0
    );
  }

  async listIamLinks(link: IamLinkRow['link'], end: { fromArn: string } | { toArn: string }): Promise<IamLinkRow[]> {
    const [column, value] = 'fromArn' in end ? ['from_arn', end.fromArn] : ['to_arn', end.toArn];
    const rows = await this.sql.all<Sealed<IamLinkRow>>(
      `SELECT ${LINK_COLUMNS} FROM iam_links WHERE link = ? AND ${column} = ? ORDER BY from_arn, to_arn`,
      [link, value],
    );
    return rows.map(({ mac, ...row }) => {
      this.integrity.check('iam_links', linkFields(row), mac, `${row.link}/${row.fromArn}/${row.toArn}`);
      return row;
    });
  }

  async putIamLink(row: IamLinkRow): Promise<void> {
    const mac = this.integrity.seal('iam_links', linkFields(row));
    await this.sql.run(
      'INSERT INTO iam_links (link, from_arn, to_arn, account, mac) VALUES (?, ?, ?, ?, ?) ON CONFLICT (link, ' +
        'from_arn, to_arn) DO NOTHING',
      [...linkFields(row), mac],
    );
  }

  async deleteIamLink(row: Omit<IamLinkRow, 'account'>): Promise<boolean> {
    return (
      (await this.sql.run('DELETE FROM iam_links WHERE link = ? AND from_arn = ? AND to_arn = ?', [
        row.link,
        row.fromArn,
        row.toArn,
      ])) > 0
    );
  }

  async getAccessKeyUse(accessKeyId: string): Promise<AccessKeyUseRow | undefined> {
    const rows = await this.sql.all<AccessKeyUseRow & { lastUsedAt: unknown }>(
      'SELECT access_key_id AS "accessKeyId", last_used_at AS "lastUsedAt", service AS "service", region AS "region" ' +
        'FROM iam_access_key_usage WHERE access_key_id = ?',
      [accessKeyId],
    );
    return rows[0] && { ...rows[0], lastUsedAt: storedInteger(rows[0].lastUsedAt) };
  }

  async recordAccessKeyUses(rows: readonly AccessKeyUseRow[]): Promise<void> {
    for (const r of rows) {
      await this.sql.run(
        `INSERT INTO iam_access_key_usage (access_key_id, last_used_at, service, region) VALUES (?, ?, ?, ?)
        ON CONFLICT (access_key_id) DO UPDATE SET last_used_at = excluded.last_used_at, service = excluded.service,
          region = excluded.region
        WHERE excluded.last_used_at > iam_access_key_usage.last_used_at`,
        [r.accessKeyId, r.lastUsedAt, r.service, r.region],
      );
    }
  }

  async getAccessKey(accessKeyId: string): Promise<AccessKeyRow | undefined> {
    const rows = await this.sql.all<Sealed<AccessKeyRow>>(
      `SELECT ${ACCESS_KEY_COLUMNS} FROM iam_access_keys WHERE access_key_id = ?`,
      [accessKeyId],
    );
    return rows[0] && this.#accessKey(rows[0]);
  }

  async listAccessKeys(principalArn: string): Promise<AccessKeyRow[]> {
    const rows = await this.sql.all<Sealed<AccessKeyRow>>(
      `SELECT ${ACCESS_KEY_COLUMNS} FROM iam_access_keys WHERE principal_arn = ? ORDER BY created_at, access_key_id`,
      [principalArn],
    );
    return rows.map((r) => this.#accessKey(r));
  }

  async listAccessKeyIds(principalArn: string): Promise<string[]> {
    const rows = await this.sql.all<{ id: string }>(
      'SELECT access_key_id AS "id" FROM iam_access_keys WHERE principal_arn = ? ORDER BY created_at, access_key_id',
      [principalArn],
    );
    return rows.map((r) => r.id);
  }

  async insertAccessKey(row: AccessKeyRow): Promise<void> {
    await this.sql.run(
      `INSERT INTO iam_access_keys (access_key_id, account, principal_arn, owner_id, secret_sealed, status, ` +
        `created_at, mac) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [...accessKeyFields(row), this.integrity.seal('iam_access_keys', accessKeyFields(row))],
    );
  }

  async deleteAccessKey(accessKeyId: string): Promise<void> {
    await this.sql.run('DELETE FROM iam_access_keys WHERE access_key_id = ?', [accessKeyId]);
    // A new key never inherits an old one's usage: the record goes with its key.
    await this.sql.run('DELETE FROM iam_access_key_usage WHERE access_key_id = ?', [accessKeyId]);
  }

  async setAccessKeyStatus(accessKeyId: string, status: AccessKeyRow['status']): Promise<void> {
    const current = await this.getAccessKey(accessKeyId);
    if (!current) return;
    const row = { ...current, status };
    await this.sql.run('UPDATE iam_access_keys SET status = ?, mac = ? WHERE access_key_id = ?', [
      status,
      this.integrity.seal('iam_access_keys', accessKeyFields(row)),
      accessKeyId,
    ]);
  }
}
