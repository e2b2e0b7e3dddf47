/**
 * The KMS domain of the storage contract (storage.ts composes it): logical keys, the
 * generations of their material (wrapped under the master key, never in the clear), and
 * aliases.
 */

/** A logical (KMS-style) key; its material lives in KeyMaterialRow, wrapped. */
export interface KeyRow {
  keyId: string;
  account: string;
  region: string;
  description: string;
  keyManager: 'AWS' | 'CUSTOMER';
  createdAt: number;
  currentMaterial: number;
  enabled: boolean;
  /** KMS state beyond the columns (rotation, deletion schedule, usage) as a JSON object. */
  attributes: string | null;
}

/** One generation of a logical key's material, wrapped under the master key. */
export interface KeyMaterialRow {
  keyId: string;
  materialNo: number;
  wrapped: Buffer;
  createdAt: number;
}

/** An alias (`alias/...`) pointing at a logical key. */
export interface AliasRow {
  account: string;
  region: string;
  aliasName: string;
  keyId: string;
}

/** Reads of keys, their material and aliases (all of them: the keyring loads them at start). */
export interface KeyReader {
  listKeys(): Promise<KeyRow[]>;
  listKeyMaterials(): Promise<KeyMaterialRow[]>;
  listAliases(): Promise<AliasRow[]>;
}

/** Writes of keys, their material and aliases; only inside a transaction. */
export interface KeyWriter extends KeyReader {
  insertKey(row: KeyRow): Promise<void>;
  setKeyAttributes(keyId: string, attributes: string): Promise<void>;
  setKeyCurrentMaterial(keyId: string, materialNo: number): Promise<void>;
  insertKeyMaterial(row: KeyMaterialRow): Promise<void>;
  updateKeyMaterial(row: KeyMaterialRow): Promise<void>;
  /** Inserts only if absent; returns whether it inserted. */
  insertAlias(row: AliasRow): Promise<boolean>;
  /** Returns whether it existed. */
  deleteAlias(account: string, region: string, aliasName: string): Promise<boolean>;
}
