/**
 * The rotation domain of the storage contract (storage.ts composes it): registered rotation
 * functions (their HMAC keys sealed), schedules with the lease that lets one node run each due
 * rotation, and the record of every run.
 */
import type { Scope } from './scope.js';

/** A registered rotation function: an HTTP endpoint, or one of Coffer's built-in rotators. */
export interface RotationFunctionRow {
  name: string;
  kind: 'http' | 'builtin';
  /** The URL, or the built-in rotator's name. */
  target: string;
  /** Rotator options as a JSON object. */
  options: string;
  /** The HMAC key Coffer signs calls with, sealed. */
  keySealed: Buffer;
  createdAt: number;
}

/** What rotates, how, and when it is next due; the lease lets exactly one node run it. */
export interface RotationScheduleRow {
  account: string;
  region: string;
  targetKind: 'secret' | 'parameter';
  targetName: string;
  /** Function, rules and state as a JSON object. */
  config: string;
  nextDue: number | null;
  leaseOwner: string | null;
  leaseUntil: number | null;
}

/** One rotation attempt and how it ended. */
export interface RotationRunRow {
  runId: string;
  account: string;
  region: string;
  targetKind: 'secret' | 'parameter';
  targetName: string;
  token: string;
  status: 'pending' | 'succeeded' | 'failed';
  step: string | null;
  error: string | null;
  attempts: number;
  startedAt: number;
  finishedAt: number | null;
}

/** Reads of rotation functions, schedules and runs. */
export interface RotationReader {
  getRotationFunction(scope: Scope, name: string): Promise<RotationFunctionRow | undefined>;
  listRotationFunctions(scope: Scope): Promise<RotationFunctionRow[]>;
  getRotationSchedule(
    scope: Scope,
    targetKind: RotationScheduleRow['targetKind'],
    targetName: string,
  ): Promise<RotationScheduleRow | undefined>;
  /** Schedules of every scope due at `now` whose lease (if any) has expired. */
  listDueRotations(now: number, limit: number): Promise<RotationScheduleRow[]>;
  /** Runs of one target (or of the scope), newest first. */
  listRotationRuns(
    scope: Scope,
    target: { kind: RotationScheduleRow['targetKind']; name: string } | undefined,
    limit: number,
  ): Promise<RotationRunRow[]>;
}

/** Writes of rotation functions, schedules, leases and runs; only inside a transaction. */
export interface RotationWriter extends RotationReader {
  putRotationFunction(scope: Scope, row: RotationFunctionRow): Promise<void>;
  /** Returns whether it existed. */
  deleteRotationFunction(scope: Scope, name: string): Promise<boolean>;
  /** Inserts or replaces, keeping any lease. */
  putRotationSchedule(row: Omit<RotationScheduleRow, 'leaseOwner' | 'leaseUntil'>): Promise<void>;
  deleteRotationSchedule(
    scope: Scope,
    targetKind: RotationScheduleRow['targetKind'],
    targetName: string,
  ): Promise<void>;
  /**
   * Takes the schedule's lease for `owner` until `until` if it is free or expired at `now`;
   * returns whether this caller got it (an atomic conditional update, so one node wins).
   */
  leaseRotation(
    scope: Scope,
    targetKind: RotationScheduleRow['targetKind'],
    targetName: string,
    owner: string,
    now: number,
    until: number,
  ): Promise<boolean>;
  releaseRotation(
    scope: Scope,
    targetKind: RotationScheduleRow['targetKind'],
    targetName: string,
    owner: string,
    nextDue: number | null,
  ): Promise<void>;
  /** Inserts or replaces. */
  putRotationRun(row: RotationRunRow): Promise<void>;
}
