/**
 * The keyring: logical KMS-style keys under one master key.
 *
 * Each logical key has a UUID, an ARN and aliases, and one or more generations of 32-byte
 * material. Material is stored wrapped (AES-256-GCM under the master key, bound to key id and
 * generation) and held unwrapped only in this process's memory. Rotating a logical key adds a
 * generation (old ones stay to decrypt); rotating the master key re-wraps every generation in
 * one transaction without touching a single parameter row.
 *
 * Trust boundary: nothing outside crypto/ receives key bytes; the layers above see KeyInfo.
 */
import { hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import type { KeyRow, Scope, Storage, StorageWriter } from '../storage/storage.js';
import { bumpKeyringGeneration, KeyringFollower } from './keyring-generation.js';
import { gcmOpen, gcmSeal } from './aes-gcm.js';
import {
  AlreadyExistsException,
  DisabledException,
  InvalidCiphertextException,
  InvalidKeyReference,
  KMSInvalidStateException,
  NotFoundException,
  WrongMasterKeyError,
} from './errors.js';
import type { MasterKey } from './master-key.js';
import { rewrapRowKey } from './row-authenticator.js';
import { rewrapAuditKey } from './audit-signer.js';

const CANARY_META_KEY = 'master-key-check';
const CANARY_PLAINTEXT = Buffer.from('coffer master key check v1');
const CANARY_AAD = Buffer.from('coffer/master-key-check');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** What the layers above may know about a logical key. */
export interface KeyInfo {
  readonly keyId: string;
  readonly arn: string;
  readonly account: string;
  readonly region: string;
  readonly description: string;
  readonly keyManager: 'AWS' | 'CUSTOMER';
  readonly createdAt: number;
  readonly enabled: boolean;
  readonly generations: number;
  readonly aliases: readonly string[];
  readonly state: KeyState;
  readonly deletionDate?: number;
  readonly rotationEnabled: boolean;
  /** The key policy set on a customer-managed key (absent: the default one applies). */
  readonly policy?: string;
  /** The unique ids the policy's named users and roles had when it was set. */
  readonly policyPrincipals?: Readonly<Record<string, string>>;
}

/** A key's lifecycle state, as KMS names it. */
export type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion';

/** The KMS fields kept in a key row's attributes: lifecycle and policy. */
export interface KeyLifecycle {
  state?: KeyState;
  deletionDate?: number;
  rotationEnabled?: boolean;
  policy?: string;
  policyPrincipals?: Record<string, string>;
}

/** Parsed attributes, once per row object (every decrypt checks the key's state). */
const lifecycles = new WeakMap<KeyRow, KeyLifecycle>();

function lifecycleOf(row: KeyRow): KeyLifecycle {
  let lifecycle = lifecycles.get(row);
  if (!lifecycle) {
    lifecycle = row.attributes ? (JSON.parse(row.attributes) as KeyLifecycle) : {};
    lifecycles.set(row, lifecycle);
  }
  return lifecycle;
}

/** The default key each service uses when the caller names none. */
export const DEFAULT_SSM_KEY_ALIAS = 'alias/aws/ssm';

function materialAad(keyId: string, generation: number): Buffer {
  return Buffer.from(`coffer/kms-material\u0000${keyId}\u0000${generation}`);
}

function keyArn(row: { region: string; account: string; keyId: string }): string {
  return `arn:aws:kms:${row.region}:${row.account}:key/${row.keyId}`;
}

/** Logical keys, their material, and their aliases. */
export class Keyring {
  private keys = new Map<string, KeyRow>();
  private materials = new Map<string, Buffer>();
  private aliases = new Map<string, string>();
  /** Set by followOtherProcesses. */
  private follower: KeyringFollower | undefined;

  private constructor(
    private readonly storage: Storage,
    private master: MasterKey,
  ) {}

  /** Whether `master` opens the store's keyring; 'fresh' when no check value exists yet. */
  static async checkMaster(storage: Storage, master: MasterKey): Promise<'ok' | 'fresh' | 'wrong'> {
    const canary = await storage.getMeta(CANARY_META_KEY);
    if (!canary) return 'fresh';
    try {
      return gcmOpen(master.bytes, canary, CANARY_AAD).equals(CANARY_PLAINTEXT) ? 'ok' : 'wrong';
    } catch {
      return 'wrong';
    }
  }

  /** Opens the keyring of a migrated store, writing the master-key check on first use. */
  static async open(storage: Storage, master: MasterKey): Promise<Keyring> {
    await storage.transaction((tx) =>
      tx.insertMeta(CANARY_META_KEY, gcmSeal(master.bytes, CANARY_PLAINTEXT, CANARY_AAD)),
    );
    if ((await Keyring.checkMaster(storage, master)) !== 'ok') throw new WrongMasterKeyError(master.source);
    const keyring = new Keyring(storage, master);
    await keyring.reload();
    return keyring;
  }

  /**
   * Reads the keyring's stored generation before each lookup (at most once per `refreshMs`),
   * reloading when another process changed a key, an alias or a key's state: the workers of
   * `coffer serve --workers N` (0: every lookup) see a key disabled or scheduled for deletion
   * through any of them at once, as one process would.
   */
  followOtherProcesses(refreshMs: number): void {
    this.follower = new KeyringFollower(this.storage, refreshMs, () => this.reload());
  }

  private async freshen(): Promise<void> {
    await this.follower?.freshen();
  }

  #loads = 0;

  /** How many times the keyring was (re)loaded: material handed out before a reload is never again. */
  get loads(): number {
    return this.#loads;
  }

  /** Re-reads keys, material and aliases (another process or node may have added some). */
  async reload(): Promise<void> {
    const [keys, materials, aliases] = await Promise.all([
      this.storage.listKeys(),
      this.storage.listKeyMaterials(),
      this.storage.listAliases(),
    ]);
    this.keys = new Map(keys.map((k) => [k.keyId, k]));
    this.materials = new Map(
      materials.map((m) => [
        `${m.keyId}:${m.materialNo}`,
        gcmOpen(this.master.bytes, m.wrapped, materialAad(m.keyId, m.materialNo)),
      ]),
    );
    this.aliases = new Map(aliases.map((a) => [`${a.account}\u0000${a.region}\u0000${a.aliasName}`, a.keyId]));
    this.#loads++;
  }

  /**
   * Resolves a KeyId as AWS accepts it (key id, key ARN, alias name, alias ARN) to a key of
   * this account and region. With no reference, the AWS-managed default key for `defaultAlias`
   * is used, created on first use as AWS does (callers authorize that use first: creating it is a
   * write).
   */
  async resolve(scope: Scope, reference: string | undefined, defaultAlias = DEFAULT_SSM_KEY_ALIAS): Promise<KeyInfo> {
    await this.freshen();
    const ref = reference ?? defaultAlias;
    let keyId = this.lookup(scope, ref);
    if (keyId === undefined) {
      await this.reload();
      keyId = this.lookup(scope, ref);
    }
    if (keyId === undefined && ref === defaultAlias) keyId = await this.createManagedKey(scope, defaultAlias);
    if (keyId === undefined) throw new NotFoundException(`Key '${this.describeReference(scope, ref)}' does not exist`);
    const info = this.info(keyId);
    this.checkUsable(info);
    return info;
  }

  /**
   * As resolve, but never creates: undefined when `reference` (or, absent, `defaultAlias`) names
   * the AWS-managed key and it does not exist yet. A write that needs it makes it only once the
   * write has passed its checks (engine/kms/managed-keys.ts), so a failed write makes nothing.
   */
  async resolveExisting(
    scope: Scope,
    reference: string | undefined,
    defaultAlias = DEFAULT_SSM_KEY_ALIAS,
  ): Promise<KeyInfo | undefined> {
    await this.freshen();
    const ref = reference ?? defaultAlias;
    let keyId = this.lookup(scope, ref);
    if (keyId === undefined) {
      await this.reload();
      keyId = this.lookup(scope, ref);
    }
    if (keyId === undefined && ref === defaultAlias) return undefined;
    if (keyId === undefined) throw new NotFoundException(`Key '${this.describeReference(scope, ref)}' does not exist`);
    const info = this.info(keyId);
    this.checkUsable(info);
    return info;
  }

  /** A key of this scope in any state (for DescribeKey and lifecycle changes); throws NotFoundException. */
  async describe(scope: Scope, reference: string): Promise<KeyInfo> {
    await this.freshen();
    let keyId = this.lookup(scope, reference);
    if (keyId === undefined) {
      await this.reload();
      keyId = this.lookup(scope, reference);
    }
    if (keyId === undefined)
      throw new NotFoundException(`Key '${this.describeReference(scope, reference)}' does not exist`);
    return this.info(keyId);
  }

  /** A key of this scope in any state, or undefined (nothing is created). */
  async find(scope: Scope, reference: string): Promise<KeyInfo | undefined> {
    // describe follows other processes' changes first.
    try {
      return await this.describe(scope, reference);
    } catch (error) {
      if (error instanceof NotFoundException || error instanceof InvalidKeyReference) return undefined;
      throw error;
    }
  }

  /**
   * Changes a key's attributes (state, deletion date, rotation flag, policy): the fields given
   * replace the stored ones, `undefined` removes one, the rest stay.
   */
  async setLifecycle(keyId: string, changes: KeyLifecycle): Promise<KeyInfo> {
    await this.storage.transaction(async (tx) => {
      const row = (await tx.listKeys()).find((k) => k.keyId === keyId);
      if (!row) throw new NotFoundException(`Key '${keyId}' does not exist`);
      const merged: Record<string, unknown> = { ...lifecycleOf(row), ...changes };
      for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k];
      await tx.setKeyAttributes(keyId, JSON.stringify(merged));
      await bumpKeyringGeneration(tx);
    });
    await this.reload();
    return this.info(keyId);
  }

  /** Points a new alias at a key of this scope. */
  async createAlias(scope: Scope, alias: string, keyId: string): Promise<void> {
    if (!/^alias\/[a-zA-Z0-9/_-]{1,250}$/.test(alias) || alias.startsWith('alias/aws/')) {
      throw new InvalidKeyReference(
        `Alias must be of the form alias/name (letters, digits, /_-) and must not begin with alias/aws/: ${alias}`,
      );
    }
    const inserted = await this.storage.transaction(async (tx) => {
      await bumpKeyringGeneration(tx);
      return tx.insertAlias({ ...scope, aliasName: alias, keyId });
    });
    if (!inserted)
      throw new AlreadyExistsException(`An alias with the name ${this.aliasArn(scope, alias)} already exists`);
    await this.reload();
  }

  /** Removes an alias of this scope (never an AWS-managed one). */
  async deleteAlias(scope: Scope, alias: string): Promise<void> {
    if (alias.startsWith('alias/aws/')) throw new InvalidKeyReference(`Cannot delete AWS managed alias ${alias}`);
    const deleted = await this.storage.transaction(async (tx) => {
      await bumpKeyringGeneration(tx);
      return tx.deleteAlias(scope.account, scope.region, alias);
    });
    if (!deleted) throw new NotFoundException(`Alias ${this.aliasArn(scope, alias)} is not found.`);
    await this.reload();
  }

  /** Every alias of one account and region with its key id. */
  aliasesOf(scope: Scope): { aliasName: string; keyId: string }[] {
    const prefix = `${scope.account}\u0000${scope.region}\u0000`;
    return [...this.aliases.entries()]
      .filter(([k]) => k.startsWith(prefix))
      .map(([k, keyId]) => ({ aliasName: k.slice(prefix.length), keyId }))
      .sort((a, b) => (a.aliasName < b.aliasName ? -1 : 1));
  }

  /** Throws unless the key may encrypt and decrypt now. */
  checkUsable(info: KeyInfo): void {
    if (info.state === 'PendingDeletion') throw new KMSInvalidStateException(`${info.arn} is pending deletion.`);
    if (!info.enabled) throw new DisabledException(info.arn);
  }

  /** Every key of one account and region. */
  list(scope: Scope): KeyInfo[] {
    return [...this.keys.values()]
      .filter((k) => k.account === scope.account && k.region === scope.region)
      .map((k) => this.info(k.keyId));
  }

  /** Creates a customer-managed key, optionally with an alias and a key policy. */
  async createKey(
    scope: Scope,
    description: string,
    alias?: string,
    policy?: { text: string; principals: Record<string, string> },
  ): Promise<KeyInfo> {
    if (alias !== undefined && (!/^alias\/[a-zA-Z0-9/_-]{1,250}$/.test(alias) || alias.startsWith('alias/aws/'))) {
      throw new InvalidKeyReference(
        `Alias must be of the form alias/name (letters, digits, /_-) and must not begin with alias/aws/: ${alias}`,
      );
    }
    const keyId = await this.storage.transaction(async (tx) => {
      const id = await this.insertKey(
        tx,
        scope,
        description,
        'CUSTOMER',
        policy === undefined ? null : JSON.stringify({ policy: policy.text, policyPrincipals: policy.principals }),
      );
      if (alias !== undefined && !(await tx.insertAlias({ ...scope, aliasName: alias, keyId: id }))) {
        throw new InvalidKeyReference(`An alias with the name ${this.aliasArn(scope, alias)} already exists`);
      }
      return id;
    });
    await this.reload();
    return this.info(keyId);
  }

  /** Adds a new generation of material to a key; new seals use it, old ones still open. */
  async rotateKeyMaterial(scope: Scope, reference: string): Promise<KeyInfo> {
    const { keyId } = await this.resolve(scope, reference);
    await this.storage.transaction(async (tx) => {
      const current = (await tx.listKeys()).find((k) => k.keyId === keyId);
      if (!current) throw new NotFoundException(`Key '${keyId}' does not exist`);
      const next = current.currentMaterial + 1;
      await tx.insertKeyMaterial({
        keyId,
        materialNo: next,
        wrapped: gcmSeal(this.master.bytes, randomBytes(32), materialAad(keyId, next)),
        createdAt: Date.now(),
      });
      await tx.setKeyCurrentMaterial(keyId, next);
      await bumpKeyringGeneration(tx);
    });
    await this.reload();
    return this.info(keyId);
  }

  /**
   * Re-wraps every key generation and the master-key check under `next`, in one transaction.
   * Parameter rows are untouched: they are sealed under logical keys, not the master key.
   */
  async rotateMaster(next: MasterKey): Promise<number> {
    const count = await this.storage.transaction(async (tx) => {
      const rows = await tx.listKeyMaterials();
      for (const row of rows) {
        const bytes = gcmOpen(this.master.bytes, row.wrapped, materialAad(row.keyId, row.materialNo));
        await tx.updateKeyMaterial({
          ...row,
          wrapped: gcmSeal(next.bytes, bytes, materialAad(row.keyId, row.materialNo)),
        });
      }
      await tx.putMeta(CANARY_META_KEY, gcmSeal(next.bytes, CANARY_PLAINTEXT, CANARY_AAD));
      await rewrapRowKey(tx, this.master, next);
      await rewrapAuditKey(tx, this.master, next);
      await bumpKeyringGeneration(tx);
      return rows.length;
    });
    this.master = next;
    await this.reload();
    return count;
  }

  /** Crypto-internal: the material generation new seals under `keyId` use. */
  currentMaterial(keyId: string): { generation: number; bytes: Buffer } {
    const key = this.keys.get(keyId);
    const bytes = key && this.materials.get(`${keyId}:${key.currentMaterial}`);
    if (!key || !bytes) throw new NotFoundException(`Key '${keyId}' does not exist`);
    return { generation: key.currentMaterial, bytes };
  }

  /** Crypto-internal: one generation of material, reloading once if another node added it. */
  async material(keyId: string, generation: number): Promise<Buffer> {
    await this.freshen();
    let bytes = this.materials.get(`${keyId}:${generation}`);
    if (!bytes || !this.keys.has(keyId)) {
      await this.reload();
      bytes = this.materials.get(`${keyId}:${generation}`);
    }
    // Material without its key row (a row deleted behind Coffer's back) opens nothing: the row
    // holds the state (disabled, pending deletion) that decides whether the key may be used.
    const row = this.keys.get(keyId);
    if (!bytes || !row)
      throw new InvalidCiphertextException('The ciphertext refers to a key that does not exist in this store.');
    const state = lifecycleOf(row).state ?? (row.enabled ? 'Enabled' : 'Disabled');
    if (state !== 'Enabled' || !row.enabled) this.checkUsable(this.info(keyId));
    return bytes;
  }

  /** A key-derivation secret for crypto-internal uses (page tokens); derived, never the key. */
  deriveSecret(purpose: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.master.bytes, Buffer.alloc(0), `coffer/${purpose}`, 32));
  }

  private lookup(scope: Scope, ref: string): string | undefined {
    const arn = /^arn:aws:kms:([^:]+):(\d{12}):(key\/.+|alias\/.+)$/.exec(ref);
    if (arn && (arn[1] !== scope.region || arn[2] !== scope.account)) return undefined;
    const local = arn ? arn[3]! : ref;
    if (local.startsWith('alias/')) return this.aliases.get(`${scope.account}\u0000${scope.region}\u0000${local}`);
    const id = local.startsWith('key/') ? local.slice(4) : local;
    if (!UUID.test(id)) throw new InvalidKeyReference(`Invalid keyId ${ref}`);
    const key = this.keys.get(id);
    return key && key.account === scope.account && key.region === scope.region ? id : undefined;
  }

  private describeReference(scope: Scope, ref: string): string {
    return ref.startsWith('alias/') ? this.aliasArn(scope, ref) : ref;
  }

  private aliasArn(scope: Scope, alias: string): string {
    return `arn:aws:kms:${scope.region}:${scope.account}:${alias}`;
  }

  private async createManagedKey(scope: Scope, alias: string): Promise<string> {
    await this.storage
      .transaction(async (tx) => {
        // Two processes may race to create the default key: the alias insert decides the winner,
        // and the loser's transaction rolls back its key.
        const id = await this.insertKey(
          tx,
          scope,
          `Default key that protects my ${alias.split('/').pop()} data when no other key is defined`,
          'AWS',
        );
        if (!(await tx.insertAlias({ ...scope, aliasName: alias, keyId: id }))) throw new AliasRaceLost();
      })
      .catch((error: unknown) => {
        if (!(error instanceof AliasRaceLost)) throw error;
      });
    await this.reload();
    const keyId = this.lookup(scope, alias);
    if (keyId === undefined) throw new NotFoundException(`Key '${this.aliasArn(scope, alias)}' does not exist`);
    return keyId;
  }

  private async insertKey(
    tx: StorageWriter,
    scope: Scope,
    description: string,
    keyManager: 'AWS' | 'CUSTOMER',
    attributes: string | null = null,
  ): Promise<string> {
    const keyId = randomUUID();
    const now = Date.now();
    await bumpKeyringGeneration(tx);
    await tx.insertKey({
      keyId,
      ...scope,
      description,
      keyManager,
      createdAt: now,
      currentMaterial: 1,
      enabled: true,
      attributes,
    });
    await tx.insertKeyMaterial({
      keyId,
      materialNo: 1,
      wrapped: gcmSeal(this.master.bytes, randomBytes(32), materialAad(keyId, 1)),
      createdAt: now,
    });
    return keyId;
  }

  private info(keyId: string): KeyInfo {
    const row = this.keys.get(keyId)!;
    const aliases = [...this.aliases.entries()].filter(([, id]) => id === keyId).map(([k]) => k.split('\u0000')[2]!);
    const lifecycle = lifecycleOf(row);
    const state = lifecycle.state ?? (row.enabled ? 'Enabled' : 'Disabled');
    return {
      keyId,
      arn: keyArn(row),
      account: row.account,
      region: row.region,
      description: row.description,
      keyManager: row.keyManager,
      createdAt: row.createdAt,
      enabled: row.enabled && state === 'Enabled',
      generations: row.currentMaterial,
      aliases,
      state,
      ...(lifecycle.deletionDate !== undefined ? { deletionDate: lifecycle.deletionDate } : {}),
      rotationEnabled: lifecycle.rotationEnabled ?? row.keyManager === 'AWS',
      ...(lifecycle.policy !== undefined ? { policy: lifecycle.policy } : {}),
      ...(lifecycle.policyPrincipals !== undefined ? { policyPrincipals: lifecycle.policyPrincipals } : {}),
    };
  }
}

class AliasRaceLost extends Error {}
