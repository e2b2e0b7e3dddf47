/**
 * IAM users, groups and roles, and users' access keys: the entity half of the IAM API
 * (the policy half is IamPolicies). Shapes are the IAM API's own.
 */
import type {
  AccessKey,
  AccessKeyMetadata,
  AddUserToGroupRequest,
  CreateAccessKeyRequest,
  CreateGroupRequest,
  CreateRoleRequest,
  CreateUserRequest,
  DeleteAccessKeyRequest,
  DeleteRoleRequest,
  DeleteUserRequest,
  GetRoleRequest,
  GetUserRequest,
  Group,
  ListAccessKeysRequest,
  ListUsersRequest,
  ListUserTagsRequest,
  RemoveUserFromGroupRequest,
  Role,
  TagRoleRequest,
  TagUserRequest,
  UntagUserRequest,
  UpdateAccessKeyRequest,
  UpdateAssumeRolePolicyRequest,
  User,
} from '@aws-sdk/client-iam';
import { generateAccessKeyId, generateSecretAccessKey, type AccessKeyStore } from '../identity/access-key-store.js';
import type { RequestContext } from '../request-context.js';
import type { StorageReader } from '../../storage/storage.js';
import {
  DeleteConflict,
  IamValidationError,
  LimitExceeded,
  MalformedPolicyDocument,
  NoSuchEntity,
} from './iam-errors.js';
import { checkEntityName } from './iam-names.js';
import { parsePolicyDocument, type PolicyDocument } from './policy-document.js';
import { principalBindings } from './principal-bindings.js';
import type { Entity, IamEntities } from './iam-entities.js';
import { pageOf, type Page } from './iam-paging.js';

const MAX_KEYS_PER_USER = 2;
const TRUST_POLICY_LIMIT = 2048;

/** The caller's own user name when an action leaves UserName out (root has none). */
function callerUserName(ctx: RequestContext): string | undefined {
  const match = /^arn:aws:iam::\d{12}:user\/(?:.*\/)?([^/]+)$/.exec(ctx.principalArn);
  return match?.[1];
}

function trustPolicy(document: unknown): { text: string; parsed: PolicyDocument } {
  if (typeof document !== 'string')
    throw new IamValidationError(
      "1 validation error detected: Value null at 'assumeRolePolicyDocument' failed to satisfy constraint: Member " +
        'must not be null',
    );
  if (document.length > TRUST_POLICY_LIMIT)
    throw new LimitExceeded(`Cannot exceed quota for ACLSizePerRole: ${TRUST_POLICY_LIMIT}`);
  return { text: document, parsed: parsePolicyDocument(document, 'trust') };
}

const invalidPrincipal = (arn: string) => new MalformedPolicyDocument(`Invalid principal in policy: "AWS":"${arn}"`);

/** Users, groups, roles and access keys. */
export class IamPrincipals {
  constructor(
    private readonly entities: IamEntities,
    private readonly accessKeys: AccessKeyStore,
  ) {}

  async createUser(ctx: RequestContext, request: CreateUserRequest): Promise<{ User: User }> {
    const name = checkEntityName('user', request.UserName);
    const user = await this.entities.write(async (tx) => {
      const created = await this.entities.create(tx, ctx.account, 'user', name, request.Path, {});
      await this.entities.addTags(tx, created, request.Tags);
      return created;
    });
    return { User: await this.userShape(this.entities.storage, user, true) };
  }

  async getUser(ctx: RequestContext, request: GetUserRequest): Promise<{ User: User }> {
    const name = request.UserName ?? callerUserName(ctx);
    if (name === undefined) {
      // The root user has no IAM user entity; AWS answers with the account itself.
      return {
        User: { UserId: ctx.account, Arn: ctx.principalArn, Path: '/', UserName: undefined, CreateDate: new Date(0) },
      };
    }
    const user = await this.entities.require(this.entities.storage, ctx.account, 'user', checkEntityName('user', name));
    return { User: await this.userShape(this.entities.storage, user, true) };
  }

