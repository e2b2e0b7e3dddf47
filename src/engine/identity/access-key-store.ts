/**
 * Access keys: an id (AKIA... style) and a secret, held sealed by the barrier and opened only to
 * verify a request signature. Opened secrets are cached per key id; a deleted or deactivated
 * key is dropped from the cache by the process that changed it (other nodes within CACHE_MS).
 * Every key write bumps the IAM generation; the workers of one `coffer serve --workers N` read it
 * before each cached answer (`generationRefreshMs` 0), so a key deleted through one worker is
 * refused by all of them at once, as by a single process.
 */
import { randomBytes } from 'node:crypto';
import { DEFAULT_SSM_KEY_ALIAS, type Keyring } from '../../crypto/keyring.js';
import type { ValueBarrier } from '../../crypto/value-barrier.js';
import { TamperedRowError } from '../../storage/row-integrity.js';
import type { Scope, Storage } from '../../storage/storage.js';
import type { RoleSession } from '../iam/caller.js';
import { bumpIamGeneration, iamGeneration } from '../iam/iam-entities.js';

const CACHE_MS = 60_000;
const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A usable credential: who it belongs to and the secret to verify signatures with. */
export interface ActiveAccessKey {
  readonly accessKeyId: string;
  readonly account: string;
  readonly principalArn: string;
  /** The principal's unique id (AIDA... for a user, AROA... for a role session, the account for root). */
  readonly ownerId: string;
  readonly secretAccessKey: string;
  /** Set for temporary credentials: the role session they stand for. */
  readonly session?: RoleSession;
  /** Temporary credentials of the principal itself (GetSessionToken): it has no role session, and cannot get another
   * token. */
  readonly temporary?: boolean;
  /** For a user's own session: the long-term key that asked for it, which must stay Active for it to work. */
  readonly parentAccessKeyId?: string;
}

/** A freshly created key pair (the only time the secret is handed out). */
export interface NewAccessKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

function secretContext(accessKeyId: string, account: string): Record<string, string> {
  return { service: 'iam', purpose: 'access-key-secret', account, accessKeyId };
}

/** Generates an access key id the way AWS shapes them: AKIA + 16 base32 characters. */
export function generateAccessKeyId(prefix = 'AKIA'): string {
  return prefix + [...randomBytes(16)].map((b) => ID_ALPHABET[b % 32]).join('');
}

/** Generates a 40-character secret access key. */
export function generateSecretAccessKey(): string {
  return randomBytes(30).toString('base64').replace(/\+/g, 'A').replace(/\//g, 'B');
}

/** Stores and looks up access keys. */
export class AccessKeyStore {
  private readonly cache = new Map<string, { key: ActiveAccessKey | undefined; until: number }>();
  private generation = -1;
  private checkedAt = 0;

  /**
   * `keyScope` names the account and region whose default key seals the secrets;
   * `generationRefreshMs`, when set, how often the IAM generation is read to drop the cache when
   * another process changed keys.
   */
  constructor(
    private readonly storage: Storage,
    private readonly keyring: Keyring,
    private readonly barrier: ValueBarrier,
    private readonly keyScope: Scope,
    private readonly generationRefreshMs?: number,
  ) {}

  /** Stores a key pair for a principal, bound to its unique id (the caller chooses or generates the values). */
  async add(account: string, principalArn: string, ownerId: string, pair: NewAccessKey): Promise<void> {
    if (!/^[A-Z0-9]{16,128}$/.test(pair.accessKeyId))
      throw new Error('an access key id is 16-128 upper-case letters and digits');
    if (pair.secretAccessKey.length < 8) throw new Error('a secret access key needs at least 8 characters');
    const key = await this.keyring.resolve(this.keyScope, undefined, DEFAULT_SSM_KEY_ALIAS);
    const secretSealed = this.barrier.seal(pair.secretAccessKey, key.keyId, secretContext(pair.accessKeyId, account));
    await this.storage.transaction(async (tx) => {
      await tx.insertAccessKey({
        accessKeyId: pair.accessKeyId,
        account,
        principalArn,
        ownerId,
        secretSealed,
        status: 'Active',
        createdAt: Date.now(),
      });
      await bumpIamGeneration(tx);
    });
    this.cache.delete(pair.accessKeyId);
  }

  /** Removes a key. */
  async remove(accessKeyId: string): Promise<void> {
    await this.storage.transaction(async (tx) => {
      await tx.deleteAccessKey(accessKeyId);
      await bumpIamGeneration(tx);
    });
    this.cache.delete(accessKeyId);
  }

  /** Activates or deactivates a key; an inactive key is refused at once on this node. */
  async setStatus(accessKeyId: string, status: 'Active' | 'Inactive'): Promise<void> {
    await this.storage.transaction(async (tx) => {
      await tx.setAccessKeyStatus(accessKeyId, status);
      await bumpIamGeneration(tx);
    });
    this.cache.delete(accessKeyId);
  }

  /** A principal's keys without their secrets. */
  async list(
    principalArn: string,
  ): Promise<{ accessKeyId: string; status: 'Active' | 'Inactive'; createdAt: number }[]> {
    return (await this.storage.listAccessKeys(principalArn)).map((k) => ({
      accessKeyId: k.accessKeyId,
      status: k.status,
      createdAt: k.createdAt,
    }));
  }

  /** The owner of a key, whatever its status. */
  async ownerOf(accessKeyId: string): Promise<string | undefined> {
    return (await this.storage.getAccessKey(accessKeyId))?.principalArn;
  }

  /**
   * The ids of a principal's keys. A row that claims the principal but fails its integrity check
   * is not the principal's: it is left out here, and refused (and reported) wherever it is used.
   */
  async idsOf(principalArn: string): Promise<string[]> {
    const ids: string[] = [];
    for (const id of await this.storage.listAccessKeyIds(principalArn)) {
      const row = await this.storage.getAccessKey(id).catch((error: unknown) => {
        if (error instanceof TamperedRowError) return undefined;
        throw error;
      });
      if (row?.principalArn === principalArn) ids.push(id);
    }
    return ids;
  }

  /** The active key with this id, or undefined; cached, including misses, for a minute. */
  async find(accessKeyId: string): Promise<ActiveAccessKey | undefined> {
    await this.dropIfChangedElsewhere();
    const cached = this.cache.get(accessKeyId);
    if (cached && cached.until > Date.now()) return cached.key;
    const row = await this.storage.getAccessKey(accessKeyId);
    const key =
      row && row.status === 'Active'
        ? {
            accessKeyId,
            account: row.account,
            principalArn: row.principalArn,
            ownerId: row.ownerId,
            secretAccessKey: await this.barrier.open(row.secretSealed, secretContext(accessKeyId, row.account)),
          }
        : undefined;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(accessKeyId, { key, until: Date.now() + CACHE_MS });
    return key;
  }

  private async dropIfChangedElsewhere(): Promise<void> {
    if (this.generationRefreshMs === undefined) return;
    const now = Date.now();
    if (now - this.checkedAt < this.generationRefreshMs) return;
    this.checkedAt = now;
    const generation = await iamGeneration(this.storage);
    if (generation !== this.generation) {
      this.generation = generation;
      this.cache.clear();
    }
  }
}
