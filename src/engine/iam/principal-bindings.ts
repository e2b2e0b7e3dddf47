/**
 * A resource, key or trust policy that names an IAM user or role names that principal, not
 * whoever later holds its name: AWS turns each named ARN into the principal's unique id when the
 * policy is saved, so a user deleted and created again under the same name is not granted what
 * the first one was. Coffer keeps, beside each such policy, the unique id every named ARN of the
 * account had when the policy was written, and a statement names the caller only while its
 * unique id is still that one. A policy naming a user or role that does not exist is refused,
 * as AWS refuses it.
 */
import type { IamEntities } from './iam-entities.js';
import type { PolicyDocument, PrincipalElement } from './policy-document.js';

/** Named principal ARN to the unique id it had when the policy was written. */
export type PrincipalBindings = Readonly<Record<string, string>>;

const IAM_PRINCIPAL = /^arn:aws:iam::(\d{12}):(user|role)\/(?:.*\/)?([\w+=,.@-]+)$/;
/** A role session names its role: bound to the role's id, as the session's own identity is. */
const SESSION_PRINCIPAL = /^arn:aws:sts::(\d{12}):assumed-role\/([\w+=,.@-]+)\/[\w+=,.@-]+$/;

/** Whether an ARN names a principal whose binding decides (user, role, or a role's session). */
export function isBindablePrincipal(arn: string): boolean {
  return IAM_PRINCIPAL.test(arn) || SESSION_PRINCIPAL.test(arn);
}

function namedArns(element: PrincipalElement | undefined): string[] {
  if (element === undefined || element === '*') return [];
  return (element.AWS ?? []).filter(isBindablePrincipal);
}

/**
 * The unique ids of the users and roles of `account` a policy names; `invalid(arn)` makes the
 * service's own error for one that does not exist. Principals of other accounts stay unbound.
 */
export async function principalBindings(
  entities: IamEntities,
  account: string,
  document: PolicyDocument,
  invalid: (arn: string) => Error,
): Promise<Record<string, string>> {
  const bindings: Record<string, string> = {};
  for (const statement of document.statements) {
    for (const arn of [...namedArns(statement.principal), ...namedArns(statement.notPrincipal)]) {
      const session = SESSION_PRINCIPAL.exec(arn);
      const [, owner, kind, name] = session ? [session[0], session[1], 'role', session[2]] : IAM_PRINCIPAL.exec(arn)!;
      if (owner !== account || bindings[arn] !== undefined) continue;
      const entity = await entities.find(entities.storage, account, kind as 'user' | 'role', name!);
      if (!entity || (!session && entity.arn !== arn)) throw invalid(arn);
      bindings[arn] = entity.id;
    }
  }
  return bindings;
}
