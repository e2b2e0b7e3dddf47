/**
 * The IAM reads people try first that the principal and policy halves do not answer: roles and
 * groups listed, a group with its users, the groups of a user, the entities a policy is attached
 * to, the account summary, account aliases (Coffer keeps none) and when an access key was last
 * used. Shapes are the IAM API's own.
 */
import type {
  GetAccessKeyLastUsedRequest,
  GetAccessKeyLastUsedResponse,
  GetGroupRequest,
  Group,
  ListEntitiesForPolicyRequest,
  ListGroupsForUserRequest,
  ListGroupsRequest,
  ListRolesRequest,
  Role,
  User,
} from '@aws-sdk/client-iam';
import type { AccessKeyStore } from '../identity/access-key-store.js';
import type { AccessKeyUsage } from '../identity/access-key-usage.js';
import type { RequestContext } from '../request-context.js';
import type { IamEntityRow } from '../../storage/storage.js';
import { AccessDenied } from './access-control.js';
import { IamValidationError, NoSuchEntity } from './iam-errors.js';
import { checkEntityName } from './iam-names.js';
import type { IamEntities } from './iam-entities.js';
import { awsManagedPolicyByArn } from './aws-managed-policies.js';
import { pageOf, type Page } from './iam-paging.js';

type Named = Pick<IamEntityRow, 'path' | 'name' | 'id' | 'arn' | 'createdAt'>;
const groupShape = (g: Named): Group => ({
  Path: g.path,
  GroupName: g.name,
  GroupId: g.id,
  Arn: g.arn,
  CreateDate: new Date(g.createdAt),
});
const userShape = (u: Named): User => ({
  Path: u.path,
  UserName: u.name,
  UserId: u.id,
  Arn: u.arn,
  CreateDate: new Date(u.createdAt),
});

/** The IAM quotas GetAccountSummary reports (AWS's defaults). */
const QUOTAS = {
  UsersQuota: 5000,
  GroupsQuota: 300,
  RolesQuota: 1000,
  PoliciesQuota: 1500,
  AccessKeysPerUserQuota: 2,
  GroupsPerUserQuota: 10,
  AttachedPoliciesPerUserQuota: 10,
  AttachedPoliciesPerGroupQuota: 10,
  AttachedPoliciesPerRoleQuota: 10,
  PolicyVersionsInUseQuota: 10000,
  PolicySizeQuota: 6144,
  UserPolicySizeQuota: 2048,
  GroupPolicySizeQuota: 5120,
  RolePolicySizeQuota: 10240,
  VersionsPerPolicyQuota: 5,
  ServerCertificatesQuota: 20,
  MFADevicesInUse: 0,
  MFADevices: 0,
  AccountMFAEnabled: 0,
  AccountAccessKeysPresent: 1,
  AccountSigningCertificatesPresent: 0,
  InstanceProfilesQuota: 1000,
  InstanceProfiles: 0,
  ServerCertificates: 0,
  Providers: 0,
  GlobalEndpointTokenVersion: 1,
  AssumeRolePolicySizeQuota: 2048,
};

export class IamDirectory {
  constructor(
    private readonly entities: IamEntities,
    private readonly accessKeys: AccessKeyStore,
    private readonly usage: AccessKeyUsage,
  ) {}

  private list(ctx: RequestContext, kind: IamEntityRow['kind'], prefix: unknown): Promise<IamEntityRow[]> {
    const path = typeof prefix === 'string' ? prefix : '/';
    return this.entities.storage
      .listIamEntities(ctx.account, kind)
      .then((all) => all.filter((e) => e.path.startsWith(path)));
  }

  async listRoles(ctx: RequestContext, request: ListRolesRequest): Promise<{ Roles: Role[] } & Page> {
    const page = pageOf(await this.list(ctx, 'role', request.PathPrefix), (r) => r.name, request);
    return {
      Roles: page.items.map((r) => {
        const attributes = JSON.parse(r.attributes) as {
          trustPolicy?: string;
          maxSessionDuration?: number;
          description?: string;
        };
        return {
          Path: r.path,
          RoleName: r.name,
          RoleId: r.id,
          Arn: r.arn,
          CreateDate: new Date(r.createdAt),
          AssumeRolePolicyDocument: attributes.trustPolicy,
          MaxSessionDuration: attributes.maxSessionDuration ?? 3600,
          ...(attributes.description !== undefined ? { Description: attributes.description } : {}),
        };
      }),
      ...page.marker,
    };
  }

  async listGroups(ctx: RequestContext, request: ListGroupsRequest): Promise<{ Groups: Group[] } & Page> {
    const page = pageOf(await this.list(ctx, 'group', request.PathPrefix), (g) => g.name, request);
    return { Groups: page.items.map(groupShape), ...page.marker };
  }

  async getGroup(ctx: RequestContext, request: GetGroupRequest): Promise<{ Group: Group; Users: User[] } & Page> {
    const group = await this.entities.require(
      this.entities.storage,
      ctx.account,
      'group',
      checkEntityName('group', request.GroupName),
    );
    const members = new Set(
      (await this.entities.storage.listIamLinks('member', { fromArn: group.arn })).map((l) => l.toArn),
    );
    const users = (await this.entities.storage.listIamEntities(ctx.account, 'user')).filter((u) => members.has(u.arn));
    const page = pageOf(users, (u) => u.name, request);
    return { Group: groupShape(group), Users: page.items.map(userShape), ...page.marker };
  }

