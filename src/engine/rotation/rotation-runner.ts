/**
 * Runs one rotation: createSecret, setSecret, testSecret, finishSecret in order, through an
 * HTTP function (Lambda's event, signed) or a built-in rotator. Every run is recorded with its
 * status and, on failure, the failing step and the error text with any secret value removed. A
 * failure leaves AWSCURRENT where it was; the same token is retried with backoff, as AWS
 * reattempts the same version.
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { Keyring } from '../../crypto/keyring.js';
import type { ValueBarrier } from '../../crypto/value-barrier.js';
import type { RotationRunRow, Scope, Storage } from '../../storage/storage.js';
import type { Clock } from '../clock.js';
import type { RequestContext } from '../request-context.js';
import type { SecretStore } from '../secrets/secret-store.js';
import type { ParameterStore } from '../ssm/parameter-store.js';
import { BUILTIN_ROTATORS, ROTATION_STEPS, type RotationStep, type RotationTarget } from './builtin-rotators.js';
import type { RotationFunction, RotationFunctions } from './rotation-functions.js';
import type { RotationNotifier, RotationOutcome } from './rotation-notifier.js';
import { RotationSchedule } from './rotation-rules.js';
import { serviceEvent, type ServiceEventSink } from '../audit/service-events.js';
import type { AuditEvent } from '../audit/audit-record.js';
import { parameterArn } from '../ssm/parameter-name.js';
import { parameterTarget, secretTarget } from './rotation-targets.js';
import type { ScheduleStore, TargetKind } from './schedule-store.js';

const MINUTE = 60_000;
/** Waits before the second and third attempts; after that the regular schedule reattempts. */
const BACKOFF_MS = [5 * MINUTE, 30 * MINUTE];
const MAX_ERROR = 500;

/** What the runner needs. */
export interface RunnerParts {
  readonly storage: Storage;
  readonly functions: RotationFunctions;
  readonly schedules: ScheduleStore;
  readonly secrets: SecretStore;
  readonly parameters: ParameterStore;
  readonly keyring: Keyring;
  readonly barrier: ValueBarrier;
  readonly clock: Clock;
  readonly notifier: RotationNotifier;
  readonly timeoutMs: number;
  /** The audit trail: a run's start and end are events, committed with the run's record. */
  readonly events?: ServiceEventSink;
}

/** CloudTrail's names for a rotation's start and outcomes. */
const RUN_EVENTS: Partial<Record<RotationRunRow['status'], string>> = {
  succeeded: 'RotationSucceeded',
  failed: 'RotationFailed',
};

/** Removes every secret value (and every string field of a JSON one) from an error text. */
function redact(text: string, values: readonly string[]): string {
  const hidden = new Set<string>();
  for (const value of values) {
    hidden.add(value);
    try {
      const parsed = JSON.parse(value) as unknown;
      if (parsed && typeof parsed === 'object')
        for (const v of Object.values(parsed)) if (typeof v === 'string') hidden.add(v);
    } catch {
      // not JSON
    }
  }
  let out = text;
  for (const value of [...hidden].filter((v) => v.length >= 4).sort((a, b) => b.length - a.length))
    out = out.split(value).join('[redacted]');
  return out.length > MAX_ERROR ? `${out.slice(0, MAX_ERROR)}...` : out;
}

export class RotationRunner {
  constructor(private readonly parts: RunnerParts) {}