  async listUsers(ctx: RequestContext, request: ListUsersRequest): Promise<{ Users: User[] } & Page> {
    const prefix = request.PathPrefix ?? '/';
    const all = (await this.entities.storage.listIamEntities(ctx.account, 'user')).filter((u) =>
      u.path.startsWith(prefix),
    );
    const page = pageOf(all, (u) => u.name, request);
    return {
      Users: page.items.map((u) => ({
        Path: u.path,
        UserName: u.name,
        UserId: u.id,
        Arn: u.arn,
        CreateDate: new Date(u.createdAt),
      })),
      ...page.marker,
    };
  }

  async deleteUser(ctx: RequestContext, request: DeleteUserRequest): Promise<object> {
    const name = checkEntityName('user', request.UserName);
    await this.entities.write(async (tx) => {
      const user = await this.entities.require(tx, ctx.account, 'user', name);
      if ((await tx.listAccessKeys(user.arn)).length > 0)
        throw new DeleteConflict('Cannot delete entity, must delete access keys first.');
      if ((await tx.listIamDocuments(user.arn, 'inline')).length > 0)
        throw new DeleteConflict('Cannot delete entity, must delete policies first.');
      if ((await tx.listIamLinks('attached', { fromArn: user.arn })).length > 0)
        throw new DeleteConflict('Cannot delete entity, must detach all policies first.');
      if ((await tx.listIamLinks('member', { toArn: user.arn })).length > 0)
        throw new DeleteConflict('Cannot delete entity, must remove users from group first.');
      await this.entities.removeAllTags(tx, user);
      await tx.deleteIamEntity(ctx.account, 'user', name);
    });
    return {};
  }

  async tagUser(ctx: RequestContext, request: TagUserRequest): Promise<object> {
    await this.entities.write(async (tx) =>
      this.entities.addTags(
        tx,
        await this.entities.require(tx, ctx.account, 'user', checkEntityName('user', request.UserName)),
        request.Tags ?? [],
      ),
    );
    return {};
  }

  async untagUser(ctx: RequestContext, request: UntagUserRequest): Promise<object> {
    await this.entities.write(async (tx) =>
      this.entities.removeTags(
        tx,
        await this.entities.require(tx, ctx.account, 'user', checkEntityName('user', request.UserName)),
        request.TagKeys ?? [],
      ),
    );
    return {};
  }

  async listUserTags(ctx: RequestContext, request: ListUserTagsRequest): Promise<object> {
    const user = await this.entities.require(
      this.entities.storage,
      ctx.account,
      'user',
      checkEntityName('user', request.UserName),
    );
    return { Tags: await this.entities.tags(this.entities.storage, user), IsTruncated: false };
  }

  async createAccessKey(ctx: RequestContext, request: CreateAccessKeyRequest): Promise<{ AccessKey: AccessKey }> {
    const owner = await this.keyOwner(ctx, request.UserName);
    if ((await this.accessKeys.list(owner.arn)).length >= MAX_KEYS_PER_USER)
      throw new LimitExceeded(`Cannot exceed quota for AccessKeysPerUser: ${MAX_KEYS_PER_USER}`);
    const pair = { accessKeyId: generateAccessKeyId(), secretAccessKey: generateSecretAccessKey() };
    await this.accessKeys.add(ctx.account, owner.arn, owner.id, pair);
    return {
      AccessKey: {
        UserName: owner.name,
        AccessKeyId: pair.accessKeyId,
        Status: 'Active',
        SecretAccessKey: pair.secretAccessKey,
        CreateDate: new Date(),
      },
    };
  }

  async listAccessKeys(
    ctx: RequestContext,
    request: ListAccessKeysRequest,
  ): Promise<{ AccessKeyMetadata: AccessKeyMetadata[]; IsTruncated: boolean }> {
    const owner = await this.keyOwner(ctx, request.UserName);
    const keys = await this.accessKeys.list(owner.arn);
    return {
      AccessKeyMetadata: keys.map((k) => ({
        UserName: owner.name,
        AccessKeyId: k.accessKeyId,
        Status: k.status,
        CreateDate: new Date(k.createdAt),
      })),
      IsTruncated: false,
    };
  }

