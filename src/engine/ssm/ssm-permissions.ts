/**
 * The IAM permissions each SSM action needs, per AWS's Service Authorization Reference: the
 * action, the parameter ARN (or `*` for DescribeParameters, the path for GetParametersByPath),
 * and the condition keys the action supports (aws:RequestTag/*, aws:TagKeys, ssm:Overwrite,
 * ssm:Recursive). Resource tags are fetched lazily for aws:ResourceTag conditions.
 */
import type { Scope, StorageReader } from '../../storage/storage.js';
import { requestTagKeys, type ConditionValues, type Permission } from '../request-context.js';
import { nameFromArn, parameterArn } from './parameter-name.js';

type Input = Record<string, unknown>;

/** The kms permission a SecureString read or write needs, as SSM asks KMS on the caller's behalf. */
export function kmsPermission(scope: Scope, action: 'kms:Decrypt' | 'kms:Encrypt', keyId: string, name: string): Permission {
  return {
    action,
    resource: `arn:aws:kms:${scope.region}:${scope.account}:key/${keyId}`,
    context: {
      'kms:ViaService': `ssm.${scope.region}.amazonaws.com`, 'kms:CallerAccount': scope.account,
      'kms:EncryptionContext:PARAMETER_ARN': parameterArn(scope, name),
    },
  };
}

/** The name a reference denotes, without ARN prefix or `:version` / `:label` selector. */
function referencedName(scope: Scope, reference: unknown): string {
  if (typeof reference !== 'string') return '';
  let name = reference;
  try {
    name = nameFromArn(scope, reference);
  } catch {
    // A foreign ARN: the engine refuses it after authorization; authorize the text as given.
  }
  const colon = name.indexOf(':');
  return colon >= 0 ? name.slice(0, colon) : name;
}

/** Maps an SSM action and its input to the permissions it needs. */
export class SsmPermissions {
  constructor(private readonly storage: StorageReader) {}

  async permissionsFor(scope: Scope, action: string, input: Input): Promise<Permission[]> {
    const on = (name: string, context?: ConditionValues, act = action): Permission => ({
      action: `ssm:${act}`, resource: parameterArn(scope, name), ...(context ? { context } : {}),
      resourceTags: () => this.tagsOf(scope, name),
    });
    switch (action) {
      case 'GetParameters':
      case 'DeleteParameters':
        return (Array.isArray(input.Names) ? input.Names : []).map((n) => on(referencedName(scope, n)));
      case 'GetParametersByPath': {
        const path = typeof input.Path === 'string' ? input.Path : '';
        return [{ action: 'ssm:GetParametersByPath', resource: parameterArn(scope, path === '/' ? '' : path),
          context: { 'ssm:Recursive': String(input.Recursive === true) } }];
      }
      case 'DescribeParameters':
        return [{ action: 'ssm:DescribeParameters', resource: '*' }];
      case 'PutParameter': {
        const name = referencedName(scope, input.Name);
        const context = { ...requestTagKeys(input.Tags), 'ssm:Overwrite': String(input.Overwrite === true) };
        const put = on(name, context);
        return Array.isArray(input.Tags) && input.Tags.length > 0 ? [put, on(name, context, 'AddTagsToResource')] : [put];
      }
      case 'AddTagsToResource':
      case 'RemoveTagsFromResource':
      case 'ListTagsForResource': {
        const context = action === 'AddTagsToResource' ? requestTagKeys(input.Tags)
          : action === 'RemoveTagsFromResource' && Array.isArray(input.TagKeys) ? { 'aws:TagKeys': input.TagKeys.map(String) } : undefined;
        if (input.ResourceType !== 'Parameter') {
          const type = String(input.ResourceType).toLowerCase();
          return [{ action: `ssm:${action}`, resource: `arn:aws:ssm:${scope.region}:${scope.account}:${type}/${String(input.ResourceId)}`, ...(context ? { context } : {}) }];
        }
        return [on(referencedName(scope, input.ResourceId), context)];
      }
      default:
        return [on(referencedName(scope, input.Name))];
    }
  }

  private async tagsOf(scope: Scope, name: string): Promise<Record<string, string>> {
    const rows = await this.storage.listTags(scope, 'Parameter', [name]);
    return Object.fromEntries(rows.map((r) => [r.key, r.value]));
  }
}