  /** Rotates one target now (the caller holds its lease); returns the run and when it is next due. */
  async run(scope: Scope, kind: TargetKind, name: string): Promise<RotationOutcome> {
    const { schedules, clock } = this.parts;
    const config = await schedules.config(scope, kind, name);
    if (!config) throw new Error(`no rotation schedule for ${kind} ${name}`);
    const token = config.pendingToken ?? randomUUID();
    const attempt = (config.pendingToken ? (config.attempt ?? 0) : 0) + 1;
    await schedules.update(scope, kind, name, { pendingToken: token, attempt });
    const run: RotationRunRow = {
      runId: randomUUID(),
      ...scope,
      targetKind: kind,
      targetName: name,
      token,
      status: 'pending',
      step: null,
      error: null,
      attempts: attempt,
      startedAt: clock.now(),
      finishedAt: null,
    };
    await this.record(run);
    let fn: RotationFunction | undefined;
    const ctx: RequestContext = {
      ...scope,
      principalArn: `arn:aws:sts::${scope.account}:assumed-role/coffer-rotation/rotation`,
    };
    try {
      fn = await this.parts.functions.resolve(scope, config.functionArn);
      const rotationCtx = {
        ...ctx,
        principalArn: `arn:aws:sts::${scope.account}:assumed-role/coffer-rotation/${fn.name}`,
      };
      const subject =
        kind === 'secret'
          ? await this.secretSubject(rotationCtx, name, token)
          : { id: name, target: this.parameterTarget(rotationCtx, name) };
      for (const step of ROTATION_STEPS) {
        run.step = step;
        await this.record(run);
        await this.step(fn, step, kind, subject.id, token, subject.target);
      }
      if (kind === 'secret') await this.settleLabels(rotationCtx, subject.id, token);
      const now = clock.now();
      const nextDue = config.rules ? new RotationSchedule(config.rules).nextRotation(now) : null;
      await schedules.update(scope, kind, name, { pendingToken: undefined, attempt: undefined, lastRotated: now });
      if (kind === 'secret') await this.recordOnSecret(ctx, name, now, nextDue);
      Object.assign(run, { status: 'succeeded', finishedAt: now });
      await this.record(run);
      await this.parts.notifier.notify({ run, nextDue });
      return { run, nextDue };
    } catch (error) {
      const now = clock.now();
      const values = await this.knownValues(ctx, kind, name, token);
      Object.assign(run, {
        status: 'failed',
        finishedAt: now,
        error: redact(error instanceof Error ? error.message : String(error), values),
      });
      await this.record(run);
      const nextDue =
        attempt <= BACKOFF_MS.length
          ? now + BACKOFF_MS[attempt - 1]!
          : config.rules
            ? new RotationSchedule(config.rules).nextRotation(now)
            : null;
      await this.parts.notifier.notify({ run, nextDue });
      return { run, nextDue };
    }
  }

  private async step(
    fn: RotationFunction,
    step: RotationStep,
    kind: TargetKind,
    id: string,
    token: string,
    target: RotationTarget,
  ): Promise<void> {
    if (fn.kind === 'builtin') {
      await BUILTIN_ROTATORS[fn.target]!.run(step, target, fn.options);
      return;
    }
    const event =
      kind === 'secret'
        ? { Step: step, SecretId: id, ClientRequestToken: token }
        : { Step: step, ParameterName: id, ClientRequestToken: token };
    const body = JSON.stringify(event);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = createHmac('sha256', fn.signingKey).update(`${timestamp}.${body}`).digest('hex');
    let response: Response;
    try {
      response = await fetch(fn.target, {
        method: 'POST',
        body,
        signal: AbortSignal.timeout(this.parts.timeoutMs),
        headers: {
          'content-type': 'application/json',
          'x-coffer-timestamp': timestamp,
          'x-coffer-signature': `sha256=${signature}`,
          'x-coffer-function': fn.name,
        },
      });
    } catch (error) {
      const reason =
        (error as Error).name === 'TimeoutError'
          ? `timed out after ${this.parts.timeoutMs} ms`
          : `could not be called (${(error as Error).message})`;
      throw new Error(`${fn.name} ${reason}`);
    }
    const text = await response.text().catch(() => '');
    if (!response.ok) throw new Error(`${fn.name} answered HTTP ${response.status}: ${text}`);
  }

