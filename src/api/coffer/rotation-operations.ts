/**
 * Coffer's own JSON 1.1 service (`X-Amz-Target: CofferRotation.<Action>`, SigV4 service
 * `coffer`): what no AWS API covers. Rotation functions (register, list, remove), parameter
 * rotation, and the status of rotation runs. IAM actions are `coffer:<Action>`.
 */
import type { Permission } from '../../engine/request-context.js';
import type { RotationService } from '../../engine/rotation/rotation-service.js';
import { parameterArn } from '../../engine/ssm/parameter-name.js';
import type { RequestContext } from '../../engine/request-context.js';
import type { JsonService, ServiceOperation } from '../api-service.js';
import type { OperationShape } from '../json/json-shapes.js';

/** The CofferRotation service. */
export function rotationService(rotation: RotationService): JsonService {
  const op = (shape: OperationShape, call: (ctx: RequestContext, input: never) => Promise<object>): ServiceOperation =>
    ({ shape, handle: (ctx, input) => call(ctx, input as never) });
  const operations = new Map<string, ServiceOperation>([
    ['RegisterFunction', op({ Name: 'string', Url: 'string', Builtin: 'string', Options: 'structure' }, (c, i) => rotation.registerFunction(c, i))],
    ['ListFunctions', op({}, (c) => rotation.listFunctions(c))],
    ['RemoveFunction', op({ Name: 'string' }, (c, i) => rotation.removeFunction(c, i))],
    ['RotateParameter', op({ Name: 'string', RotationFunction: 'string', RotationRules: 'structure', RotateImmediately: 'boolean' },
      (c, i) => rotation.rotateParameter(c, i))],
    ['CancelParameterRotation', op({ Name: 'string' }, (c, i) => rotation.cancelParameterRotation(c, i))],
    ['GetRotationStatus', op({ Name: 'string', Kind: 'string', MaxResults: 'integer' }, (c, i) => rotation.rotationStatus(c, i))],
  ]);
  return {
    name: 'coffer', protocol: 'json', targetPrefix: 'CofferRotation', operations,
    permissionsFor: async (ctx, action, input): Promise<Permission[]> => {
      const onParameter = action === 'RotateParameter' || action === 'CancelParameterRotation';
      return [{ action: `coffer:${action}`, resource: onParameter ? parameterArn(ctx, String(input.Name)) : '*' }];
    },
  };
}
