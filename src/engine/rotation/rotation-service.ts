/**
 * The rotation actions: RotateSecret and CancelRotateSecret with AWS's semantics, the same for
 * parameters (no AWS service offers it), the status of every run, and the function registry.
 */
import type {
  CancelRotateSecretRequest,
  RotateSecretRequest,
  RotateSecretResponse,
  RotationRulesType,
} from '@aws-sdk/client-secrets-manager';
import type { RotationRunRow } from '../../storage/storage.js';
import type { RequestContext } from '../request-context.js';
import { ServiceError } from '../service-error.js';
import { InvalidRequestException } from '../secrets/errors.js';
import type { SecretStore } from '../secrets/secret-store.js';
import { versionIdOf } from '../secrets/secret-versions.js';
import type { ParameterStore } from '../ssm/parameter-store.js';
import type { FunctionTarget, RotationFunctions } from './rotation-functions.js';
import { RotationSchedule } from './rotation-rules.js';
import type { RotationScheduler } from './rotation-scheduler.js';
import type { ScheduleStore, TargetKind } from './schedule-store.js';
import { noteSecretChange } from '../changes/change-log.js';
import { refuseReplica } from '../secrets/secret-replication.js';

/** A run as `coffer rotation status` and the API show it. */
export interface RotationStatus {
  RunId: string;
  Target: string;
  Kind: TargetKind;
  Status: RotationRunRow['status'];
  Step?: string;
  Error?: string;
  Attempts: number;
  VersionId: string;
  StartedDate: Date;
  FinishedDate?: Date;
}

function statusShape(run: RotationRunRow): RotationStatus {
  return {
    RunId: run.runId,
    Target: run.targetName,
    Kind: run.targetKind,
    Status: run.status,
    ...(run.step ? { Step: run.step } : {}),
    ...(run.error ? { Error: run.error } : {}),
    Attempts: run.attempts,
    VersionId: run.token,
    StartedDate: new Date(run.startedAt),
    ...(run.finishedAt !== null ? { FinishedDate: new Date(run.finishedAt) } : {}),
  };
}

export class RotationService {
  constructor(
    private readonly secrets: SecretStore,
    private readonly parameters: ParameterStore,
    private readonly functions: RotationFunctions,
    private readonly schedules: ScheduleStore,
    private readonly scheduler: RotationScheduler,
  ) {}

  private get now(): number {
    return this.secrets.records.clock.now();
  }

  async rotateSecret(ctx: RequestContext, request: RotateSecretRequest): Promise<RotateSecretResponse> {
    // As in AWS, the request's own values are checked before anything about the secret.
    const requestedToken = versionIdOf(request.ClientRequestToken);
    const requestedSchedule = request.RotationRules ? new RotationSchedule(request.RotationRules) : undefined;
    const record = await this.secrets.records.resolve(this.secrets.records.storage, ctx, request.SecretId);
    refuseReplica(record.attributes);
    const rotation = record.attributes.rotation;
    const functionArn = request.RotationLambdaARN ?? rotation?.lambdaArn;
    if (!functionArn)
      throw new InvalidRequestException('No Lambda rotation function ARN is associated with this secret.');
    const fn = await this.functions.resolve(ctx, functionArn);
    const rules = request.RotationRules ?? rotation?.rules;
    const schedule = requestedSchedule ?? (rules ? new RotationSchedule(rules) : undefined);
    const current = record.stages.find((s) => s.stage === 'AWSCURRENT')?.versionId;
    const pending = record.stages.find((s) => s.stage === 'AWSPENDING')?.versionId;
    const unfinished = (await this.schedules.config(ctx, 'secret', record.row.name))?.pendingToken;
    if (pending !== undefined && pending !== current && pending !== unfinished) {
      throw new InvalidRequestException("A previous rotation isn't complete. That rotation will be reattempted.");
    }
    const token = unfinished ?? requestedToken;
    const immediately = request.RotateImmediately ?? true;
    const nextDue = immediately ? this.now : schedule ? schedule.nextRotation(this.now) : null;
    // The schedule and the secret's rotation settings change together or not at all.
    await this.secrets.records.storage.transaction(async (tx) => {
      await this.secrets.records.lockWriters(tx, ctx, record.row.name);
      const fresh = await this.secrets.records.resolve(tx, ctx, record.row.name);
      const previous = await this.schedules.config(ctx, 'secret', fresh.row.name, tx);
      await this.schedules.write(
        tx,
        ctx,
        'secret',
        fresh.row.name,
        { ...previous, functionArn: fn.arn, ...(rules ? { rules } : {}), pendingToken: token },
        nextDue,
      );
      await this.secrets.records.save(tx, ctx, fresh.row, {
        ...fresh.attributes,
        rotation: {
          ...fresh.attributes.rotation,
          enabled: true,
          lambdaArn: fn.arn,
          ...(rules ? { rules } : {}),
          ...(schedule
            ? {
                nextRotationDate: schedule.nextRotation(
                  immediately ? this.now : (fresh.attributes.rotation?.lastRotatedDate ?? this.now),
                ),
              }
            : {}),
        },
      });
      await noteSecretChange(tx, ctx, fresh.row, 'RotateSecret');
    });
    if (immediately) await this.scheduler.runNow(ctx, 'secret', record.row.name);
    return { ARN: record.row.arn, Name: record.row.name, VersionId: token };
  }

