/**
 * Rotation schedules: for each secret or parameter that rotates, the function, the rules, when
 * it is next due, the token of a rotation still to finish, and how many attempts it has had.
 */
import type { RotationRulesType } from '@aws-sdk/client-secrets-manager';
import type { RotationScheduleRow, Scope, Storage, StorageReader, StorageWriter } from '../../storage/storage.js';

export type TargetKind = RotationScheduleRow['targetKind'];

/** A schedule's configuration and state. */
export interface ScheduleConfig {
  functionArn: string;
  rules?: RotationRulesType;
  /** Set while a rotation is unfinished: a retry reuses it, as AWS reattempts the same version. */
  pendingToken?: string;
  attempt?: number;
  lastRotated?: number;
  /** Parameters only: the pending value, sealed, between createSecret and finishSecret. */
  pendingSealed?: string;
}

export class ScheduleStore {
  constructor(readonly storage: Storage) {}

  async config(
    scope: Scope,
    kind: TargetKind,
    name: string,
    reader: StorageReader = this.storage,
  ): Promise<ScheduleConfig | undefined> {
    const row = await reader.getRotationSchedule(scope, kind, name);
    return row && (JSON.parse(row.config) as ScheduleConfig);
  }

  async put(
    scope: Scope,
    kind: TargetKind,
    name: string,
    config: ScheduleConfig,
    nextDue: number | null,
  ): Promise<void> {
    await this.storage.transaction((tx) => this.write(tx, scope, kind, name, config, nextDue));
  }

  /** Writes a schedule inside the caller's transaction (with the target's own changes). */
  async write(
    tx: StorageWriter,
    scope: Scope,
    kind: TargetKind,
    name: string,
    config: ScheduleConfig,
    nextDue: number | null,
  ): Promise<void> {
    await tx.putRotationSchedule({
      ...scope,
      targetKind: kind,
      targetName: name,
      config: JSON.stringify(config),
      nextDue,
    });
  }

  /** Merges `changes` into the stored configuration (keeping the due time and lease). */
  async update(scope: Scope, kind: TargetKind, name: string, changes: Partial<ScheduleConfig>): Promise<void> {
    await this.storage.transaction(async (tx) => {
      const row = await tx.getRotationSchedule(scope, kind, name);
      if (!row) return;
      const config = { ...(JSON.parse(row.config) as ScheduleConfig), ...changes };
      for (const key of Object.keys(changes) as (keyof ScheduleConfig)[])
        if (changes[key] === undefined) delete config[key];
      await tx.putRotationSchedule({
        ...scope,
        targetKind: kind,
        targetName: name,
        config: JSON.stringify(config),
        nextDue: row.nextDue,
      });
    });
  }

  async remove(scope: Scope, kind: TargetKind, name: string): Promise<void> {
    await this.storage.transaction((tx) => tx.deleteRotationSchedule(scope, kind, name));
  }
}
