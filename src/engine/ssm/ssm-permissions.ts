/**
 * The IAM permissions each SSM action needs, per AWS's Service Authorization Reference: the
 * action, the parameter ARN (or `*` for DescribeParameters, the path for GetParametersByPath),
 * and the condition keys the action supports (aws:RequestTag/*, aws:TagKeys, ssm:Overwrite,
 * ssm:Recursive). A parameter is named once, canonically (parameterTarget): the same ARN and the
 * same stored tags whichever spelling, ARN or selector the caller used, and a
 * `/aws/reference/secretsmanager/` name is authorized on the secret's own name, however the
 * SecretId named it (name, full or partial ARN), so a Deny on `.../secretsmanager/prod/*` holds.
 */
import type { Scope, StorageReader } from '../../storage/storage.js';
import { requestTagKeys, type ConditionValues, type Permission } from '../request-context.js';
import { storedName } from './parameter-lookup.js';
import {
  isPublicParameterName,
  nameFromArn,
  parameterArn,
  parseSecretReference,
  SECRET_REFERENCE_PREFIX,
} from './parameter-name.js';
import { candidateNames } from '../secrets/secret-names.js';

type Input = Record<string, unknown>;

/** The name of the secret a SecretId denotes, if it exists (Secrets Manager supplies it). */
export type SecretNameLookup = (scope: Scope, secretId: string) => Promise<string | undefined>;

/** The parameter a reference denotes: without ARN prefix and without `:version` / `:label` selector. */
export function parameterTarget(scope: Scope, reference: unknown): string {
  if (typeof reference !== 'string') return '';
  let name = reference;
  try {
    name = nameFromArn(scope, reference);
  } catch {
    // A foreign ARN: the engine refuses it after authorization; authorize the text as given.
  }
  const bridge = parseSecretReference(name);
  if (bridge) return `/aws/reference/secretsmanager/${bridge.secretId}`;
  const colon = name.indexOf(':');
  return colon >= 0 ? name.slice(0, colon) : name;
}

/** Maps an SSM action and its input to the permissions it needs. */
export class SsmPermissions {
  constructor(
    private readonly storage: StorageReader,
    private readonly secretName: SecretNameLookup = async () => undefined,
  ) {}

  /** A permission on one parameter, as every path to a parameter builds it (with its stored tags). */
  onParameter(scope: Scope, action: string, reference: unknown, context?: ConditionValues): Permission {
    const name = parameterTarget(scope, reference);
    const arn = parameterArn(scope, name);
    return {
      action,
      resource: arn,
      shown: arn,
      ...(context ? { context } : {}),
      // A public parameter has no tags, and is never looked for in the store.
      resourceTags: () => (isPublicParameterName(name) ? Promise.resolve({}) : this.tagsOf(scope, name)),
    };
  }

  /**
   * As onParameter, with a bridge name resolved to its secret's own name: that spelling must be
   * allowed, and the one the caller used (an ARN, say), if different, must not be denied.
   */
  async onReference(
    scope: Scope,
    action: string,
    reference: unknown,
    context?: ConditionValues,
  ): Promise<Permission[]> {
    const given = this.onParameter(scope, action, reference, context);
    const bridge = typeof reference === 'string' ? parseSecretReference(parameterTarget(scope, reference)) : undefined;
    if (!bridge) return [given];
    const name =
      (await this.secretName(scope, bridge.secretId)) ??
      candidateNames(scope, bridge.secretId)?.[0]?.name ??
      bridge.secretId;
    const canonical = this.onParameter(scope, action, `${SECRET_REFERENCE_PREFIX}${name}`, context);
    if (canonical.resource === given.resource) return [given];
    // The refusal names the parameter as the caller did.
    return [
      { ...canonical, shown: given.shown! },
      { ...given, denyOnly: true },
    ];
  }

  async permissionsFor(scope: Scope, action: string, input: Input): Promise<Permission[]> {
    const on = (reference: unknown, context?: ConditionValues, act = action) =>
      this.onParameter(scope, `ssm:${act}`, reference, context);
    switch (action) {
      case 'GetParameters':
        return (
          await Promise.all(
            (Array.isArray(input.Names) ? input.Names : []).map((n) => this.onReference(scope, 'ssm:GetParameters', n)),
          )
        ).flat();
      case 'GetParameter':
        return this.onReference(scope, 'ssm:GetParameter', input.Name);
      case 'DeleteParameters':
        return (Array.isArray(input.Names) ? input.Names : []).map((n) => on(n));
      case 'GetParametersByPath': {
        const path = typeof input.Path === 'string' ? input.Path : '';
        const arn = parameterArn(scope, path === '/' ? '' : path);
        return [
          {
            action: 'ssm:GetParametersByPath',
            resource: arn,
            shown: arn,
            context: { 'ssm:Recursive': String(input.Recursive === true) },
          },
        ];
      }
      case 'DescribeParameters':
        return [{ action: 'ssm:DescribeParameters', resource: '*' }];
      case 'PutParameter': {
        const context = { ...requestTagKeys(input.Tags), 'ssm:Overwrite': String(input.Overwrite === true) };
        const put = on(input.Name, context);
        return Array.isArray(input.Tags) && input.Tags.length > 0
          ? [put, on(input.Name, context, 'AddTagsToResource')]
          : [put];
      }
      case 'AddTagsToResource':
      case 'RemoveTagsFromResource':
      case 'ListTagsForResource': {
        const context =
          action === 'AddTagsToResource'
            ? requestTagKeys(input.Tags)
            : action === 'RemoveTagsFromResource' && Array.isArray(input.TagKeys)
              ? { 'aws:TagKeys': input.TagKeys.map(String) }
              : undefined;
        if (input.ResourceType !== 'Parameter') {
          const type = String(input.ResourceType).toLowerCase();
          const arn = `arn:aws:ssm:${scope.region}:${scope.account}:${type}/${String(input.ResourceId)}`;
          return [{ action: `ssm:${action}`, resource: arn, shown: arn, ...(context ? { context } : {}) }];
        }
        return [on(input.ResourceId, context)];
      }
      default:
        return [on(input.Name)];
    }
  }

  private async tagsOf(scope: Scope, name: string): Promise<Record<string, string>> {
    const rows = await this.storage.listTags(scope, 'Parameter', [await storedName(this.storage, scope, name)]);
    return Object.fromEntries(rows.map((r) => [r.key, r.value]));
  }
}
