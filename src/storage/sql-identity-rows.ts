/**
 * The IAM row queries shared by both SQL backends (split from SqlRows to keep each file small):
 * entities, their policy documents, links between them, and access-key status.
 */
import type { AccessKeyRow, IamDocumentRow, IamEntityRow, IamLinkRow } from './storage.js';
import type { SqlExecutor } from './sql-executor.js';

const ENTITY_COLUMNS = `account AS "account", kind AS "kind", name AS "name", entity_id AS "id", arn AS "arn",
  path AS "path", created_at AS "createdAt", attributes AS "attributes"`;
const DOCUMENT_COLUMNS = `owner_arn AS "ownerArn", doc_kind AS "docKind", doc_name AS "docName", account AS "account",
  document AS "document", created_at AS "createdAt"`;

const withTime = <T extends { createdAt: number }>(row: T): T => ({ ...row, createdAt: Number(row.createdAt) });

/** IAM reads and writes over any SqlExecutor. */
export class SqlIdentityRows {
  constructor(protected readonly sql: SqlExecutor) {}

  async getIamEntity(account: string, kind: IamEntityRow['kind'], name: string): Promise<IamEntityRow | undefined> {
    const rows = await this.sql.all<IamEntityRow>(
      `SELECT ${ENTITY_COLUMNS} FROM iam_entities WHERE account = ? AND kind = ? AND name = ?`, [account, kind, name]);
    return rows[0] && withTime(rows[0]);
  }

  async listIamEntities(account: string, kind: IamEntityRow['kind']): Promise<IamEntityRow[]> {
    const rows = await this.sql.all<IamEntityRow>(
      `SELECT ${ENTITY_COLUMNS} FROM iam_entities WHERE account = ? AND kind = ? ORDER BY name`, [account, kind]);
    return rows.map(withTime);
  }

  async putIamEntity(row: IamEntityRow): Promise<void> {
    await this.sql.run(
      `INSERT INTO iam_entities (account, kind, name, entity_id, arn, path, created_at, attributes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (account, kind, name) DO UPDATE SET attributes = excluded.attributes`,
      [row.account, row.kind, row.name, row.id, row.arn, row.path, row.createdAt, row.attributes]);
  }

  async deleteIamEntity(account: string, kind: IamEntityRow['kind'], name: string): Promise<void> {
    await this.sql.run('DELETE FROM iam_entities WHERE account = ? AND kind = ? AND name = ?', [account, kind, name]);
  }

  async listIamDocuments(ownerArn: string, docKind: IamDocumentRow['docKind']): Promise<IamDocumentRow[]> {
    const rows = await this.sql.all<IamDocumentRow>(
      `SELECT ${DOCUMENT_COLUMNS} FROM iam_documents WHERE owner_arn = ? AND doc_kind = ? ORDER BY doc_name`, [ownerArn, docKind]);
    return rows.map(withTime);
  }

  async putIamDocument(row: IamDocumentRow): Promise<void> {
    await this.sql.run(
      `INSERT INTO iam_documents (owner_arn, doc_kind, doc_name, account, document, created_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (owner_arn, doc_kind, doc_name) DO UPDATE SET document = excluded.document`,
      [row.ownerArn, row.docKind, row.docName, row.account, row.document, row.createdAt]);
  }

  async deleteIamDocument(ownerArn: string, docKind: IamDocumentRow['docKind'], docName: string): Promise<boolean> {
    return (await this.sql.run('DELETE FROM iam_documents WHERE owner_arn = ? AND doc_kind = ? AND doc_name = ?',
      [ownerArn, docKind, docName])) > 0;
  }

  async listIamLinks(link: IamLinkRow['link'], end: { fromArn: string } | { toArn: string }): Promise<IamLinkRow[]> {
    const [column, value] = 'fromArn' in end ? ['from_arn', end.fromArn] : ['to_arn', end.toArn];
    return this.sql.all<IamLinkRow>(
      `SELECT link AS "link", from_arn AS "fromArn", to_arn AS "toArn", account AS "account" FROM iam_links
       WHERE link = ? AND ${column} = ? ORDER BY from_arn, to_arn`, [link, value]);
  }

  async putIamLink(row: IamLinkRow): Promise<void> {
    await this.sql.run(
      'INSERT INTO iam_links (link, from_arn, to_arn, account) VALUES (?, ?, ?, ?) ON CONFLICT (link, from_arn, to_arn) DO NOTHING',
      [row.link, row.fromArn, row.toArn, row.account]);
  }

  async deleteIamLink(row: Omit<IamLinkRow, 'account'>): Promise<boolean> {
    return (await this.sql.run('DELETE FROM iam_links WHERE link = ? AND from_arn = ? AND to_arn = ?',
      [row.link, row.fromArn, row.toArn])) > 0;
  }

  async setAccessKeyStatus(accessKeyId: string, status: AccessKeyRow['status']): Promise<void> {
    await this.sql.run('UPDATE iam_access_keys SET status = ? WHERE access_key_id = ?', [status, accessKeyId]);
  }
}
