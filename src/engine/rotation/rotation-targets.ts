/**
 * The two things Coffer rotates, behind one RotationTarget interface for the built-in rotators:
 * a secret (the pending value is the AWSPENDING version carrying the run's token, and promotion
 * moves AWSCURRENT to it) and a parameter (the pending value is held sealed with the schedule
 * until promotion writes it as the parameter's new version).
 */
import type { ValueBarrier } from '../../crypto/value-barrier.js';
import type { Keyring } from '../../crypto/keyring.js';
import type { ParameterStore } from '../ssm/parameter-store.js';
import type { RequestContext } from '../request-context.js';
import type { SecretStore } from '../secrets/secret-store.js';
import type { RotationTarget } from './builtin-rotators.js';
import type { ScheduleStore } from './schedule-store.js';

export function secretTarget(store: SecretStore, ctx: RequestContext, arn: string, token: string): RotationTarget {
  const read = async (request: { VersionStage?: string; VersionId?: string }) => {
    const value = await store.getSecretValue(ctx, { SecretId: arn, ...request });
    if (value.SecretString === undefined) throw new Error('built-in rotators rotate string secrets only');
    return value.SecretString;
  };
  return {
    current: () => read({ VersionStage: 'AWSCURRENT' }),
    pending: async () => {
      const record = await store.records.resolve(store.records.storage, ctx, arn);
      return record.versions.some((v) => v.versionId === token) ? read({ VersionId: token }) : undefined;
    },
    setPending: async (value) => {
      await store.newVersion(
        ctx,
        arn,
        token,
        { kind: 'string', bytes: Buffer.from(value, 'utf8') },
        ['AWSPENDING'],
        'RotateSecret',
      );
    },
    promote: async () => {
      const record = await store.records.resolve(store.records.storage, ctx, arn);
      const current = record.stages.find((s) => s.stage === 'AWSCURRENT')?.versionId;
      if (current === token) return;
      await store.updateSecretVersionStage(ctx, {
        SecretId: arn,
        VersionStage: 'AWSCURRENT',
        MoveToVersionId: token,
        RemoveFromVersionId: current,
      });
    },
  };
}

export function parameterTarget(
  parameters: ParameterStore,
  schedules: ScheduleStore,
  ctx: RequestContext,
  name: string,
  sealer: { keyring: Keyring; barrier: ValueBarrier },
): RotationTarget {
  const context = { service: 'rotation', purpose: 'pending-parameter', account: ctx.account, region: ctx.region, name };
  return {
    current: async () => (await parameters.getParameter(ctx, { Name: name, WithDecryption: true })).Parameter!.Value!,
    pending: async () => {
      const sealed = (await schedules.config(ctx, 'parameter', name))?.pendingSealed;
      return sealed === undefined ? undefined : sealer.barrier.open(Buffer.from(sealed, 'base64'), context);
    },
    setPending: async (value) => {
      const key = await sealer.keyring.resolve(ctx, undefined, 'alias/aws/ssm');
      await schedules.update(ctx, 'parameter', name, {
        pendingSealed: sealer.barrier.seal(value, key.keyId, context).toString('base64'),
      });
    },
    promote: async () => {
      const sealed = (await schedules.config(ctx, 'parameter', name))?.pendingSealed;
      if (sealed === undefined) throw new Error('no pending value to promote');
      const value = await sealer.barrier.open(Buffer.from(sealed, 'base64'), context);
      await parameters.putParameter(ctx, { Name: name, Value: value, Overwrite: true });
      await schedules.update(ctx, 'parameter', name, { pendingSealed: undefined });
    },
  };
}