  async updateAccessKey(ctx: RequestContext, request: UpdateAccessKeyRequest): Promise<object> {
    if (request.Status !== 'Active' && request.Status !== 'Inactive')
      throw new IamValidationError(
        `1 validation error detected: Value '${String(request.Status)}' at 'status' failed to satisfy constraint: ` +
          `Member must satisfy enum value set: [Active, Inactive]`,
      );
    const owner = await this.keyOwner(ctx, request.UserName);
    await this.requireOwnKey(owner, request.AccessKeyId);
    await this.accessKeys.setStatus(request.AccessKeyId!, request.Status);
    return {};
  }

  async deleteAccessKey(ctx: RequestContext, request: DeleteAccessKeyRequest): Promise<object> {
    const owner = await this.keyOwner(ctx, request.UserName);
    await this.requireOwnKey(owner, request.AccessKeyId);
    await this.accessKeys.remove(request.AccessKeyId!);
    return {};
  }

  async createGroup(ctx: RequestContext, request: CreateGroupRequest): Promise<{ Group: Group }> {
    const name = checkEntityName('group', request.GroupName);
    const group = await this.entities.write((tx) =>
      this.entities.create(tx, ctx.account, 'group', name, request.Path, {}),
    );
    return { Group: groupShape(group) };
  }

  async addUserToGroup(ctx: RequestContext, request: AddUserToGroupRequest): Promise<object> {
    await this.entities.write(async (tx) => {
      const group = await this.entities.require(tx, ctx.account, 'group', checkEntityName('group', request.GroupName));
      const user = await this.entities.require(tx, ctx.account, 'user', checkEntityName('user', request.UserName));
      await tx.putIamLink({ link: 'member', fromArn: group.arn, toArn: user.arn, account: ctx.account });
    });
    return {};
  }

  async removeUserFromGroup(ctx: RequestContext, request: RemoveUserFromGroupRequest): Promise<object> {
    await this.entities.write(async (tx) => {
      const group = await this.entities.require(tx, ctx.account, 'group', checkEntityName('group', request.GroupName));
      const user = await this.entities.require(tx, ctx.account, 'user', checkEntityName('user', request.UserName));
      if (!(await tx.deleteIamLink({ link: 'member', fromArn: group.arn, toArn: user.arn }))) {
        throw new NoSuchEntity(`The user with name ${user.name} cannot be found in group ${group.name}.`);
      }
    });
    return {};
  }

  async createRole(ctx: RequestContext, request: CreateRoleRequest): Promise<{ Role: Role }> {
    const name = checkEntityName('role', request.RoleName);
    const trust = trustPolicy(request.AssumeRolePolicyDocument);
    const maxSessionDuration = request.MaxSessionDuration === undefined ? 3600 : Number(request.MaxSessionDuration);
    if (!Number.isInteger(maxSessionDuration) || maxSessionDuration < 3600 || maxSessionDuration > 43200) {
      throw new IamValidationError(
        `1 validation error detected: Value '${String(request.MaxSessionDuration)}' at 'maxSessionDuration' failed ` +
          `to satisfy constraint: Member must have value less than or equal to 43200`,
      );
    }
    const trustPrincipals = await principalBindings(this.entities, ctx.account, trust.parsed, invalidPrincipal);
    const role = await this.entities.write(async (tx) => {
      const created = await this.entities.create(tx, ctx.account, 'role', name, request.Path, {
        trustPolicy: trust.text,
        trustPrincipals,
        maxSessionDuration,
        ...(request.Description !== undefined ? { description: request.Description } : {}),
      });
      await this.entities.addTags(tx, created, request.Tags);
      return created;
    });
    return { Role: await this.roleShape(this.entities.storage, role) };
  }

  async getRole(ctx: RequestContext, request: GetRoleRequest): Promise<{ Role: Role }> {
    const role = await this.entities.require(
      this.entities.storage,
      ctx.account,
      'role',
      checkEntityName('role', request.RoleName),
    );
    return { Role: await this.roleShape(this.entities.storage, role) };
  }

