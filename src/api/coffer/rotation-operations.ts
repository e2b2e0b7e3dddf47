/**
 * Coffer's own JSON 1.1 service (`X-Amz-Target: CofferRotation.<Action>`, SigV4 service
 * `coffer`): what no AWS API covers. Rotation functions (register, list, remove), parameter
 * rotation, and the status of rotation runs. IAM actions are `coffer:<Action>`; the actions on a
 * parameter are authorized on it, with its tags, as every parameter action is.
 */
import type { RotationService } from '../../engine/rotation/rotation-service.js';
import type { SsmPermissions } from '../../engine/ssm/ssm-permissions.js';
import { handler as op, serviceFromModel, type ApiService, type ServiceOperation } from '../api-service.js';
import { cofferModel } from '../models/coffer.js';

/** The CofferRotation service. */
export function rotationService(rotation: RotationService, parameters: SsmPermissions): ApiService {
  const operations = new Map<string, ServiceOperation>([
    ['RegisterFunction', op((c, i) => rotation.registerFunction(c, i))],
    ['ListFunctions', op((c) => rotation.listFunctions(c))],
    ['RemoveFunction', op((c, i) => rotation.removeFunction(c, i))],
    ['RotateParameter', op((c, i) => rotation.rotateParameter(c, i))],
    ['CancelParameterRotation', op((c, i) => rotation.cancelParameterRotation(c, i))],
    ['GetRotationStatus', op((c, i) => rotation.rotationStatus(c, i))],
  ]);
  return serviceFromModel(cofferModel, 'coffer', operations, async (ctx, action, input) => {
    if (action === 'RotateParameter' || action === 'CancelParameterRotation') {
      return [await parameters.onParameter(ctx, `coffer:${action}`, String(input.Name))];
    }
    return [{ action: `coffer:${action}`, resource: '*' }];
  });
}
