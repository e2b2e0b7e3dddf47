/**
 * STS: GetCallerIdentity, and AssumeRole with the role's trust policy evaluated (the caller
 * must be a principal it trusts; session tags also need sts:TagSession), the caller's own
 * identity policy consulted unless the trust policy names it, DurationSeconds bounded by the
 * role's MaxSessionDuration, and session tags that become aws:PrincipalTag for the session.
 */
import type { AssumeRoleRequest, AssumeRoleResponse, GetCallerIdentityResponse } from '@aws-sdk/client-sts';
import { requestTagKeys, type CallerIdentity, type Permission, type RequestContext } from '../request-context.js';
import { AccessDenied } from '../iam/access-control.js';
import type { IamEntities } from '../iam/iam-entities.js';
import { IamValidationError, listMember } from '../iam/iam-errors.js';
import { parsePolicyDocument } from '../iam/policy-document.js';
import { CompiledPolicy } from '../iam/policy-evaluator.js';
import type { ContextLookup } from '../iam/policy-template.js';
import type { SessionCredentials } from './session-credentials.js';

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([\w+=,.@-]{1,64})$/;
const MAX_SESSION_TAGS = 50;
const CHAINED_MAX_SECONDS = 3600;

function invalid(field: string, value: unknown, constraint: string): never {
  throw new IamValidationError(
    `1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: ${constraint}`,
  );
}

function sessionTags(tags: AssumeRoleRequest['Tags']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const tag of listMember(tags as AssumeRoleRequest['Tags'] | string, 'tags')) {
    if (typeof tag.Key !== 'string' || !/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u.test(tag.Key))
      invalid('tags.member.key', tag.Key, 'Member must have length less than or equal to 128');
    if (typeof tag.Value !== 'string' || tag.Value.length > 256)
      invalid('tags.member.value', tag.Value, 'Member must have length less than or equal to 256');
    out[tag.Key] = tag.Value;
  }
  if (Object.keys(out).length > MAX_SESSION_TAGS)
    invalid(
      'tags',
      `${Object.keys(out).length} tags`,
      `Member must have length less than or equal to ${MAX_SESSION_TAGS}`,
    );
  return out;
}

function sessionTagKeys(tags: Record<string, string>): Record<string, string | string[]> {
  return requestTagKeys(Object.entries(tags).map(([Key, Value]) => ({ Key, Value })));
}

/** The STS engine. */
export class SecurityTokenService {
  constructor(
    private readonly entities: IamEntities,
    private readonly sessions: SessionCredentials,
  ) {}

  async getCallerIdentity(ctx: RequestContext): Promise<GetCallerIdentityResponse> {
    const caller = ctx.caller;
    return { UserId: caller?.userId ?? ctx.account, Account: ctx.account, Arn: caller?.arn ?? ctx.principalArn };
  }

