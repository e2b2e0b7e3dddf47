/**
 * An authenticated caller as policies see it: its identity, principal tags and compiled
 * identity policies; and the credential it authenticated with.
 */
import type { CallerIdentity } from '../request-context.js';
import type { CompiledPolicy } from './policy-evaluator.js';

export interface Caller extends CallerIdentity {
  readonly kind: 'root' | 'user' | 'role-session';
  readonly userName?: string;
  readonly policies: readonly CompiledPolicy[];
}

/** Where an authenticated request's credentials came from. */
export interface Credential {
  readonly account: string;
  readonly principalArn: string;
  /** The unique id the credential was issued to: the principal must still have it. */
  readonly ownerId: string;
  /** Set for temporary credentials issued by AssumeRole. */
  readonly session?: RoleSession;
}

/** A role session carried in an STS session token. */
export interface RoleSession {
  readonly roleName: string;
  /** The role's unique id when the session was issued. */
  readonly roleId: string;
  readonly sessionName: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly expiresAt: number;
}
