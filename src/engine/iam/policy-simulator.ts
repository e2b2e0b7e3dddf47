/**
 * SimulatePrincipalPolicy: would this user, group or role be allowed these actions on these
 * resources, and which statement of which policy decided. Uses the same compiled policies and
 * evaluator as enforcement, so the answer is the one a real request would get.
 */
import type { EvaluationResult, SimulatePrincipalPolicyRequest } from '@aws-sdk/client-iam';
import type { RequestContext } from '../request-context.js';
import { AccessControl } from './access-control.js';
import type { Caller } from './caller.js';
import type { IamEntities } from './iam-entities.js';
import { IamValidationError, listMember, NoSuchEntity } from './iam-errors.js';
import type { IamPolicies } from './iam-policies.js';
import { parsePolicyDocument } from './policy-document.js';
import { CompiledPolicy, type Decision } from './policy-evaluator.js';
import { statementPositions } from './policy-positions.js';

const SOURCE_ARN = /^arn:aws:iam::(\d{12}):(user|group|role)\/(?:.*\/)?([\w+=,.@-]+)$/;
const DECISION: Record<Decision['effect'], string> = {
  Allow: 'allowed',
  ExplicitDeny: 'explicitDeny',
  ImplicitDeny: 'implicitDeny',
};

/** Answers SimulatePrincipalPolicy. */
export class PolicySimulator {
  private readonly access = new AccessControl();

  constructor(
    private readonly entities: IamEntities,
    private readonly policies: IamPolicies,
  ) {}

  async simulate(
    ctx: RequestContext,
    request: SimulatePrincipalPolicyRequest,
  ): Promise<{ EvaluationResults: EvaluationResult[]; IsTruncated: boolean }> {
    const match = SOURCE_ARN.exec(String(request.PolicySourceArn));
    if (!match || match[1] !== ctx.account)
      throw new IamValidationError(`Invalid ARN: ${String(request.PolicySourceArn)}`);
    if (
      !Array.isArray(request.ActionNames) ||
      request.ActionNames.length === 0 ||
      request.ActionNames.some((a) => typeof a !== 'string')
    )
      throw new IamValidationError(
        "1 validation error detected: Value null at 'actionNames' failed to satisfy constraint: Member must not be " +
          'null',
      );
    const kind = match[2] as 'user' | 'group' | 'role';
    const entity = await this.entities.find(this.entities.storage, ctx.account, kind, match[3]!);
    if (!entity || entity.arn !== request.PolicySourceArn)
      throw new NoSuchEntity(`The ${kind} with name ${match[3]} cannot be found.`);
    const documents = await this.policies.documentsOf(this.entities.storage, entity);
    const sources = new Map(documents.map((d) => [d.name, d.document]));
    const tags = new Map(
      (await this.entities.tags(this.entities.storage, entity)).map((t) => [t.Key!.toLowerCase(), t.Value!]),
    );
    const caller: Caller = {
      kind: kind === 'role' ? 'role-session' : 'user',
      arn: entity.arn,
      principalArn: entity.arn,
      account: ctx.account,
      userId: entity.id,
      principalId: entity.id,
      ...(kind === 'user' ? { userName: entity.name } : {}),
      tags,
      policies: documents.map((d) => new CompiledPolicy(d.name, parsePolicyDocument(d.document, 'identity'))),
    };
    const extra: Record<string, string | string[]> = {};
    const resources = listMember(request.ResourceArns as string[] | string | undefined, 'resourceArns').map(String);
    for (const entry of listMember(request.ContextEntries as [] | string | undefined, 'contextEntries') as Readonly<
      NonNullable<SimulatePrincipalPolicyRequest['ContextEntries']>
    >) {
      const values = entry.ContextKeyValues ?? [];
      extra[String(entry.ContextKeyName)] = /List$/i.test(String(entry.ContextKeyType)) ? values : (values[0] ?? '');
    }
    const facts = { service: 'iam', region: ctx.region, secureTransport: false };
    const results: EvaluationResult[] = [];
    for (const action of request.ActionNames) {
      for (const resource of resources.length ? resources : ['*']) {
        const decision = await this.access.decide(caller, facts, { action, resource }, extra);
        results.push({
          EvalActionName: action,
          EvalResourceName: resource,
          EvalDecision: DECISION[decision.effect] as EvaluationResult['EvalDecision'],
          MatchedStatements:
            decision.policy === undefined ? [] : [this.matched(decision, sources.get(decision.policy), kind)],
          MissingContextValues: [],
        });
      }
    }
    return { EvaluationResults: results, IsTruncated: false };
  }

  private matched(
    decision: Decision,
    source: string | undefined,
    kind: string,
  ): NonNullable<EvaluationResult['MatchedStatements']>[number] {
    const span =
      source === undefined || decision.statement === undefined
        ? undefined
        : statementPositions(source)[decision.statement];
    const managed = decision.policy!.startsWith('arn:');
    return {
      SourcePolicyId: managed ? decision.policy!.split('/').pop() : decision.policy!.split('/').pop(),
      SourcePolicyType: managed
        ? decision.policy!.includes('::aws:')
          ? 'aws-managed'
          : 'user-managed'
        : (kind as 'user' | 'group' | 'role'),
      ...(span ? { StartPosition: span.start, EndPosition: span.end } : {}),
    };
  }
}
