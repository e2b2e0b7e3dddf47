/**
 * The IAM permissions each SSM action needs, per AWS's Service Authorization Reference: the
 * action, the parameter ARN (or `*` for DescribeParameters, the path for GetParametersByPath),
 * and the condition keys the action supports (aws:RequestTag/*, aws:TagKeys, ssm:Overwrite,
 * ssm:Recursive). A parameter is named once, canonically (parameterTarget): the same ARN and the
 * same stored tags whichever spelling, ARN or selector the caller used, and a
 * `/aws/reference/secretsmanager/` name is authorized on the whole SecretId it carries.
 */
import type { Scope, StorageReader } from '../../storage/storage.js';
import { requestTagKeys, type ConditionValues, type Permission } from '../request-context.js';
import { storedName } from './parameter-lookup.js';
import { nameFromArn, parameterArn, parseSecretReference } from './parameter-name.js';

type Input = Record<string, unknown>;

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
  constructor(private readonly storage: StorageReader) {}

  /** A permission on one parameter, as every path to a parameter builds it (with its stored tags). */
  onParameter(scope: Scope, action: string, reference: unknown, context?: ConditionValues): Permission {
    const name = parameterTarget(scope, reference);
    const arn = parameterArn(scope, name);
    return { action, resource: arn, shown: arn, ...(context ? { context } : {}), resourceTags: () => this.tagsOf(scope, name) };
  }

  async permissionsFor(scope: Scope, action: string, input: Input): Promise<Permission[]> {
    const on = (reference: unknown, context?: ConditionValues, act = action) => this.onParameter(scope, `ssm:${act}`, reference, context);
    switch (action) {
      case 'GetParameters':
      case 'DeleteParameters':
        return (Array.isArray(input.Names) ? input.Names : []).map((n) => on(n));
      case 'GetParametersByPath': {
        const path = typeof input.Path === 'string' ? input.Path : '';
        const arn = parameterArn(scope, path === '/' ? '' : path);
        return [{ action: 'ssm:GetParametersByPath', resource: arn, shown: arn, context: { 'ssm:Recursive': String(input.Recursive === true) } }];
      }
      case 'DescribeParameters':
        return [{ action: 'ssm:DescribeParameters', resource: '*' }];
      case 'PutParameter': {
        const context = { ...requestTagKeys(input.Tags), 'ssm:Overwrite': String(input.Overwrite === true) };
        const put = on(input.Name, context);
        return Array.isArray(input.Tags) && input.Tags.length > 0 ? [put, on(input.Name, context, 'AddTagsToResource')] : [put];
      }
      case 'AddTagsToResource':
      case 'RemoveTagsFromResource':
      case 'ListTagsForResource': {
        const context = action === 'AddTagsToResource' ? requestTagKeys(input.Tags)
          : action === 'RemoveTagsFromResource' && Array.isArray(input.TagKeys) ? { 'aws:TagKeys': input.TagKeys.map(String) } : undefined;
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
