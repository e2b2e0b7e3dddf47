/**
 * Resource policies on secrets: validated with the one IAM grammar, stored with the secret,
 * and evaluated by AccessControl together with the caller's identity policies. BlockPublicPolicy
 * refuses a policy that would grant access to anyone.
 */
import type {
  DeleteResourcePolicyRequest,
  GetRandomPasswordRequest,
  GetResourcePolicyRequest,
  PutResourcePolicyRequest,
  ValidateResourcePolicyRequest,
} from '@aws-sdk/client-secrets-manager';
import { parsePolicyDocument, type PolicyDocument } from '../iam/policy-document.js';
import type { RequestContext } from '../request-context.js';
import { ServiceError } from '../service-error.js';
import { MalformedPolicyDocumentException, SecretsValidationException } from './errors.js';
import { randomPassword } from './random-password.js';
import type { SecretRecords } from './secret-records.js';
import type { IamEntities } from '../iam/iam-entities.js';
import { principalBindings } from '../iam/principal-bindings.js';
import { refuseReplica, type SecretReplication } from './secret-replication.js';

const MAX_POLICY = 20_480;

function parseResourcePolicy(text: unknown): PolicyDocument {
  if (typeof text !== 'string' || text.length < 1 || text.length > MAX_POLICY) {
    throw new SecretsValidationException(
      `1 validation error detected: Value at 'resourcePolicy' failed to satisfy constraint: Member must have length ` +
        `between 1 and ${MAX_POLICY}`,
    );
  }
  try {
    return parsePolicyDocument(text, 'resource');
  } catch (error) {
    if (error instanceof ServiceError) throw new MalformedPolicyDocumentException(error.message);
    throw error;
  }
}

/** Whether an Allow statement names every principal with no condition to narrow it. */
function isPublic(policy: PolicyDocument): boolean {
  return policy.statements.some(
    (s) =>
      s.effect === 'Allow' &&
      Object.keys(s.conditions).length === 0 &&
      (s.principal === '*' || (s.principal !== undefined && (s.principal.AWS ?? []).includes('*'))),
  );
}

/** The resource-policy actions, and GetRandomPassword. */
export class SecretPolicies {
  constructor(
    private readonly records: SecretRecords,
    private readonly entities: IamEntities,
    private readonly replication: SecretReplication,
  ) {}

  async putResourcePolicy(ctx: RequestContext, request: PutResourcePolicyRequest): Promise<object> {
    // The secret before its document, as AWS (and ValidateResourcePolicy) does: an unknown
    // secret is ResourceNotFoundException and a replica is refused, whatever the document says.
    refuseReplica((await this.records.resolve(this.records.storage, ctx, request.SecretId)).attributes);
    const policy = parseResourcePolicy(request.ResourcePolicy);
    if (request.BlockPublicPolicy === true && isPublic(policy)) {
      throw new ServiceError(
        'PublicPolicyException',
        'This resource policy contains a statement that grants public access.',
      );
    }
    // Named users and roles are bound to who they are now, as AWS binds them to unique ids.
    const policyPrincipals = await principalBindings(
      this.entities,
      ctx.account,
      policy,
      (arn) => new MalformedPolicyDocumentException(`This resource policy contains an unsupported principal: ${arn}`),
    );
    return this.records.storage.transaction(async (tx) => {
      await this.records.lockWriters(tx, ctx, request.SecretId);
      const record = await this.records.resolve(tx, ctx, request.SecretId);
      refuseReplica(record.attributes);
      await this.records.save(tx, ctx, record.row, {
        ...record.attributes,
        policy: request.ResourcePolicy!,
        policyPrincipals,
      });
      // Replicas carry their primary's policy (AWS replicates resource policies).
      await this.replication.follow(tx, ctx, record, 'PutResourcePolicy');
      return { ARN: record.row.arn, Name: record.row.name };
    });
  }

  async getResourcePolicy(ctx: RequestContext, request: GetResourcePolicyRequest): Promise<object> {
    const record = await this.records.resolve(this.records.storage, ctx, request.SecretId);
    return {
      ARN: record.row.arn,
      Name: record.row.name,
      ...(record.attributes.policy ? { ResourcePolicy: record.attributes.policy } : {}),
    };
  }

  async deleteResourcePolicy(ctx: RequestContext, request: DeleteResourcePolicyRequest): Promise<object> {
    return this.records.storage.transaction(async (tx) => {
      await this.records.lockWriters(tx, ctx, request.SecretId);
      const record = await this.records.resolve(tx, ctx, request.SecretId);
      refuseReplica(record.attributes);
      const { policy: _, policyPrincipals: _p, ...attributes } = record.attributes;
      await this.records.save(tx, ctx, record.row, attributes);
      await this.replication.follow(tx, ctx, record, 'DeleteResourcePolicy');
      return { ARN: record.row.arn, Name: record.row.name };
    });
  }

  async validateResourcePolicy(ctx: RequestContext, request: ValidateResourcePolicyRequest): Promise<object> {
    if (request.SecretId !== undefined) await this.records.resolve(this.records.storage, ctx, request.SecretId);
    try {
      const policy = parseResourcePolicy(request.ResourcePolicy);
      const errors = isPublic(policy)
        ? [
            {
              CheckName: 'BROAD_ACCESS',
              ErrorMessage: 'The policy grants access to every principal without a condition.',
            },
          ]
        : [];
      return { PolicyValidationPassed: errors.length === 0, ValidationErrors: errors };
    } catch (error) {
      if (!(error instanceof MalformedPolicyDocumentException)) throw error;
      return {
        PolicyValidationPassed: false,
        ValidationErrors: [{ CheckName: 'JSON_SYNTAX', ErrorMessage: error.message }],
      };
    }
  }

  async getRandomPassword(_ctx: RequestContext, request: GetRandomPasswordRequest): Promise<object> {
    return { RandomPassword: randomPassword(request) };
  }
}
