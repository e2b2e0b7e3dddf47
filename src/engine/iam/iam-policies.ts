/**
 * IAM policies: customer-managed policies with up to five versions, the built-in AWS-managed
 * ones, inline policies on users, groups and roles, and attachments. Every document is parsed
 * at write time, so a malformed one is refused with MalformedPolicyDocument and never stored.
 */
import type {
  AttachedPolicy,
  CreatePolicyRequest,
  CreatePolicyVersionRequest,
  DeletePolicyRequest,
  GetPolicyRequest,
  GetPolicyVersionRequest,
  ListPoliciesRequest,
  Policy,
  PolicyVersion,
} from '@aws-sdk/client-iam';
import type { StorageReader } from '../../storage/storage.js';
import type { RequestContext } from '../request-context.js';
import {
  AWS_MANAGED_POLICIES,
  AWS_MANAGED_POLICY_CREATED,
  awsManagedPolicyByArn,
  awsPolicyArn,
} from './aws-managed-policies.js';
import type { Entity, IamEntities } from './iam-entities.js';
import { DeleteConflict, IamValidationError, LimitExceeded, NoSuchEntity } from './iam-errors.js';
import { checkEntityName, parsePolicyArn } from './iam-names.js';
import { pageOf, type Page } from './iam-paging.js';
import { parsePolicyDocument } from './policy-document.js';

const MAX_VERSIONS = 5;
const MANAGED_LIMIT = 6144;
const INLINE_LIMIT: Record<string, number> = { user: 2048, group: 5120, role: 10240 };
const MAX_ATTACHED = 10;

/** A principal that can hold policies. */
export type Holder = 'user' | 'group' | 'role';

/** A policy document as the evaluator needs it, named for "which statement decided". */
export interface NamedDocument {
  readonly name: string;
  readonly document: string;
}

function checkDocument(document: unknown, limit: number, what: string): string {
  if (typeof document !== 'string')
    throw new IamValidationError(
      "1 validation error detected: Value null at 'policyDocument' failed to satisfy constraint: Member must not be " +
        'null',
    );
  if (document.replace(/\s/g, '').length > limit)
    throw new LimitExceeded(`Maximum policy size of ${limit} bytes exceeded for ${what}`);
  parsePolicyDocument(document, 'identity');
  return document;
}

function checkPolicyName(name: unknown): string {
  return checkEntityName('policy', name);
}

function awsManagedPolicy(arn: string): Policy | undefined {
  const builtin = awsManagedPolicyByArn(arn);
  return (
    builtin && {
      PolicyName: builtin.name,
      PolicyId: `ANPA${builtin.name
        .toUpperCase()
        .replace(/[^A-Z0-9]/g, '')
        .padEnd(17, 'X')
        .slice(0, 17)}`,
      Arn: arn,
      Path: '/',
      DefaultVersionId: 'v1',
      AttachmentCount: 0,
      PermissionsBoundaryUsageCount: 0,
      IsAttachable: true,
      Description: builtin.description,
      CreateDate: new Date(AWS_MANAGED_POLICY_CREATED),
      UpdateDate: new Date(AWS_MANAGED_POLICY_CREATED),
    }
  );
}

/** Managed and inline policies and their attachments. */
export class IamPolicies {
  constructor(private readonly entities: IamEntities) {}

  async createPolicy(ctx: RequestContext, request: CreatePolicyRequest): Promise<{ Policy: Policy }> {
    const name = checkPolicyName(request.PolicyName);
    const document = checkDocument(request.PolicyDocument, MANAGED_LIMIT, `policy ${name}`);
    const policy = await this.entities.write(async (tx) => {
      const created = await this.entities.create(tx, ctx.account, 'policy', name, request.Path, {
        defaultVersion: 'v1',
        nextVersion: 2,
        ...(request.Description !== undefined ? { description: request.Description } : {}),
      });
      await tx.putIamDocument({
        ownerArn: created.arn,
        docKind: 'version',
        docName: 'v1',
        account: ctx.account,
        document,
        createdAt: created.createdAt,
      });
      await this.entities.addTags(tx, created, request.Tags);
      return created;
    });
    return { Policy: await this.policyShape(this.entities.storage, policy) };
  }

