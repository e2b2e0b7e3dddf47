/**
 * The IAM Query-protocol operation table (Version 2010-05-08). Inputs arrive decoded against
 * the IAM model (models/iam.ts): strings, numbers, booleans, lists and structures as modelled.
 */
import type { IamDirectory } from '../../engine/iam/iam-directory.js';
import type { IamPermissions } from '../../engine/iam/iam-permissions.js';
import type { IamPolicies, Holder } from '../../engine/iam/iam-policies.js';
import type { IamPrincipals } from '../../engine/iam/iam-principals.js';
import type { PolicySimulator } from '../../engine/iam/policy-simulator.js';
import { handler as op, serviceFromModel, type ApiService, type ServiceOperation } from '../api-service.js';
import { iamModel } from '../models/iam.js';

type Input = Record<string, unknown>;
const NAME_FIELD: Record<Holder, string> = { user: 'UserName', group: 'GroupName', role: 'RoleName' };
const CAPITAL: Record<Holder, string> = { user: 'User', group: 'Group', role: 'Role' };

/** The IAM engines the table calls. */
export interface IamEngines {
  readonly principals: IamPrincipals;
  readonly directory: IamDirectory;
  readonly policies: IamPolicies;
  readonly simulator: PolicySimulator;
  readonly permissions: IamPermissions;
}

/** Put/Get/List/Delete inline policies and Attach/Detach/ListAttached for one kind of holder. */
function holderOperations(policies: IamPolicies, holder: Holder): [string, ServiceOperation][] {
  const name = (i: Input) => i[NAME_FIELD[holder]];
  const kind = CAPITAL[holder];
  return [
    [`Put${kind}Policy`, op((c, i: Input) => policies.putInline(c, holder, name(i), i.PolicyName, i.PolicyDocument))],
    [
      `Get${kind}Policy`,
      op(async (c, i: Input) => {
        const found = await policies.getInline(c, holder, name(i), i.PolicyName);
        return { [NAME_FIELD[holder]]: found.name, PolicyName: found.policyName, PolicyDocument: found.document };
      }),
    ],
    [`List${kind}Policies`, op((c, i: Input) => policies.listInline(c, holder, name(i)))],
    [`Delete${kind}Policy`, op((c, i: Input) => policies.deleteInline(c, holder, name(i), i.PolicyName))],
    [`Attach${kind}Policy`, op((c, i: Input) => policies.attach(c, holder, name(i), i.PolicyArn))],
    [`Detach${kind}Policy`, op((c, i: Input) => policies.detach(c, holder, name(i), i.PolicyArn))],
    [`ListAttached${kind}Policies`, op((c, i: Input) => policies.listAttached(c, holder, name(i)))],
  ];
}

/** The IAM service. */
export function iamService(iam: IamEngines): ApiService {
  const { principals: p, policies } = iam;
  const operations = new Map<string, ServiceOperation>([
    ['CreateUser', op((c, i) => p.createUser(c, i))],
    ['GetUser', op((c, i) => p.getUser(c, i))],
    ['ListUsers', op((c, i) => p.listUsers(c, i))],
    ['DeleteUser', op((c, i) => p.deleteUser(c, i))],
    ['TagUser', op((c, i) => p.tagUser(c, i))],
    ['UntagUser', op((c, i) => p.untagUser(c, i))],
    ['ListUserTags', op((c, i) => p.listUserTags(c, i))],
    ['CreateAccessKey', op((c, i) => p.createAccessKey(c, i))],
    ['ListAccessKeys', op((c, i) => p.listAccessKeys(c, i))],
    ['UpdateAccessKey', op((c, i) => p.updateAccessKey(c, i))],
    ['DeleteAccessKey', op((c, i) => p.deleteAccessKey(c, i))],
    ['CreateGroup', op((c, i) => p.createGroup(c, i))],
    ['AddUserToGroup', op((c, i) => p.addUserToGroup(c, i))],
    ['RemoveUserFromGroup', op((c, i) => p.removeUserFromGroup(c, i))],
    ['CreateRole', op((c, i) => p.createRole(c, i))],
    ['GetRole', op((c, i) => p.getRole(c, i))],
    ['DeleteRole', op((c, i) => p.deleteRole(c, i))],
    ['TagRole', op((c, i) => p.tagRole(c, i))],
    ['UpdateAssumeRolePolicy', op((c, i) => p.updateAssumeRolePolicy(c, i))],
    ['CreatePolicy', op((c, i) => policies.createPolicy(c, i))],
    ['GetPolicy', op((c, i) => policies.getPolicy(c, i))],
    ['GetPolicyVersion', op((c, i) => policies.getPolicyVersion(c, i))],
    ['ListPolicies', op((c, i) => policies.listPolicies(c, i))],
    ['DeletePolicy', op((c, i) => policies.deletePolicy(c, i))],
    ['CreatePolicyVersion', op((c, i) => policies.createPolicyVersion(c, i))],
    ...holderOperations(policies, 'user'),
    ...holderOperations(policies, 'group'),
    ...holderOperations(policies, 'role'),
    ['SimulatePrincipalPolicy', op((c, i) => iam.simulator.simulate(c, i))],
    ['ListRoles', op((c, i) => iam.directory.listRoles(c, i))],
    ['ListGroups', op((c, i) => iam.directory.listGroups(c, i))],
    ['GetGroup', op((c, i) => iam.directory.getGroup(c, i))],
    ['ListGroupsForUser', op((c, i) => iam.directory.listGroupsForUser(c, i))],
    ['ListEntitiesForPolicy', op((c, i) => iam.directory.listEntitiesForPolicy(c, i))],
    ['GetAccountSummary', op((c) => iam.directory.getAccountSummary(c))],
    ['ListAccountAliases', op(() => iam.directory.listAccountAliases())],
    ['GetAccessKeyLastUsed', op((c, i) => iam.directory.getAccessKeyLastUsed(c, i))],
  ]);
  return serviceFromModel(iamModel, 'iam', operations, (ctx, action, input) =>
    iam.permissions.permissionsFor(ctx, action, input),
  );
}
