/**
 * Temporary credentials for role sessions. Nothing is stored: the session token is the
 * session itself (access key id, secret, role, session name, tags, expiry) sealed with a key
 * derived from the master key, so every node sharing the store verifies it, and it cannot be
 * forged or altered. A token past its expiry is refused with ExpiredTokenException.
 *
 * Every token carries the store's session epoch (a random value kept in the store's meta table),
 * so a token opens only on the store that issued it: not after `coffer reset`, nor on another
 * store that shares the master key. A user's own session (GetSessionToken) also names the access
 * key that asked for it, and lives only while that key is Active and the principal's.
 */
import { randomBytes } from 'node:crypto';
import type { Credentials } from '@aws-sdk/client-sts';
import type { Storage } from '../../storage/storage.js';
import type { TokenSealer } from '../../crypto/token-sealer.js';
import { generateAccessKeyId, generateSecretAccessKey, type ActiveAccessKey } from '../identity/access-key-store.js';
import type { RoleSession } from '../iam/caller.js';
import { ExpiredToken } from '../iam/iam-errors.js';

const BINDING = 'sts-session/v3';
const EPOCH_KEY = 'sts:session-epoch';

/** The store's session epoch, made on first use (once, whichever node gets there first). */
export async function storeSessionEpoch(storage: Storage): Promise<string> {
  const existing = await storage.getMeta(EPOCH_KEY);
  if (existing) return existing.toString('hex');
  await storage.transaction(async (tx) => {
    if (!(await tx.getMeta(EPOCH_KEY))) await tx.putMeta(EPOCH_KEY, randomBytes(16));
  });
  return (await storage.getMeta(EPOCH_KEY))!.toString('hex');
}

interface SealedSession {
  k: string;
  s: string;
  a: string;
  /** The role's ARN; for a user's session (GetSessionToken), the user's. */
  r: string;
  /** The role's (or user's) unique id: a session outlives neither its principal nor one recreated under its name. */
  i: string;
  n: string;
  t: Record<string, string>;
  e: number;
  /** A user's own session (GetSessionToken): the user itself, temporarily. */
  u?: 1;
  /** The access key that asked for a user's own session. */
  p?: string;
  /** The issuing store's session epoch. */
  g: string;
}

/** Issues and opens session credentials. */
export class SessionCredentials {
  constructor(
    private readonly sealer: TokenSealer,
    private readonly epoch: string,
    private readonly now: () => number = Date.now,
  ) {}

  issue(
    account: string,
    roleArn: string,
    session: Omit<RoleSession, 'expiresAt'>,
    durationSeconds: number,
  ): Credentials {
    return this.#sealed(durationSeconds, {
      a: account,
      r: roleArn,
      i: session.roleId,
      n: session.sessionName,
      t: { ...session.tags },
    });
  }

  /**
   * Temporary credentials that stand for the user (or root) `principalArn` itself, with the same
   * permissions (GetSessionToken), for as long as `parentAccessKeyId` stays Active and theirs.
   */
  issueForUser(
    account: string,
    principalArn: string,
    ownerId: string,
    parentAccessKeyId: string,
    durationSeconds: number,
  ): Credentials {
    return this.#sealed(durationSeconds, {
      a: account,
      r: principalArn,
      i: ownerId,
      n: '',
      t: {},
      u: 1,
      p: parentAccessKeyId,
    });
  }

  /** New keys for `session`, lasting `durationSeconds`, with the session sealed in their token. */
  #sealed(durationSeconds: number, session: Omit<SealedSession, 'k' | 's' | 'e' | 'g'>): Credentials {
    const expiresAt = this.now() + durationSeconds * 1000;
    const accessKeyId = generateAccessKeyId('ASIA');
    const secretAccessKey = generateSecretAccessKey();
    const sealed: SealedSession = { ...session, k: accessKeyId, s: secretAccessKey, e: expiresAt, g: this.epoch };
    return {
      AccessKeyId: accessKeyId,
      SecretAccessKey: secretAccessKey,
      SessionToken: this.sealer.seal(sealed, BINDING),
      Expiration: new Date(expiresAt),
    };
  }

  /**
   * The credential a session token stands for, as `open` says, and for a user's own session only
   * while the key that asked for it is still Active and the same principal's.
   */
  async authenticate(
    accessKeyId: string,
    token: string,
    keys: { find(id: string): Promise<ActiveAccessKey | undefined> },
  ): Promise<ActiveAccessKey | undefined> {
    const credential = this.open(accessKeyId, token);
    if (credential?.parentAccessKeyId === undefined) return credential;
    const parent = await keys.find(credential.parentAccessKeyId);
    return parent?.principalArn === credential.principalArn && parent.account === credential.account
      ? credential
      : undefined;
  }

  /** The credential a session token stands for; undefined if forged, for another key id or another store. */
  open(accessKeyId: string, token: string | undefined): ActiveAccessKey | undefined {
    if (token === undefined) return undefined;
    const session = this.sealer.open<SealedSession>(token, BINDING);
    if (!session || session.k !== accessKeyId || typeof session.i !== 'string' || session.g !== this.epoch)
      return undefined;
    if (session.e <= this.now()) throw new ExpiredToken();
    if (session.u === 1) {
      if (typeof session.p !== 'string') return undefined;
      return {
        accessKeyId,
        account: session.a,
        principalArn: session.r,
        ownerId: session.i,
        secretAccessKey: session.s,
        temporary: true,
        parentAccessKeyId: session.p,
      };
    }
    return {
      accessKeyId,
      account: session.a,
      principalArn: session.r,
      ownerId: session.i,
      secretAccessKey: session.s,
      session: {
        roleName: session.r.split('/').pop()!,
        roleId: session.i,
        sessionName: session.n,
        tags: session.t,
        expiresAt: session.e,
      },
    };
  }
}