  async getPolicy(ctx: RequestContext, request: GetPolicyRequest): Promise<{ Policy: Policy }> {
    const builtin = awsManagedPolicy(String(request.PolicyArn));
    if (builtin)
      return {
        Policy: {
          ...builtin,
          AttachmentCount: (await this.entities.storage.listIamLinks('attached', { toArn: builtin.Arn! })).length,
        },
      };
    return {
      Policy: await this.policyShape(
        this.entities.storage,
        await this.requirePolicy(this.entities.storage, ctx, request.PolicyArn),
      ),
    };
  }

  async getPolicyVersion(
    ctx: RequestContext,
    request: GetPolicyVersionRequest,
  ): Promise<{ PolicyVersion: PolicyVersion }> {
    const builtin = awsManagedPolicyByArn(request.PolicyArn);
    if (builtin && request.VersionId === 'v1') {
      return {
        PolicyVersion: {
          Document: builtin.document,
          VersionId: 'v1',
          IsDefaultVersion: true,
          CreateDate: new Date(AWS_MANAGED_POLICY_CREATED),
        },
      };
    }
    const policy = await this.requirePolicy(this.entities.storage, ctx, request.PolicyArn);
    const version = (await this.entities.storage.listIamDocuments(policy.arn, 'version')).find(
      (v) => v.docName === request.VersionId,
    );
    if (!version)
      throw new NoSuchEntity(
        `Policy ${policy.arn} version ${String(request.VersionId)} does not exist or is not attachable.`,
      );
    return {
      PolicyVersion: {
        Document: version.document,
        VersionId: version.docName,
        IsDefaultVersion: version.docName === policy.attributes.defaultVersion,
        CreateDate: new Date(version.createdAt),
      },
    };
  }

  async listPolicies(ctx: RequestContext, request: ListPoliciesRequest): Promise<{ Policies: Policy[] } & Page> {
    const scope = request.Scope ?? 'All';
    const prefix = request.PathPrefix ?? '/';
    const local =
      scope === 'AWS'
        ? []
        : await Promise.all(
            (await this.entities.storage.listIamEntities(ctx.account, 'policy')).map(async (row) =>
              this.policyShape(this.entities.storage, { ...row, attributes: JSON.parse(row.attributes) }),
            ),
          );
    const aws = scope === 'Local' ? [] : AWS_MANAGED_POLICIES.map((p) => awsManagedPolicy(awsPolicyArn(p.name))!);
    let all = [...aws, ...local].filter((p) => p.Path!.startsWith(prefix));
    if (String(request.OnlyAttached) === 'true') all = all.filter((p) => (p.AttachmentCount ?? 0) > 0);
    all.sort((a, b) => (a.PolicyName! < b.PolicyName! ? -1 : 1));
    const page = pageOf(all, (p) => p.Arn!, request);
    return { Policies: page.items, ...page.marker };
  }

  async deletePolicy(ctx: RequestContext, request: DeletePolicyRequest): Promise<object> {
    await this.entities.write(async (tx) => {
      const policy = await this.requirePolicy(tx, ctx, request.PolicyArn);
      if ((await tx.listIamLinks('attached', { toArn: policy.arn })).length > 0)
        throw new DeleteConflict('Cannot delete a policy attached to entities.');
      const versions = await tx.listIamDocuments(policy.arn, 'version');
      if (versions.length > 1)
        throw new DeleteConflict(
          "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. " +
            'The default version is deleted with the policy.',
        );
      for (const v of versions) await tx.deleteIamDocument(policy.arn, 'version', v.docName);
      await this.entities.removeAllTags(tx, policy);
      await tx.deleteIamEntity(ctx.account, 'policy', policy.name);
    });
    return {};
  }

