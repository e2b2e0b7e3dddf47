/**
 * The rotation operations `coffer functions` and `coffer rotation` use: on the embedded store
 * (as the account's root; rotations started here finish before the command exits) or against a
 * server (Secrets Manager's RotateSecret through the SDK, the rest through Coffer's own API).
 */
import {
  CancelRotateSecretCommand,
  RotateSecretCommand,
  type RotationRulesType,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { Coffer } from '../bootstrap/open-coffer.js';
import type { RequestContext } from '../engine/request-context.js';
import type { CofferApiClient } from './coffer-api-client.js';

/** A function registration, as the CLI takes it. */
export interface FunctionRegistration {
  Name: string;
  Url?: string;
  Builtin?: string;
  Options?: Record<string, unknown>;
}

/** One rotation target's settings. */
export interface RotationRequest {
  name: string;
  functionName?: string;
  rules?: RotationRulesType;
  immediately: boolean;
}

export interface RotationOperations {
  registerFunction(registration: FunctionRegistration): Promise<{ Arn: string; SigningKey: string }>;
  listFunctions(): Promise<{ Name: string; Arn: string; Kind: string; Target: string }[]>;
  removeFunction(name: string): Promise<void>;
  rotateSecret(request: RotationRequest): Promise<{ ARN?: string; VersionId?: string }>;
  cancelSecret(name: string): Promise<void>;
  rotateParameter(request: RotationRequest): Promise<{ NextRotationDate?: Date | string }>;
  cancelParameter(name: string): Promise<void>;
  status(name: string | undefined, kind: 'secret' | 'parameter' | undefined): Promise<Record<string, unknown>[]>;
}

export function localRotation(coffer: Coffer, ctx: RequestContext): RotationOperations {
  const service = coffer.rotation.service;
  return {
    registerFunction: (r) => service.registerFunction(ctx, r),
    listFunctions: async () =>
      (
        (await service.listFunctions(ctx)) as {
          Functions: { Name: string; Arn: string; Kind: string; Target: string }[];
        }
      ).Functions,
    removeFunction: async (name) => {
      await service.removeFunction(ctx, { Name: name });
    },
    rotateSecret: (r) =>
      service.rotateSecret(ctx, {
        SecretId: r.name,
        RotationLambdaARN: r.functionName,
        RotationRules: r.rules,
        RotateImmediately: r.immediately,
      }),
    cancelSecret: async (name) => {
      await service.cancelRotateSecret(ctx, { SecretId: name });
    },
    rotateParameter: (r) =>
      service.rotateParameter(ctx, {
        Name: r.name,
        RotationFunction: r.functionName,
        RotationRules: r.rules,
        RotateImmediately: r.immediately,
      }),
    cancelParameter: async (name) => {
      await service.cancelParameterRotation(ctx, { Name: name });
    },
    status: async (name, kind) =>
      (await service.rotationStatus(ctx, { Name: name, Kind: kind })).Rotations as unknown as Record<string, unknown>[],
  };
}

export function remoteRotation(api: CofferApiClient, sm: SecretsManagerClient): RotationOperations {
  return {
    registerFunction: async (r) => (await api.call('RegisterFunction', r)) as { Arn: string; SigningKey: string },
    listFunctions: async () =>
      (await api.call('ListFunctions', {})).Functions as { Name: string; Arn: string; Kind: string; Target: string }[],
    removeFunction: async (name) => {
      await api.call('RemoveFunction', { Name: name });
    },
    rotateSecret: async (r) => {
      const { $metadata: _, ...out } = await sm.send(
        new RotateSecretCommand({
          SecretId: r.name,
          RotationLambdaARN: r.functionName,
          RotationRules: r.rules,
          RotateImmediately: r.immediately,
        }),
      );
      return out;
    },
    cancelSecret: async (name) => {
      await sm.send(new CancelRotateSecretCommand({ SecretId: name }));
    },
    rotateParameter: async (r) =>
      api.call('RotateParameter', {
        Name: r.name,
        RotationFunction: r.functionName,
        RotationRules: r.rules,
        RotateImmediately: r.immediately,
      }),
    cancelParameter: async (name) => {
      await api.call('CancelParameterRotation', { Name: name });
    },
    status: async (name, kind) =>
      (await api.call('GetRotationStatus', { ...(name ? { Name: name } : {}), ...(kind ? { Kind: kind } : {}) }))
        .Rotations as Record<string, unknown>[],
  };
}
