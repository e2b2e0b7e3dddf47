/**
 * Coffer's own JSON 1.1 service (`X-Amz-Target: CofferRotation.<Action>`, SigV4 service
 * `coffer`): what no AWS API covers. Rotation functions (register, list, remove), parameter
 * rotation, and the status of rotation runs. IAM actions are `coffer:<Action>`; an action on one
 * parameter or secret is authorized on it, with its tags (and a secret's policy), as every
 * action on it is.
 */
import type { RotationService } from '../../engine/rotation/rotation-service.js';
import type { SecretsPermissions } from '../../engine/secrets/secrets-permissions.js';
import type { SsmPermissions } from '../../engine/ssm/ssm-permissions.js';
import { handler as op, serviceFromModel, type ApiService, type ServiceOperation } from '../api-service.js';
import { cofferModel } from '../models/coffer.js';

/** The CofferRotation service. */
export function rotationService(rotation: RotationService, parameters: SsmPermissions, secrets: SecretsPermissions): ApiService {
  const operations = new Map<string, ServiceOperation>([
    ['RegisterFunction', op((c, i) => rotation.registerFunction(c, i))],
    ['ListFunctions', op((c) => rotation.listFunctions(c))],
    ['RemoveFunction', op((c, i) => rotation.removeFunction(c, i))],
    ['RotateParameter', op((c, i) => rotation.rotateParameter(c, i))],
    ['CancelParameterRotation', op((c, i) => rotation.cancelParameterRotation(c, i))],
    ['GetRotationStatus', op((c, i) => rotation.rotationStatus(c, i))],
  ]);
  return serviceFromModel(cofferModel, 'coffer', operations, async (ctx, action, input) => {
    const iamAction = `coffer:${action}`;
    if (action === 'RotateParameter' || action === 'CancelParameterRotation') return [parameters.onParameter(ctx, iamAction, String(input.Name))];
    if (action === 'GetRotationStatus' && typeof input.Name === 'string') {
      // A run's record is about its target: authorized on it, with its tags (and a secret's policy).
      const kind = input.Kind ?? (input.Name.startsWith('/') ? 'parameter' : 'secret');
      return [kind === 'parameter' ? parameters.onParameter(ctx, iamAction, input.Name) : await secrets.onSecret(ctx, iamAction, input.Name)];
    }
    return [{ action: iamAction, resource: '*' }];
  });
}