  async createPolicyVersion(
    ctx: RequestContext,
    request: CreatePolicyVersionRequest,
  ): Promise<{ PolicyVersion: PolicyVersion }> {
    return this.entities.write(async (tx) => {
      const policy = await this.requirePolicy(tx, ctx, request.PolicyArn);
      const document = checkDocument(request.PolicyDocument, MANAGED_LIMIT, `policy ${policy.name}`);
      const versions = await tx.listIamDocuments(policy.arn, 'version');
      if (versions.length >= MAX_VERSIONS)
        throw new LimitExceeded(
          `A managed policy can have up to ${MAX_VERSIONS} versions. Before you create a new version, you must ` +
            `delete an existing version.`,
        );
      const versionId = `v${policy.attributes.nextVersion ?? versions.length + 1}`;
      const now = Date.now();
      await tx.putIamDocument({
        ownerArn: policy.arn,
        docKind: 'version',
        docName: versionId,
        account: ctx.account,
        document,
        createdAt: now,
      });
      const isDefault = String(request.SetAsDefault) === 'true';
      await this.entities.saveAttributes(tx, policy, {
        ...policy.attributes,
        nextVersion: Number(versionId.slice(1)) + 1,
        ...(isDefault ? { defaultVersion: versionId } : {}),
      });
      return { PolicyVersion: { VersionId: versionId, IsDefaultVersion: isDefault, CreateDate: new Date(now) } };
    });
  }

  /** PutUserPolicy, PutGroupPolicy, PutRolePolicy. */
  async putInline(
    ctx: RequestContext,
    holder: Holder,
    holderName: unknown,
    policyName: unknown,
    document: unknown,
  ): Promise<object> {
    const name = checkPolicyName(policyName);
    await this.entities.write(async (tx) => {
      const owner = await this.entities.require(tx, ctx.account, holder, checkEntityName(holder, holderName));
      const text = checkDocument(document, INLINE_LIMIT[holder]!, `${holder} ${owner.name}`);
      await tx.putIamDocument({
        ownerArn: owner.arn,
        docKind: 'inline',
        docName: name,
        account: ctx.account,
        document: text,
        createdAt: Date.now(),
      });
    });
    return {};
  }

  async getInline(
    ctx: RequestContext,
    holder: Holder,
    holderName: unknown,
    policyName: unknown,
  ): Promise<{ name: string; policyName: string; document: string }> {
    const owner = await this.entities.require(
      this.entities.storage,
      ctx.account,
      holder,
      checkEntityName(holder, holderName),
    );
    const name = checkPolicyName(policyName);
    const doc = (await this.entities.storage.listIamDocuments(owner.arn, 'inline')).find((d) => d.docName === name);
    if (!doc) throw new NoSuchEntity(`The ${holder} policy with name ${name} cannot be found.`);
    return { name: owner.name, policyName: name, document: doc.document };
  }

  async listInline(
    ctx: RequestContext,
    holder: Holder,
    holderName: unknown,
  ): Promise<{ PolicyNames: string[]; IsTruncated: boolean }> {
    const owner = await this.entities.require(
      this.entities.storage,
      ctx.account,
      holder,
      checkEntityName(holder, holderName),
    );
    return {
      PolicyNames: (await this.entities.storage.listIamDocuments(owner.arn, 'inline')).map((d) => d.docName),
      IsTruncated: false,
    };
  }

  async deleteInline(ctx: RequestContext, holder: Holder, holderName: unknown, policyName: unknown): Promise<object> {
    await this.entities.write(async (tx) => {
      const owner = await this.entities.require(tx, ctx.account, holder, checkEntityName(holder, holderName));
      const name = checkPolicyName(policyName);
      if (!(await tx.deleteIamDocument(owner.arn, 'inline', name)))
        throw new NoSuchEntity(`The ${holder} policy with name ${name} cannot be found.`);
    });
    return {};
  }

  /** AttachUserPolicy, AttachGroupPolicy, AttachRolePolicy. */
  async attach(ctx: RequestContext, holder: Holder, holderName: unknown, policyArn: unknown): Promise<object> {
    await this.entities.write(async (tx) => {
      const owner = await this.entities.require(tx, ctx.account, holder, checkEntityName(holder, holderName));
      const arn = await this.attachableArn(tx, ctx, policyArn);
      const attached = await tx.listIamLinks('attached', { fromArn: owner.arn });
      if (!attached.some((l) => l.toArn === arn) && attached.length >= MAX_ATTACHED) {
        throw new LimitExceeded(`Cannot exceed quota for PoliciesPerUser: ${MAX_ATTACHED}`);
      }
      await tx.putIamLink({ link: 'attached', fromArn: owner.arn, toArn: arn, account: ctx.account });
    });
    return {};
  }

