/**
 * The AmazonSSM JSON 1.1 operation table: each operation's member types and the engine call
 * that serves it. Adding an action is adding a row.
 */
import type { ParameterStore } from '../../engine/ssm/parameter-store.js';
import type { SsmPermissions } from '../../engine/ssm/ssm-permissions.js';
import type { RequestContext } from '../../engine/request-context.js';
import type { OperationShape } from '../json/json-shapes.js';
import type { JsonService, ServiceOperation } from '../api-service.js';

const NAME = { Name: 'string' } as const;
const PAGE = { MaxResults: 'integer', NextToken: 'string' } as const;
const RESOURCE = { ResourceType: 'string', ResourceId: 'string' } as const;
const LABELS = { ...NAME, ParameterVersion: 'integer', Labels: 'string[]' } as const;

/** The SSM service, bound to one ParameterStore. */
export function ssmService(store: ParameterStore, permissions: SsmPermissions): JsonService {
  // Engine methods validate presence and values; the shapes only guarantee JSON types.
  const op = (shape: OperationShape, call: (ctx: RequestContext, input: never) => Promise<object>): ServiceOperation =>
    ({ shape, handle: (ctx, input) => call(ctx, input as never) });
  const operations = new Map<string, ServiceOperation>([
    ['PutParameter', op({ ...NAME, Description: 'string', Value: 'string', Type: 'string', KeyId: 'string', Overwrite: 'boolean',
      AllowedPattern: 'string', Tags: 'tags', Tier: 'string', Policies: 'string', DataType: 'string' }, (c, i) => store.putParameter(c, i))],
    ['GetParameter', op({ ...NAME, WithDecryption: 'boolean' }, (c, i) => store.getParameter(c, i))],
    ['GetParameters', op({ Names: 'string[]', WithDecryption: 'boolean' }, (c, i) => store.getParameters(c, i))],
    ['GetParametersByPath', op({ Path: 'string', Recursive: 'boolean', ParameterFilters: 'string-filters', WithDecryption: 'boolean', ...PAGE },
      (c, i) => store.getParametersByPath(c, i))],
    ['DescribeParameters', op({ Filters: 'legacy-filters', ParameterFilters: 'string-filters', Shared: 'boolean', ...PAGE },
      (c, i) => store.describeParameters(c, i))],
    ['GetParameterHistory', op({ ...NAME, WithDecryption: 'boolean', ...PAGE }, (c, i) => store.getParameterHistory(c, i))],
    ['DeleteParameter', op(NAME, (c, i) => store.deleteParameter(c, i))],
    ['DeleteParameters', op({ Names: 'string[]' }, (c, i) => store.deleteParameters(c, i))],
    ['LabelParameterVersion', op(LABELS, (c, i) => store.labelParameterVersion(c, i))],
    ['UnlabelParameterVersion', op(LABELS, (c, i) => store.unlabelParameterVersion(c, i))],
    ['AddTagsToResource', op({ ...RESOURCE, Tags: 'tags' }, (c, i) => store.addTagsToResource(c, i))],
    ['RemoveTagsFromResource', op({ ...RESOURCE, TagKeys: 'string[]' }, (c, i) => store.removeTagsFromResource(c, i))],
    ['ListTagsForResource', op(RESOURCE, (c, i) => store.listTagsForResource(c, i))],
  ]);
  return { name: 'ssm', protocol: 'json', targetPrefix: 'AmazonSSM', operations, permissionsFor: (ctx, action, input) => permissions.permissionsFor(ctx, action, input) };
}
