/**
 * Who is calling, and where: the account and region every row is namespaced by, the principal
 * ARN recorded as LastModifiedUser, and (for remote callers) how to check what they may do.
 */
import type { Scope } from '../storage/storage.js';

/** Request-context values a permission adds for condition keys (`aws:RequestTag/x`, `ssm:Recursive`, ...). */
export type ConditionValues = Readonly<Record<string, string | readonly string[]>>;

/** The condition keys a request's tags set: `aws:RequestTag/<key>` for each, and `aws:TagKeys`. */
export function requestTagKeys(tags: unknown): Record<string, string | string[]> {
  if (!Array.isArray(tags)) return {};
  const values: Record<string, string | string[]> = {
    'aws:TagKeys': tags.map((t: { Key?: unknown }) => String(t?.Key)),
  };
  for (const t of tags as { Key?: unknown; Value?: unknown }[])
    values[`aws:RequestTag/${String(t?.Key)}`] = String(t?.Value);
  return values;
}

/**
 * A resource's own policy. A secret's `grants`: an allow in it or in the caller's identity
 * policies suffices. A key policy `governs`: it must allow the caller itself, or allow the
 * account (which delegates to IAM) while an identity policy allows too. An explicit deny in
 * either always wins.
 */
export interface ResourcePolicy {
  readonly document: string;
  readonly effect: 'grants' | 'governs';
  /** The unique ids its named users and roles had when it was written (principal-bindings.ts). */
  readonly principals?: Readonly<Record<string, string>>;
}

/** One IAM permission an action needs: the action, the resource ARN, and action-specific keys. */
export interface Permission {
  readonly action: string;
  /** The resource as policies see it: its full ARN (with path, secret suffix, key id). */
  readonly resource: string;
  /** The resource as the caller named it, for a refusal's message (which must reveal nothing more). */
  readonly shown?: string;
  readonly context?: ConditionValues;
  /** The resource's tags, fetched only when a policy has an aws:ResourceTag condition. */
  readonly resourceTags?: () => Promise<Readonly<Record<string, string>>>;
  /** The resource's own policy, evaluated together with the caller's identity policies. */
  readonly resourcePolicy?: () => Promise<ResourcePolicy | undefined>;
  /**
   * Another spelling of a resource the request names (a bridge name by ARN, beside the secret's
   * name): it need not be allowed, but an explicit Deny written against it still refuses.
   */
  readonly denyOnly?: boolean;
}

/** Who an authenticated remote caller is, as STS reports it and trust policies see it. */
export interface CallerIdentity {
  /** The ARN errors and GetCallerIdentity show: user, assumed-role session, or account root. */
  readonly arn: string;
  /** aws:PrincipalArn: the user, the role (for a session), or the root. */
  readonly principalArn: string;
  readonly account: string;
  /** aws:userid: AIDA... for a user, AROA...:session for a role session, the account for root. */
  readonly userId: string;
  /** The unique id policies' named principals are bound to: the user's, or the session's role's (the account for root).
   * */
  readonly principalId: string;
  /** Principal tags, keys lower-cased for lookup (session tags override the role's). */
  readonly tags: ReadonlyMap<string, string>;
}

/** The caller of one engine action. */
export interface RequestContext extends Scope {
  readonly principalArn: string;
  /** Set for remote callers; absent in local CLI use. */
  readonly caller?: CallerIdentity;
  /**
   * Checks permissions a step of the action needs (kms:Decrypt for a SecureString read),
   * throwing AccessDenied. Absent for the root user and local CLI use, which may do anything.
   */
  readonly authorize?: (permissions: readonly Permission[]) => Promise<void>;
  /**
   * Whether a policy explicitly denies one permission: listings that return values (a path's
   * parameters) leave out what a Deny names, so no listing undoes a Deny on a single read.
   */
  readonly denies?: (permission: Permission) => Promise<boolean>;
  /** Signed with temporary credentials (a role session's, or a user's GetSessionToken's). */
  readonly temporaryCredentials?: boolean;
  /** The access key id that signed the request (remote callers). */
  readonly accessKeyId?: string;
  /**
   * Coffer's compare-and-set on PutParameter (the `x-coffer-expected-version` header): the write
   * happens only if the parameter's latest version is this one (0: it must not exist yet).
   * AWS clients that do not send it are unaffected.
   */
  readonly expectedVersion?: number;
  /**
   * Where the engines note the ARN of each resource they meet on the way (a secret found by its
   * SecretId, one just created), for the request's audit event; absent when nothing records one.
   */
  readonly touched?: string[];
}

export const DEFAULT_ACCOUNT = '000000000000';
export const DEFAULT_REGION = 'us-east-1';

/** The root principal of an account, used by local (serverless) CLI mode. */
export function rootPrincipal(account: string): string {
  return `arn:aws:iam::${account}:root`;
}