  async detach(ctx: RequestContext, holder: Holder, holderName: unknown, policyArn: unknown): Promise<object> {
    await this.entities.write(async (tx) => {
      const owner = await this.entities.require(tx, ctx.account, holder, checkEntityName(holder, holderName));
      if (!(await tx.deleteIamLink({ link: 'attached', fromArn: owner.arn, toArn: String(policyArn) }))) {
        throw new NoSuchEntity(`Policy ${String(policyArn)} was not found.`);
      }
    });
    return {};
  }

  async listAttached(
    ctx: RequestContext,
    holder: Holder,
    holderName: unknown,
  ): Promise<{ AttachedPolicies: AttachedPolicy[]; IsTruncated: boolean }> {
    const owner = await this.entities.require(
      this.entities.storage,
      ctx.account,
      holder,
      checkEntityName(holder, holderName),
    );
    const links = await this.entities.storage.listIamLinks('attached', { fromArn: owner.arn });
    return {
      AttachedPolicies: links.map((l) => ({ PolicyName: parsePolicyArn(l.toArn)?.name, PolicyArn: l.toArn })),
      IsTruncated: false,
    };
  }

  /** Every policy document that applies to a principal: inline, attached, and its groups'. */
  async documentsOf(reader: StorageReader, holder: Entity): Promise<NamedDocument[]> {
    const holders = [holder];
    if (holder.kind === 'user') {
      for (const link of await reader.listIamLinks('member', { toArn: holder.arn })) {
        const group = await this.entities.find(reader, holder.account, 'group', link.fromArn.split('/').pop()!);
        if (group) holders.push(group);
      }
    }
    const documents: NamedDocument[] = [];
    for (const h of holders) {
      for (const doc of await reader.listIamDocuments(h.arn, 'inline'))
        documents.push({ name: `${h.name}/${doc.docName}`, document: doc.document });
      for (const link of await reader.listIamLinks('attached', { fromArn: h.arn })) {
        const managed = await this.managedDocument(reader, link.toArn);
        if (managed) documents.push({ name: link.toArn, document: managed });
      }
    }
    return documents;
  }

  private async managedDocument(reader: StorageReader, arn: string): Promise<string | undefined> {
    const builtin = awsManagedPolicyByArn(arn);
    if (builtin) return builtin.document;
    const parsed = parsePolicyArn(arn);
    const policy = parsed && (await this.entities.find(reader, parsed.account, 'policy', parsed.name));
    if (!policy) return undefined;
    return (await reader.listIamDocuments(policy.arn, 'version')).find(
      (v) => v.docName === policy.attributes.defaultVersion,
    )?.document;
  }

  private async attachableArn(reader: StorageReader, ctx: RequestContext, policyArn: unknown): Promise<string> {
    const arn = String(policyArn);
    if (awsManagedPolicy(arn)) return arn;
    return (await this.requirePolicy(reader, ctx, policyArn, 'does not exist or is not attachable.')).arn;
  }

  private async requirePolicy(
    reader: StorageReader,
    ctx: RequestContext,
    policyArn: unknown,
    suffix = 'was not found.',
  ): Promise<Entity> {
    const parsed = parsePolicyArn(policyArn);
    if (!parsed)
      throw new IamValidationError(
        `1 validation error detected: Value '${String(policyArn)}' at 'policyArn' failed to satisfy constraint: ` +
          `Member must have length greater than or equal to 20`,
      );
    const policy =
      parsed.account === ctx.account ? await this.entities.find(reader, ctx.account, 'policy', parsed.name) : undefined;
    if (!policy || policy.arn !== policyArn) throw new NoSuchEntity(`Policy ${String(policyArn)} ${suffix}`);
    return policy;
  }

  private async policyShape(reader: StorageReader, policy: Entity): Promise<Policy> {
    const attachments = await reader.listIamLinks('attached', { toArn: policy.arn });
    const tags = await this.entities.tags(reader, policy);
    return {
      PolicyName: policy.name,
      PolicyId: policy.id,
      Arn: policy.arn,
      Path: policy.path,
      DefaultVersionId: policy.attributes.defaultVersion,
      AttachmentCount: attachments.length,
      PermissionsBoundaryUsageCount: 0,
      IsAttachable: true,
      ...(policy.attributes.description !== undefined ? { Description: policy.attributes.description } : {}),
      CreateDate: new Date(policy.createdAt),
      UpdateDate: new Date(policy.createdAt),
      ...(tags.length ? { Tags: tags } : {}),
    };
  }
}
