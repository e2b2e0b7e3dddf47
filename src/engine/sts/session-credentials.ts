/**
 * Temporary credentials for role sessions. Nothing is stored: the session token is the
 * session itself (access key id, secret, role, session name, tags, expiry) sealed with a key
 * derived from the master key, so every node sharing the store verifies it, and it cannot be
 * forged or altered. A token past its expiry is refused with ExpiredTokenException.
 */
import type { Credentials } from '@aws-sdk/client-sts';
import type { TokenSealer } from '../../crypto/token-sealer.js';
import { generateAccessKeyId, generateSecretAccessKey, type ActiveAccessKey } from '../identity/access-key-store.js';
import type { RoleSession } from '../iam/caller.js';
import { ExpiredToken } from '../iam/iam-errors.js';

const BINDING = 'sts-session/v2';

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
}

/** Issues and opens session credentials. */
export class SessionCredentials {
  constructor(
    private readonly sealer: TokenSealer,
    private readonly now: () => number = Date.now,
  ) {}

  issue(
    account: string,
    roleArn: string,
    session: Omit<RoleSession, 'expiresAt'>,
    durationSeconds: number,
  ): Credentials {
    const expiresAt = this.now() + durationSeconds * 1000;
    const accessKeyId = generateAccessKeyId('ASIA');
    const secretAccessKey = generateSecretAccessKey();
    const sealed: SealedSession = {
      k: accessKeyId,
      s: secretAccessKey,
      a: account,
      r: roleArn,
      i: session.roleId,
      n: session.sessionName,
      t: { ...session.tags },
      e: expiresAt,
    };
    return {
      AccessKeyId: accessKeyId,
      SecretAccessKey: secretAccessKey,
      SessionToken: this.sealer.seal(sealed, BINDING),
      Expiration: new Date(expiresAt),
    };
  }

  /** Temporary credentials that stand for the user (or root) `principalArn` itself, with the same permissions
   * (GetSessionToken). */
  issueForUser(account: string, principalArn: string, ownerId: string, durationSeconds: number): Credentials {
    const expiresAt = this.now() + durationSeconds * 1000;
    const accessKeyId = generateAccessKeyId('ASIA');
    const secretAccessKey = generateSecretAccessKey();
    const sealed: SealedSession = {
      k: accessKeyId,
      s: secretAccessKey,
      a: account,
      r: principalArn,
      i: ownerId,
      n: '',
      t: {},
      e: expiresAt,
      u: 1,
    };
    return {
      AccessKeyId: accessKeyId,
      SecretAccessKey: secretAccessKey,
      SessionToken: this.sealer.seal(sealed, BINDING),
      Expiration: new Date(expiresAt),
    };
  }

  /** The credential a session token stands for; undefined if forged or for another key id. */
  open(accessKeyId: string, token: string | undefined): ActiveAccessKey | undefined {
    if (token === undefined) return undefined;
    const session = this.sealer.open<SealedSession>(token, BINDING);
    if (!session || session.k !== accessKeyId || typeof session.i !== 'string') return undefined;
    if (session.e <= this.now()) throw new ExpiredToken();
    if (session.u === 1)
      return {
        accessKeyId,
        account: session.a,
        principalArn: session.r,
        ownerId: session.i,
        secretAccessKey: session.s,
        temporary: true,
      };
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
