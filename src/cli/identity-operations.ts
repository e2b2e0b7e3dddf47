/**
 * The IAM and STS operations `coffer iam` uses, served by the local engine (the embedded
 * store, as the account's root) or by a remote Coffer (or AWS) through @aws-sdk/client-iam
 * and client-sts. One interface, so the command is written once for both modes.
 */
import {
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateUserCommand,
  ListUsersCommand,
  PutUserPolicyCommand,
  type IAMClient,
  type AccessKey,
  type CreateUserRequest,
  type User,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import type { Coffer } from '../bootstrap/open-coffer.js';
import type { RequestContext } from '../engine/request-context.js';

/** What `coffer iam` needs. */
export interface IdentityOperations {
  createUser(request: CreateUserRequest): Promise<User>;
  putUserPolicy(userName: string, policyName: string, document: string): Promise<void>;
  attachUserPolicy(userName: string, policyArn: string): Promise<void>;
  createAccessKey(userName: string | undefined): Promise<AccessKey>;
  listUsers(): Promise<User[]>;
  whoami(): Promise<{ Account?: string; Arn?: string; UserId?: string }>;
}

/** Operations on the embedded engine, as `ctx` (the root of the account). */
export function localIdentity(coffer: Coffer, ctx: RequestContext): IdentityOperations {
  const { principals, policies } = coffer.iam;
  return {
    createUser: async (request) => (await principals.createUser(ctx, request)).User,
    putUserPolicy: async (user, name, document) => {
      await policies.putInline(ctx, 'user', user, name, document);
    },
    attachUserPolicy: async (user, arn) => {
      await policies.attach(ctx, 'user', user, arn);
    },
    createAccessKey: async (user) => (await principals.createAccessKey(ctx, { UserName: user })).AccessKey,
    listUsers: async () => (await principals.listUsers(ctx, { MaxItems: 1000 })).Users,
    whoami: () => coffer.sts.getCallerIdentity(ctx),
  };
}

/** Operations over the wire API. */
export function remoteIdentity(iam: IAMClient, sts: STSClient): IdentityOperations {
  return {
    createUser: async (request) => (await iam.send(new CreateUserCommand(request))).User!,
    putUserPolicy: async (user, name, document) => {
      await iam.send(new PutUserPolicyCommand({ UserName: user, PolicyName: name, PolicyDocument: document }));
    },
    attachUserPolicy: async (user, arn) => {
      await iam.send(new AttachUserPolicyCommand({ UserName: user, PolicyArn: arn }));
    },
    createAccessKey: async (user) => (await iam.send(new CreateAccessKeyCommand({ UserName: user }))).AccessKey!,
    listUsers: async () => {
      const users: User[] = [];
      let marker: string | undefined;
      do {
        const page = await iam.send(new ListUsersCommand({ Marker: marker }));
        users.push(...(page.Users ?? []));
        marker = page.IsTruncated ? page.Marker : undefined;
      } while (marker);
      return users;
    },
    whoami: async () => {
      const { $metadata: _, ...identity } = await sts.send(new GetCallerIdentityCommand({}));
      return identity;
    },
  };
}
