/**
 * The identity domain of the storage contract (storage.ts composes it): IAM users, groups,
 * roles and managed policies, the policy documents they own, the links between them, and
 * access keys (their secrets sealed by the crypto barrier).
 */

/** An access key; the secret is sealed by the crypto barrier. */
export interface AccessKeyRow {
  accessKeyId: string;
  account: string;
  principalArn: string;
  /** The owner's unique id (AIDA... for a user, the account for root): a user recreated under the same name is another
   * owner. */
  ownerId: string;
  secretSealed: Buffer;
  status: 'Active' | 'Inactive';
  createdAt: number;
}

/** An IAM user, group, role or customer-managed policy. */
export interface IamEntityRow {
  account: string;
  kind: 'user' | 'group' | 'role' | 'policy';
  name: string;
  /** AIDA... / AGPA... / AROA... / ANPA... */
  id: string;
  arn: string;
  path: string;
  createdAt: number;
  /** Kind-specific attributes as a JSON object (trust policy, default version, description...). */
  attributes: string;
}

/** A policy document owned by an entity: an inline policy, or a managed policy's version. */
export interface IamDocumentRow {
  ownerArn: string;
  docKind: 'inline' | 'version';
  docName: string;
  account: string;
  document: string;
  createdAt: number;
}

/** A relation between entities: a policy attached to a principal, or a user in a group. */
export interface IamLinkRow {
  link: 'attached' | 'member';
  /** The principal (attached) or the group (member). */
  fromArn: string;
  /** The policy (attached) or the user (member). */
  toArn: string;
  account: string;
}

/**
 * When an access key was last used, for which service and region (GetAccessKeyLastUsed): kept to
 * the hour, unsealed bookkeeping like rotation due times (it decides nothing).
 */
export interface AccessKeyUseRow {
  accessKeyId: string;
  lastUsedAt: number;
  service: string;
  region: string;
}

/** Reads of access keys and IAM entities, documents and links. */
export interface IdentityReader {
  getAccessKeyUse(accessKeyId: string): Promise<AccessKeyUseRow | undefined>;
  getAccessKey(accessKeyId: string): Promise<AccessKeyRow | undefined>;
  listAccessKeys(principalArn: string): Promise<AccessKeyRow[]>;
  /** The ids of the keys rows name `principalArn` as owner of, unchecked (each row is checked when read). */
  listAccessKeyIds(principalArn: string): Promise<string[]>;

  getIamEntity(account: string, kind: IamEntityRow['kind'], name: string): Promise<IamEntityRow | undefined>;
  /** The entity whose name equals `name` ignoring case (IAM names are unique regardless of case). */
  findIamEntityFolded(account: string, kind: IamEntityRow['kind'], name: string): Promise<IamEntityRow | undefined>;
  listIamEntities(account: string, kind: IamEntityRow['kind']): Promise<IamEntityRow[]>;
  listIamDocuments(ownerArn: string, docKind: IamDocumentRow['docKind']): Promise<IamDocumentRow[]>;
  /** Links from `fromArn`, or (given only `toArn`) links to it. */
  listIamLinks(link: IamLinkRow['link'], end: { fromArn: string } | { toArn: string }): Promise<IamLinkRow[]>;
}

/** Writes of access keys and IAM entities, documents and links; only inside a transaction. */
export interface IdentityWriter extends IdentityReader {
  /** Records uses; a use older than the one stored changes nothing. */
  recordAccessKeyUses(rows: readonly AccessKeyUseRow[]): Promise<void>;
  insertAccessKey(row: AccessKeyRow): Promise<void>;
  deleteAccessKey(accessKeyId: string): Promise<void>;
  setAccessKeyStatus(accessKeyId: string, status: AccessKeyRow['status']): Promise<void>;

  /** Inserts or replaces. */
  putIamEntity(row: IamEntityRow): Promise<void>;
  deleteIamEntity(account: string, kind: IamEntityRow['kind'], name: string): Promise<void>;
  /** Inserts or replaces. */
  putIamDocument(row: IamDocumentRow): Promise<void>;
  /** Returns whether it existed. */
  deleteIamDocument(ownerArn: string, docKind: IamDocumentRow['docKind'], docName: string): Promise<boolean>;
  /** Inserts only if absent. */
  putIamLink(row: IamLinkRow): Promise<void>;
  /** Returns whether it existed. */
  deleteIamLink(row: Omit<IamLinkRow, 'account'>): Promise<boolean>;
}
