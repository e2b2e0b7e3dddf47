/**
 * The IAM permissions each IAM action needs, per AWS's Service Authorization Reference: the
 * `iam:<Action>` action on the ARN of the user, group, role or policy it names (the caller's
 * own user when UserName is left out), with aws:RequestTag/*, aws:TagKeys and iam:PolicyARN
 * where the action supports them.
 */
import { requestTagKeys, type ConditionValues, type Permission, type RequestContext } from '../request-context.js';
import type { EntityKind, IamEntities } from './iam-entities.js';
import { entityArn } from './iam-names.js';

type Input = Record<string, unknown>;

const SUBJECT: Record<string, [EntityKind, string]> = {};
for (const a of [
  'CreateUser',
  'GetUser',
  'DeleteUser',
  'TagUser',
  'UntagUser',
  'ListUserTags',
  'CreateAccessKey',
  'ListAccessKeys',
  'UpdateAccessKey',
  'DeleteAccessKey',
  'PutUserPolicy',
  'GetUserPolicy',
  'ListUserPolicies',
  'DeleteUserPolicy',
  'AttachUserPolicy',
  'DetachUserPolicy',
  'ListAttachedUserPolicies',
  'ListGroupsForUser',
])
  SUBJECT[a] = ['user', 'UserName'];
for (const a of [
  'CreateGroup',
  'AddUserToGroup',
  'RemoveUserFromGroup',
  'PutGroupPolicy',
  'AttachGroupPolicy',
  'DetachGroupPolicy',
  'GetGroupPolicy',
  'ListGroupPolicies',
  'DeleteGroupPolicy',
  'ListAttachedGroupPolicies',
  'GetGroup',
])
  SUBJECT[a] = ['group', 'GroupName'];
for (const a of [
  'CreateRole',
  'GetRole',
  'DeleteRole',
  'TagRole',
  'PutRolePolicy',
  'GetRolePolicy',
  'ListRolePolicies',
  'DeleteRolePolicy',
  'AttachRolePolicy',
  'DetachRolePolicy',
  'ListAttachedRolePolicies',
  'UpdateAssumeRolePolicy',
])
  SUBJECT[a] = ['role', 'RoleName'];

function tagContext(action: string, input: Input): ConditionValues | undefined {
  if (Array.isArray(input.Tags) && input.Tags.length > 0) return requestTagKeys(input.Tags);
  if (action.startsWith('Untag') && Array.isArray(input.TagKeys)) return { 'aws:TagKeys': input.TagKeys.map(String) };
  return undefined;
}

/** Maps IAM actions to permissions. */
export class IamPermissions {
  /** `keyOwner`: the ARN of the principal an access key belongs to (GetAccessKeyLastUsed is authorized on it). */
  constructor(
    private readonly entities: IamEntities,
    private readonly keyOwner: (accessKeyId: string) => Promise<string | undefined> = async () => undefined,
  ) {}

  async permissionsFor(ctx: RequestContext, action: string, input: Input): Promise<Permission[]> {
    const context = {
      ...tagContext(action, input),
      ...(typeof input.PolicyArn === 'string' && /Attach|Detach/.test(action)
        ? { 'iam:PolicyARN': input.PolicyArn }
        : {}),
    };
    const permission = (resource: string, shown = resource): Permission[] => [
      { action: `iam:${action}`, resource, shown, ...(Object.keys(context).length ? { context } : {}) },
    ];
    const subject = SUBJECT[action];
    if (subject) {
      const [kind, field] = subject;
      const name = input[field];
      if (typeof name !== 'string' && kind === 'user') return permission(ctx.caller?.principalArn ?? ctx.principalArn);
      const path = action.startsWith('Create') && typeof input.Path === 'string' ? input.Path : '/';
      // Policies see the entity's real ARN, path included; a refusal names it as the caller did.
      return permission(
        await this.arnOf(ctx, kind, String(name), path),
        entityArn(ctx.account, kind, path, String(name)),
      );
    }
    switch (action) {
      case 'ListUsers':
        return permission(`arn:aws:iam::${ctx.account}:user/`);
      case 'ListRoles':
        return permission(`arn:aws:iam::${ctx.account}:role/`);
      case 'ListGroups':
        return permission(`arn:aws:iam::${ctx.account}:group/`);
      case 'GetAccessKeyLastUsed': {
        const owner = typeof input.AccessKeyId === 'string' ? await this.keyOwner(input.AccessKeyId) : undefined;
        // A key of nobody here is still asked for on a user ARN of this account, never granted by a wildcard on
        // nothing.
        return permission(
          owner?.startsWith(`arn:aws:iam::${ctx.account}:`) ? owner : `arn:aws:iam::${ctx.account}:user/`,
        );
      }
      case 'ListPolicies':
        return permission('*');
      case 'CreatePolicy':
        return permission(
          entityArn(ctx.account, 'policy', typeof input.Path === 'string' ? input.Path : '/', String(input.PolicyName)),
        );
      case 'SimulatePrincipalPolicy':
        return permission(String(input.PolicySourceArn));
      default:
        return permission(typeof input.PolicyArn === 'string' ? input.PolicyArn : '*');
    }
  }

  /** The entity's ARN with its real path when it exists, else the ARN it would have. */
  private async arnOf(ctx: RequestContext, kind: EntityKind, name: string, path: string): Promise<string> {
    const existing = await this.entities.find(this.entities.storage, ctx.account, kind, name);
    return existing?.arn ?? entityArn(ctx.account, kind, path, name);
  }
}
