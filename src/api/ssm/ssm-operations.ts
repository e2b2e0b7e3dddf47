/**
 * The AmazonSSM JSON 1.1 operation table: the engine call that serves each operation of the SSM
 * model (models/ssm.ts decodes and checks every input first). Adding an action is adding a row.
 */
import type { ParameterStore } from '../../engine/ssm/parameter-store.js';
import type { SsmPermissions } from '../../engine/ssm/ssm-permissions.js';
import { handler as op, serviceFromModel, type ApiService, type ServiceOperation } from '../api-service.js';
import { ssmModel } from '../models/ssm.js';

/** The SSM service, bound to one ParameterStore. */
export function ssmService(store: ParameterStore, permissions: SsmPermissions): ApiService {
  const operations = new Map<string, ServiceOperation>([
    ['PutParameter', op((c, i) => store.putParameter(c, i))],
    ['GetParameter', op((c, i) => store.getParameter(c, i))],
    ['GetParameters', op((c, i) => store.getParameters(c, i))],
    ['GetParametersByPath', op((c, i) => store.getParametersByPath(c, i))],
    ['DescribeParameters', op((c, i) => store.describeParameters(c, i))],
    ['GetParameterHistory', op((c, i) => store.getParameterHistory(c, i))],
    ['DeleteParameter', op((c, i) => store.deleteParameter(c, i))],
    ['DeleteParameters', op((c, i) => store.deleteParameters(c, i))],
    ['LabelParameterVersion', op((c, i) => store.labelParameterVersion(c, i))],
    ['UnlabelParameterVersion', op((c, i) => store.unlabelParameterVersion(c, i))],
    ['AddTagsToResource', op((c, i) => store.addTagsToResource(c, i))],
    ['RemoveTagsFromResource', op((c, i) => store.removeTagsFromResource(c, i))],
    ['ListTagsForResource', op((c, i) => store.listTagsForResource(c, i))],
  ]);
  return serviceFromModel(ssmModel, 'ssm', operations, (ctx, action, input) =>
    permissions.permissionsFor(ctx, action, input),
  );
}
