/**
 * Who is calling, and where: the account and region every row is namespaced by, and the
 * principal ARN recorded as LastModifiedUser (and, later, authorised and audited).
 */
import type { Scope } from '../storage/storage.js';

/** The caller of one engine action. */
export interface RequestContext extends Scope {
  readonly principalArn: string;
}

export const DEFAULT_ACCOUNT = '000000000000';
export const DEFAULT_REGION = 'us-east-1';

/** The root principal of an account, used by local (serverless) CLI mode. */
export function rootPrincipal(account: string): string {
  return `arn:aws:iam::${account}:root`;
}