  private async secretSubject(
    ctx: RequestContext,
    name: string,
    token: string,
  ): Promise<{ id: string; target: RotationTarget }> {
    const record = await this.parts.secrets.records.resolve(this.parts.storage, ctx, name);
    const current = record.stages.find((s) => s.stage === 'AWSCURRENT')?.versionId;
    const pending = record.stages.find((s) => s.stage === 'AWSPENDING')?.versionId;
    if (pending !== undefined && pending !== current && pending !== token) {
      throw new Error(
        "A previous rotation isn't complete: AWSPENDING is on another version. Remove it (UpdateSecretVersionStage) " +
          'to rotate again.',
      );
    }
    return { id: record.row.arn, target: secretTarget(this.parts.secrets, ctx, record.row.arn, token) };
  }

  private parameterTarget(ctx: RequestContext, name: string): RotationTarget {
    return parameterTarget(this.parts.parameters, this.parts.schedules, ctx, name, {
      keyring: this.parts.keyring,
      barrier: this.parts.barrier,
    });
  }

  /** After finishSecret: AWSCURRENT must be on the new version; AWSPENDING comes off it, as AWS does. */
  private async settleLabels(ctx: RequestContext, arn: string, token: string): Promise<void> {
    const record = await this.parts.secrets.records.resolve(this.parts.storage, ctx, arn);
    const current = record.stages.find((s) => s.stage === 'AWSCURRENT')?.versionId;
    if (current !== token) throw new Error('finishSecret returned, but AWSCURRENT is not on the new version');
    if (record.stages.some((s) => s.stage === 'AWSPENDING' && s.versionId === token)) {
      await this.parts.secrets.updateSecretVersionStage(ctx, {
        SecretId: arn,
        VersionStage: 'AWSPENDING',
        RemoveFromVersionId: token,
      });
    }
  }

  private async recordOnSecret(ctx: RequestContext, name: string, now: number, nextDue: number | null): Promise<void> {
    const { records } = this.parts.secrets;
    await this.parts.storage.transaction(async (tx) => {
      await records.lockWriters(tx, ctx, name);
      const record = await records.resolve(tx, ctx, name, true);
      const rotation = record.attributes.rotation ?? { enabled: true };
      await records.save(tx, ctx, record.row, {
        ...record.attributes,
        rotation: { ...rotation, lastRotatedDate: now, ...(nextDue !== null ? { nextRotationDate: nextDue } : {}) },
      });
    });
  }

  /** The values a failing function's error text might repeat, to redact them. */
  private async knownValues(ctx: RequestContext, kind: TargetKind, name: string, token: string): Promise<string[]> {
    const values: string[] = [];
    const target =
      kind === 'secret' ? secretTarget(this.parts.secrets, ctx, name, token) : this.parameterTarget(ctx, name);
    for (const read of [() => target.current(), () => target.pending()]) {
      const value = await read().catch(() => undefined);
      if (value !== undefined) values.push(value);
    }
    return values;
  }

  private async record(run: RotationRunRow): Promise<void> {
    const { events } = this.parts;
    const name =
      run.status === 'pending' ? (run.step === null ? 'RotationStarted' : undefined) : RUN_EVENTS[run.status];
    await this.parts.storage.transaction(async (tx) => {
      await tx.putRotationRun(run);
      if (!events || !name) return;
      const scope = { account: run.account, region: run.region };
      const arn =
        run.targetKind === 'secret'
          ? (await tx.getSecret(scope, run.targetName))?.arn
          : parameterArn(scope, run.targetName);
      // Names and numbers only: the error text stays in the run record, where values were redacted.
      const audit: AuditEvent = serviceEvent(
        {
          source: run.targetKind === 'secret' ? 'secretsmanager.amazonaws.com' : 'coffer.amazonaws.com',
          name,
          ...scope,
          arns: arn ? [arn] : [],
          details: {
            runId: run.runId,
            targetKind: run.targetKind,
            attempt: run.attempts,
            ...(run.status === 'failed' ? { step: run.step } : {}),
          },
          ...(run.status === 'failed' ? { errorCode: 'RotationFailed' } : {}),
        },
        this.parts.clock.now(),
      );
      await events.appendIn(tx, audit);
    });
  }
}