  async listGroupsForUser(ctx: RequestContext, request: ListGroupsForUserRequest): Promise<{ Groups: Group[] } & Page> {
    const user = await this.entities.require(
      this.entities.storage,
      ctx.account,
      'user',
      checkEntityName('user', request.UserName),
    );
    const of = new Set((await this.entities.storage.listIamLinks('member', { toArn: user.arn })).map((l) => l.fromArn));
    const groups = (await this.entities.storage.listIamEntities(ctx.account, 'group')).filter((g) => of.has(g.arn));
    const page = pageOf(groups, (g) => g.name, request);
    return { Groups: page.items.map(groupShape), ...page.marker };
  }

  async listEntitiesForPolicy(ctx: RequestContext, request: ListEntitiesForPolicyRequest): Promise<object> {
    if (typeof request.PolicyArn !== 'string')
      throw new IamValidationError(
        "1 validation error detected: Value null at 'policyArn' failed to satisfy constraint: Member must not be null",
      );
    const holders = new Set(
      (await this.entities.storage.listIamLinks('attached', { toArn: request.PolicyArn })).map((l) => l.fromArn),
    );
    const managed = awsManagedPolicyByArn(request.PolicyArn) !== undefined;
    if (
      !managed &&
      !(await this.entities.storage.listIamEntities(ctx.account, 'policy')).some((p) => p.arn === request.PolicyArn)
    ) {
      throw new NoSuchEntity(`Policy ${request.PolicyArn} was not found.`);
    }
    const filter = request.EntityFilter;
    const of = async (kind: 'user' | 'group' | 'role') =>
      filter && filter.toLowerCase() !== kind && filter !== 'LocalManagedPolicy' && filter !== 'AWSManagedPolicy'
        ? []
        : (await this.list(ctx, kind, request.PathPrefix)).filter((e) => holders.has(e.arn));
    const [users, groups, roles] = await Promise.all([of('user'), of('group'), of('role')]);
    // One page over the three lists together (groups, roles, then users, each by name), as one Marker pages them.
    const all = [
      ...groups.map((e) => ({ kind: 'group' as const, e })),
      ...roles.map((e) => ({ kind: 'role' as const, e })),
      ...users.map((e) => ({ kind: 'user' as const, e })),
    ];
    const page = pageOf(all, ({ kind, e }) => `${'gru'.indexOf(kind[0]!)}${e.name}`, request);
    const pick = (kind: 'user' | 'group' | 'role') => page.items.filter((i) => i.kind === kind).map((i) => i.e);
    return {
      PolicyGroups: pick('group').map((g) => ({ GroupName: g.name, GroupId: g.id })),
      PolicyUsers: pick('user').map((u) => ({ UserName: u.name, UserId: u.id })),
      PolicyRoles: pick('role').map((r) => ({ RoleName: r.name, RoleId: r.id })),
      ...page.marker,
    };
  }

  /** The counts and quotas; a Map, since the Query protocol writes map shapes as entry/key/value elements. */
  async getAccountSummary(ctx: RequestContext): Promise<{ SummaryMap: Map<string, number> }> {
    const [users, groups, roles, policies] = await Promise.all(
      (['user', 'group', 'role', 'policy'] as const).map((k) => this.entities.storage.listIamEntities(ctx.account, k)),
    );
    const attached = await Promise.all(
      policies!.map((p) => this.entities.storage.listIamLinks('attached', { toArn: p.arn })),
    );
    return {
      SummaryMap: new Map(
        Object.entries({
          ...QUOTAS,
          Users: users!.length,
          Groups: groups!.length,
          Roles: roles!.length,
          Policies: policies!.length,
          PolicyVersionsInUse: attached.reduce((n, links) => n + links.length, 0),
        }),
      ),
    };
  }

  /** Coffer keeps no account alias; AWS answers an account without one with an empty list too. */
  async listAccountAliases(): Promise<object> {
    return { AccountAliases: [], IsTruncated: false };
  }

  async getAccessKeyLastUsed(
    ctx: RequestContext,
    request: GetAccessKeyLastUsedRequest,
  ): Promise<GetAccessKeyLastUsedResponse> {
    const id = request.AccessKeyId;
    if (typeof id !== 'string')
      throw new IamValidationError(
        "1 validation error detected: Value null at 'accessKeyId' failed to satisfy constraint: Member must not be " +
          'null',
      );
    const key = await this.accessKeys.find(id);
    // Another account's key, or none: AWS answers both as a refusal, telling nothing of which.
    if (!key || key.account !== ctx.account)
      throw new AccessDenied(
        'iam',
        `User: ${ctx.principalArn} is not authorized to perform: iam:GetAccessKeyLastUsed on resource: access key ` +
          `${id}`,
      );
    const use = await this.usage.lastUse(id);
    const userName = /:user\/(?:.*\/)?([^/]+)$/.exec(key.principalArn)?.[1];
    return {
      ...(userName ? { UserName: userName } : {}),
      AccessKeyLastUsed: use
        ? { LastUsedDate: new Date(use.lastUsedAt), ServiceName: use.service, Region: use.region }
        : { ServiceName: 'N/A', Region: 'N/A' },
    };
  }
}