  async assumeRole(ctx: RequestContext, request: AssumeRoleRequest): Promise<AssumeRoleResponse> {
    const roleArn = String(request.RoleArn);
    const match = ROLE_ARN.exec(roleArn);
    if (!match) invalid('roleArn', request.RoleArn, 'Member must have length greater than or equal to 20');
    const sessionName = request.RoleSessionName;
    if (typeof sessionName !== 'string' || !/^[\w+=,.@-]{2,64}$/.test(sessionName))
      invalid('roleSessionName', sessionName, 'Member must satisfy regular expression pattern: [\\w+=,.@-]*');
    if (
      (request.Policy !== undefined && request.Policy !== '') ||
      listMember(request.PolicyArns as [] | string | undefined, 'policyArns').length > 0
    ) {
      throw new IamValidationError(
        'Session policies (Policy, PolicyArns) are not supported by Coffer; grant the role exactly what the session ' +
          'needs.',
      );
    }
    const tags = sessionTags(request.Tags);
    const caller = ctx.caller ?? {
      arn: ctx.principalArn,
      principalArn: ctx.principalArn,
      account: ctx.account,
      userId: ctx.account,
      principalId: ctx.account,
      tags: new Map(),
    };
    const denied = () =>
      new AccessDenied(
        'sts',
        `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      );
    if (/:root$/.test(caller.principalArn)) throw new AccessDenied('sts', 'Roles may not be assumed by root accounts.');

    // Authorization before existence: a missing role and a refusing one look the same.
    const role =
      match![1] === ctx.account
        ? await this.entities.find(this.entities.storage, ctx.account, 'role', match![2]!)
        : undefined;
    if (!role || role.arn !== roleArn) throw denied();
    const trust = new CompiledPolicy(
      `${role.name} trust policy`,
      parsePolicyDocument(role.attributes.trustPolicy!, 'trust'),
    );
    const lookup = this.trustLookup(caller, ctx, request, tags);
    const subject = {
      arn: caller.principalArn,
      sessionArn: caller.arn,
      account: caller.account,
      id: caller.principalId,
      ...(role.attributes.trustPrincipals ? { bindings: role.attributes.trustPrincipals } : {}),
    };
    const actions = Object.keys(tags).length > 0 ? ['sts:AssumeRole', 'sts:TagSession'] : ['sts:AssumeRole'];
    const decisions = actions.map((action) => trust.evaluate(action, roleArn, lookup, subject));
    if (decisions.some((d) => d.effect !== 'Allow')) throw denied();
    if (!decisions.every((d) => d.direct)) {
      const needs: Permission[] = actions.map((action) => ({
        action,
        resource: roleArn,
        context: sessionTagKeys(tags),
      }));
      // The same refusal as for a missing or distrusting role: nothing tells them apart.
      await ctx.authorize?.(needs).catch(() => {
        throw denied();
      });
    }

    const isChained = /:assumed-role\//.test(caller.arn);
    const maxDuration = isChained ? CHAINED_MAX_SECONDS : (role.attributes.maxSessionDuration ?? 3600);
    const duration =
      request.DurationSeconds === undefined ? Math.min(3600, maxDuration) : Number(request.DurationSeconds);
    if (!Number.isInteger(duration) || duration < 900)
      invalid('durationSeconds', request.DurationSeconds, 'Member must have value greater than or equal to 900');
    if (duration > maxDuration) {
      const limit = isChained
        ? '1 hour session limit for roles assumed by role chaining'
        : 'MaxSessionDuration set for this role';
      throw new IamValidationError(`The requested DurationSeconds exceeds the ${limit}.`);
    }
    const credentials = this.sessions.issue(
      ctx.account,
      role.arn,
      { roleName: role.name, roleId: role.id, sessionName, tags },
      duration,
    );
    return {
      Credentials: credentials,
      AssumedRoleUser: {
        AssumedRoleId: `${role.id}:${sessionName}`,
        Arn: `arn:aws:sts::${ctx.account}:assumed-role/${role.name}/${sessionName}`,
      },
      PackedPolicySize: Object.keys(tags).length > 0 ? Math.min(100, Object.keys(tags).length * 2) : undefined,
    };
  }

  /**
   * Temporary credentials for the calling user (or root), with its own permissions, for
   * 900 s to 36 h (root: at most 1 h), as AWS. Refused with temporary credentials; MFA is not
   * something Coffer has.
   */
  async getSessionToken(
    ctx: RequestContext,
    request: { DurationSeconds?: number; SerialNumber?: string; TokenCode?: string },
  ): Promise<object> {
    if (request.SerialNumber !== undefined || request.TokenCode !== undefined) {
      throw new IamValidationError(
        'Coffer has no MFA devices: call GetSessionToken without SerialNumber and TokenCode.',
      );
    }
    const caller = ctx.caller;
    if (ctx.temporaryCredentials === true || /:assumed-role\//.test(caller?.arn ?? ''))
      throw new AccessDenied('sts', 'Cannot call GetSessionToken with session credentials');
    const root = /:root$/.test(caller?.principalArn ?? ctx.principalArn);
    const requested = request.DurationSeconds === undefined ? 43_200 : Number(request.DurationSeconds);
    if (!Number.isInteger(requested) || requested < 900)
      invalid('durationSeconds', request.DurationSeconds, 'Member must have value greater than or equal to 900');
    if (requested > 129_600)
      invalid('durationSeconds', request.DurationSeconds, 'Member must have value less than or equal to 129600');
    // The account's root gets at most an hour, whatever it asks for (AWS shortens, not refuses).
    const duration = root ? Math.min(requested, 3600) : requested;
    if (ctx.accessKeyId === undefined) throw new AccessDenied('sts', 'GetSessionToken needs an access key');
    const principalArn = caller?.principalArn ?? ctx.principalArn;
    return {
      Credentials: this.sessions.issueForUser(
        ctx.account,
        principalArn,
        caller?.principalId ?? ctx.account,
        ctx.accessKeyId,
        duration,
      ),
    };
  }

  /** The condition keys a trust policy sees: the caller's, the requested tags, sts:ExternalId and sts:RoleSessionName.
   * */
  private trustLookup(
    caller: CallerIdentity,
    ctx: RequestContext,
    request: AssumeRoleRequest,
    tags: Record<string, string>,
  ): ContextLookup {
    const now = Date.now();
    const keys = new Map<string, string | readonly string[]>([
      ['aws:principalarn', caller.principalArn],
      ['aws:principalaccount', caller.account],
      ['aws:userid', caller.userId],
      ['aws:currenttime', new Date(now).toISOString()],
      ['aws:epochtime', String(Math.floor(now / 1000))],
      ['aws:requestedregion', ctx.region],
      ['sts:rolesessionname', String(request.RoleSessionName)],
      ...Object.entries(sessionTagKeys(tags)).map(([k, v]) => [k.toLowerCase(), v] as [string, string | string[]]),
    ]);
    if (request.ExternalId !== undefined) keys.set('sts:externalid', request.ExternalId);
    for (const [k, v] of caller.tags) keys.set(`aws:principaltag/${k}`, v);
    return (key) => keys.get(key);
  }
}