  async deleteRole(ctx: RequestContext, request: DeleteRoleRequest): Promise<object> {
    await this.entities.write(async (tx) => {
      const role = await this.entities.require(tx, ctx.account, 'role', checkEntityName('role', request.RoleName));
      if ((await tx.listIamDocuments(role.arn, 'inline')).length > 0)
        throw new DeleteConflict('Cannot delete entity, must delete policies first.');
      if ((await tx.listIamLinks('attached', { fromArn: role.arn })).length > 0)
        throw new DeleteConflict('Cannot delete entity, must detach all policies first.');
      await this.entities.removeAllTags(tx, role);
      await tx.deleteIamEntity(ctx.account, 'role', role.name);
    });
    return {};
  }

  async tagRole(ctx: RequestContext, request: TagRoleRequest): Promise<object> {
    await this.entities.write(async (tx) =>
      this.entities.addTags(
        tx,
        await this.entities.require(tx, ctx.account, 'role', checkEntityName('role', request.RoleName)),
        request.Tags ?? [],
      ),
    );
    return {};
  }

  async updateAssumeRolePolicy(ctx: RequestContext, request: UpdateAssumeRolePolicyRequest): Promise<object> {
    const trust = trustPolicy(request.PolicyDocument);
    const trustPrincipals = await principalBindings(this.entities, ctx.account, trust.parsed, invalidPrincipal);
    await this.entities.write(async (tx) => {
      const role = await this.entities.require(tx, ctx.account, 'role', checkEntityName('role', request.RoleName));
      await this.entities.saveAttributes(tx, role, { ...role.attributes, trustPolicy: trust.text, trustPrincipals });
    });
    return {};
  }

  /** The user a key action is about: the named one, or the caller (root keys belong to root). */
  private async keyOwner(
    ctx: RequestContext,
    userName: string | undefined,
  ): Promise<{ arn: string; id: string; name?: string }> {
    const name = userName ?? callerUserName(ctx);
    if (name === undefined) {
      if (!/:root$/.test(ctx.principalArn))
        throw new IamValidationError('Must specify userName when calling with non-User credentials');
      return { arn: ctx.principalArn, id: ctx.account };
    }
    const user = await this.entities.require(this.entities.storage, ctx.account, 'user', checkEntityName('user', name));
    return { arn: user.arn, id: user.id, name: user.name };
  }

  private async requireOwnKey(
    owner: { arn: string; id: string; name?: string },
    accessKeyId: string | undefined,
  ): Promise<void> {
    if (typeof accessKeyId !== 'string' || (await this.accessKeys.ownerOf(accessKeyId)) !== owner.arn) {
      throw new NoSuchEntity(`The Access Key with id ${String(accessKeyId)} cannot be found.`);
    }
  }

  private async userShape(reader: StorageReader, user: Entity, withTags: boolean): Promise<User> {
    const tags = withTags ? await this.entities.tags(reader, user) : [];
    return {
      Path: user.path,
      UserName: user.name,
      UserId: user.id,
      Arn: user.arn,
      CreateDate: new Date(user.createdAt),
      ...(tags.length ? { Tags: tags } : {}),
    };
  }

  private async roleShape(reader: StorageReader, role: Entity): Promise<Role> {
    const tags = await this.entities.tags(reader, role);
    return {
      Path: role.path,
      RoleName: role.name,
      RoleId: role.id,
      Arn: role.arn,
      CreateDate: new Date(role.createdAt),
      AssumeRolePolicyDocument: role.attributes.trustPolicy,
      MaxSessionDuration: role.attributes.maxSessionDuration,
      ...(role.attributes.description !== undefined ? { Description: role.attributes.description } : {}),
      ...(tags.length ? { Tags: tags } : {}),
    };
  }
}

function groupShape(group: Entity): Group {
  return {
    Path: group.path,
    GroupName: group.name,
    GroupId: group.id,
    Arn: group.arn,
    CreateDate: new Date(group.createdAt),
  };
}
