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
  r: string;
  /** The role's unique id (AROA...): a session outlives neither its role nor a role recreated under its name. */
  i: string;
  n: string;
  t: Record<string, string>;
  e: number;
}

/** Issues and opens session credentials. */
export class SessionCredentials {
  constructor(private readonly sealer: TokenSealer, private readonly now: () => number = Date.now) {}

  issue(account: string, roleArn: string, session: Omit<RoleSession, 'expiresAt'>, durationSeconds: number): Credentials {
    const expiresAt = this.now() + durationSeconds * 1000;
    const accessKeyId = generateAccessKeyId('ASIA');
    const secretAccessKey = generateSecretAccessKey();
    const sealed: SealedSession = { k: accessKeyId, s: secretAccessKey, a: account, r: roleArn, i: session.roleId, n: session.sessionName, t: { ...session.tags }, e: expiresAt };
    return { AccessKeyId: accessKeyId, SecretAccessKey: secretAccessKey, SessionToken: this.sealer.seal(sealed, BINDING), Expiration: new Date(expiresAt) };
  }

  /** The credential a session token stands for; undefined if forged or for another key id. */
  open(accessKeyId: string, token: string | undefined): ActiveAccessKey | undefined {
    if (token === undefined) return undefined;
    const session = this.sealer.open<SealedSession>(token, BINDING);
    if (!session || session.k !== accessKeyId || typeof session.i !== 'string') return undefined;
    if (session.e <= this.now()) throw new ExpiredToken();
    return {
      accessKeyId, account: session.a, principalArn: session.r, ownerId: session.i, secretAccessKey: session.s,
      session: { roleName: session.r.split('/').pop()!, roleId: session.i, sessionName: session.n, tags: session.t, expiresAt: session.e },
    };
  }
}
