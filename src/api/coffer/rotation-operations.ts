/**
 * Coffer's own JSON 1.1 service (`X-Amz-Target: CofferRotation.<Action>`, SigV4 service
 * `coffer`): what no AWS API covers. Rotation functions (register, list, remove), parameter
 * rotation, and the status of rotation runs. IAM actions are `coffer:<Action>`: on the function's
 * ARN (`arn:aws:lambda:<region>:<account>:function:<name>`) for registering and removing, on a
 * parameter or secret with its tags (and a secret's policy) for what concerns one, and a listing
 * of runs shows only those the caller may see one by one. Rotating with a function also needs
 * lambda:InvokeFunction on it, as AWS's RotateSecret does.
 */
import type { Permission, RequestContext } from '../../engine/request-context.js';
import { functionReferenceArn } from '../../engine/rotation/rotation-functions.js';
import type { RotationService } from '../../engine/rotation/rotation-service.js';
import type { TargetKind } from '../../engine/rotation/schedule-store.js';
import type { SecretsPermissions } from '../../engine/secrets/secrets-permissions.js';
import type { SsmPermissions } from '../../engine/ssm/ssm-permissions.js';
import { handler as op, serviceFromModel, type ApiService, type ServiceOperation } from '../api-service.js';
import { cofferModel } from '../models/coffer.js';

/** The CofferRotation service. */
export function rotationService(
  rotation: RotationService,
  parameters: SsmPermissions,
  secrets: SecretsPermissions,
): ApiService {
  /** A permission on a rotation's target, with its tags (and a secret's policy). */
  const onTarget = async (ctx: RequestContext, action: string, name: string, kind: unknown): Promise<Permission> => {
    const parameter = (kind ?? (name.startsWith('/') ? 'parameter' : 'secret')) === 'parameter';
    return parameter ? parameters.onParameter(ctx, action, name) : secrets.onSecret(ctx, action, name);
  };
  const operations = new Map<string, ServiceOperation>([
    ['RegisterFunction', op((c, i) => rotation.registerFunction(c, i))],
    ['ListFunctions', op((c) => rotation.listFunctions(c))],
    ['RemoveFunction', op((c, i) => rotation.removeFunction(c, i))],
    ['RotateParameter', op((c, i) => rotation.rotateParameter(c, i))],
    ['CancelParameterRotation', op((c, i) => rotation.cancelParameterRotation(c, i))],
    [
      'GetRotationStatus',
      op(async (c, i: { Name?: string; Kind?: TargetKind; MaxResults?: number }) => {
        const status = await rotation.rotationStatus(c, i);
        if (i.Name !== undefined || !c.authorize) return status;
        // Every run's record is about its target: a listing shows only the runs of targets the
        // caller may see, each authorized as a request naming it would be.
        const shown = [];
        for (const run of status.Rotations) {
          const allowed = await c.authorize([await onTarget(c, 'coffer:GetRotationStatus', run.Target, run.Kind)]).then(
            () => true,
            () => false,
          );
          if (allowed) shown.push(run);
        }
        return { Rotations: shown };
      }),
    ],
  ]);
  return serviceFromModel(cofferModel, 'coffer', operations, async (ctx, action, input) => {
    const iamAction = `coffer:${action}`;
    const onFunction = (name: unknown, act = iamAction): Permission => {
      const arn = functionReferenceArn(ctx, String(name));
      return { action: act, resource: arn, shown: arn };
    };
    switch (action) {
      case 'RegisterFunction':
      case 'RemoveFunction':
        return [onFunction(input.Name)];
      case 'RotateParameter':
        // As RotateSecret needs lambda:InvokeFunction on its function, so does a parameter's.
        return [
          parameters.onParameter(ctx, iamAction, String(input.Name)),
          ...(input.RotationFunction !== undefined
            ? [onFunction(input.RotationFunction, 'lambda:InvokeFunction')]
            : []),
        ];
      case 'CancelParameterRotation':
        return [parameters.onParameter(ctx, iamAction, String(input.Name))];
      case 'GetRotationStatus':
        if (typeof input.Name === 'string') return [await onTarget(ctx, iamAction, input.Name, input.Kind)];
        return [{ action: iamAction, resource: '*' }];
      default:
        return [{ action: iamAction, resource: '*' }];
    }
  });
}