  async cancelRotateSecret(ctx: RequestContext, request: CancelRotateSecretRequest): Promise<object> {
    const record = await this.secrets.records.resolve(this.secrets.records.storage, ctx, request.SecretId);
    refuseReplica(record.attributes);
    const pending = (await this.schedules.config(ctx, 'secret', record.row.name))?.pendingToken;
    await this.secrets.records.storage.transaction(async (tx) => {
      await this.secrets.records.lockWriters(tx, ctx, record.row.name);
      const fresh = await this.secrets.records.resolve(tx, ctx, record.row.name);
      await tx.deleteRotationSchedule(ctx, 'secret', fresh.row.name);
      const { nextRotationDate: _, ...rotation } = fresh.attributes.rotation ?? { enabled: false };
      await this.secrets.records.save(tx, ctx, fresh.row, {
        ...fresh.attributes,
        rotation: { ...rotation, enabled: false },
      });
      await noteSecretChange(tx, ctx, fresh.row, 'CancelRotateSecret');
    });
    return { ARN: record.row.arn, Name: record.row.name, ...(pending ? { VersionId: pending } : {}) };
  }

  /** Rotates a parameter with a function on a schedule: each rotation writes a new parameter version. */
  async rotateParameter(
    ctx: RequestContext,
    request: {
      Name?: string;
      RotationFunction?: string;
      RotationRules?: RotationRulesType;
      RotateImmediately?: boolean;
    },
  ): Promise<{ Name: string; NextRotationDate?: Date }> {
    // One schedule per parameter, whichever spelling, ARN or selector named it.
    const name = await this.parameters.storedNameOf(ctx, String(request.Name));
    await this.parameters.getParameter(ctx, { Name: name }); // it must exist (ParameterNotFound otherwise)
    const previous = await this.schedules.config(ctx, 'parameter', name);
    const functionArn = request.RotationFunction ?? previous?.functionArn;
    if (!functionArn)
      throw new ServiceError('ValidationException', 'Name a rotation function (RotationFunction) for this parameter.');
    const fn = await this.functions.resolve(ctx, functionArn);
    const rules = request.RotationRules ?? previous?.rules;
    const schedule = rules ? new RotationSchedule(rules) : undefined;
    const immediately = request.RotateImmediately ?? true;
    const nextDue = immediately ? this.now : schedule ? schedule.nextRotation(previous?.lastRotated ?? this.now) : null;
    await this.schedules.put(
      ctx,
      'parameter',
      name,
      { ...previous, functionArn: fn.arn, ...(rules ? { rules } : {}) },
      nextDue,
    );
    if (immediately) await this.scheduler.runNow(ctx, 'parameter', name);
    return { Name: name, ...(nextDue !== null ? { NextRotationDate: new Date(nextDue) } : {}) };
  }

  async cancelParameterRotation(ctx: RequestContext, request: { Name?: string }): Promise<object> {
    const name = await this.parameters.storedNameOf(ctx, String(request.Name));
    await this.schedules.remove(ctx, 'parameter', name);
    return { Name: name };
  }

  /** Recent runs, newest first: of one secret or parameter, or of the whole account and region. */
  async rotationStatus(
    ctx: RequestContext,
    request: { Name?: string; Kind?: TargetKind; MaxResults?: number },
  ): Promise<{ Rotations: RotationStatus[] }> {
    const limit = Math.min(Math.max(Number(request.MaxResults ?? 20), 1), 100);
    let target: { kind: TargetKind; name: string } | undefined;
    if (request.Name !== undefined) {
      const kind = request.Kind ?? (request.Name.startsWith('/') ? 'parameter' : 'secret');
      const name =
        kind === 'secret'
          ? (await this.secrets.records.resolve(this.secrets.records.storage, ctx, request.Name, true)).row.name
          : await this.parameters.storedNameOf(ctx, request.Name);
      target = { kind, name };
    }
    return { Rotations: (await this.secrets.records.storage.listRotationRuns(ctx, target, limit)).map(statusShape) };
  }

  registerFunction(
    ctx: RequestContext,
    request: { Name?: string; Url?: string; Builtin?: string; Options?: Record<string, unknown> },
  ) {
    const target: FunctionTarget =
      request.Url !== undefined
        ? { url: request.Url }
        : { builtin: request.Builtin as string, ...(request.Options ? { options: request.Options } : {}) };
    return this.functions.register(ctx, request.Name, target).then((r) => ({ Arn: r.arn, SigningKey: r.signingKey }));
  }

  async listFunctions(ctx: RequestContext): Promise<object> {
    return { Functions: await this.functions.list(ctx) };
  }

  async removeFunction(ctx: RequestContext, request: { Name?: string }): Promise<object> {
    await this.functions.remove(ctx, request.Name);
    return {};
  }
}
