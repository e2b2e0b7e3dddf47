/**
 * Applying a plan and checking the result. Each write is retried on throttling, 5xx and network
 * trouble (RetryPolicy); a write that still fails is recorded by name and the others go on, so
 * one bad entry costs only itself. Applying is idempotent because planning is: a rerun after an
 * interruption lists the destination again and finds what was written as unchanged.
 *
 * Verification reads the destination back and compares each entry with the source by an
 * HMAC-SHA256 under a key made for this run only, so neither a value nor a plain hash of one
 * (which could be matched against guesses later) is ever held in a report.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { CofferClientError } from '../client-error.js';
import { DEFAULT_RETRY, RetryPolicy } from '../retry-policy.js';
import { valueBytes, type SyncEntry, type SyncStore } from './sync-entry.js';
import type { PlannedChange, SyncPlan } from './sync-plan.js';

/** One entry that could not be written, and the error's code and message (never a value). */
export interface SyncFailure {
  name: string;
  code: string;
  message: string;
}

/** What applying did. */
export interface SyncOutcome {
  written: number;
  deleted: number;
  failed: SyncFailure[];
}

/** How to apply. */
export interface ApplyOptions {
  retry?: RetryPolicy;
  /** Called after each step with the steps done and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** The steps of a plan that change the destination. */
export function pendingChanges(plan: SyncPlan): PlannedChange[] {
  return plan.changes.filter((c) => c.action === 'create' || c.action === 'update' || c.action === 'delete');
}

const defaultRetry = () =>
  new RetryPolicy({ ...DEFAULT_RETRY, attempts: 5 }, Math.random, (ms) => new Promise((r) => setTimeout(r, ms)));

function failureOf(name: string, error: unknown): SyncFailure {
  if (error instanceof CofferClientError) return { name, code: error.code, message: error.message };
  const e = error as { code?: unknown; name?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : typeof e?.name === 'string' ? e.name : 'UnknownError';
  return { name, code, message: typeof e?.message === 'string' ? e.message : String(error) };
}

/** Applies the plan's creates, updates and deletes to `destination`. */
export async function applyPlan(
  plan: SyncPlan,
  destination: SyncStore,
  options: ApplyOptions = {},
): Promise<SyncOutcome> {
  const retry = options.retry ?? defaultRetry();
  const steps = pendingChanges(plan);
  const outcome: SyncOutcome = { written: 0, deleted: 0, failed: [] };
  let done = 0;
  for (const step of steps) {
    try {
      if (step.action === 'delete') {
        await retry.run(() => destination.remove(step.name));
        outcome.deleted++;
      } else {
        await retry.run(() => destination.put(step.source!, step.target));
        outcome.written++;
      }
    } catch (error) {
      outcome.failed.push(failureOf(step.name, error));
    }
    options.onProgress?.(++done, steps.length);
  }
  if (destination.flush) {
    try {
      await retry.run(() => destination.flush!());
    } catch (error) {
      // A buffered store writes everything at once: nothing of this run reached it.
      const failure = failureOf(destination.label, error);
      outcome.failed = steps.map((s) => ({ ...failure, name: s.name }));
      outcome.written = 0;
      outcome.deleted = 0;
    }
  }
  return outcome;
}

/** What verification found. */
export interface VerifyResult {
  /** Entries compared. */
  checked: number;
  /** The first name whose destination value differs from the source's (or is missing, or should be gone). */
  firstDifference?: { name: string; problem: 'missing' | 'value differs' | 'not deleted' };
  /** How many differ in all. */
  differences: number;
}

/** A keyed hash of a value, under a key of this run's. */
export function keyedHash(key: Uint8Array, value: string | Uint8Array): string {
  return createHmac('sha256', key).update(valueBytes(value)).digest('base64');
}

/**
 * Reads the destination back and compares it with the plan's source entries by keyed hash. The
 * entries refused, and those that failed to apply, are not expected there.
 */
export async function verifySync(
  plan: SyncPlan,
  destination: SyncStore,
  outcome?: SyncOutcome,
  key: Uint8Array = randomBytes(32),
): Promise<VerifyResult> {
  const failed = new Set(outcome?.failed.map((f) => f.name) ?? []);
  const current = new Map<string, SyncEntry>((await destination.list()).map((e) => [e.name, e]));
  const result: VerifyResult = { checked: 0, differences: 0 };
  const differ = (name: string, problem: NonNullable<VerifyResult['firstDifference']>['problem']) => {
    result.differences++;
    result.firstDifference ??= { name, problem };
  };
  for (const change of plan.changes) {
    if (failed.has(change.name) || change.action === 'extra') continue;
    result.checked++;
    const found = current.get(change.name);
    if (change.action === 'delete') {
      if (found) differ(change.name, 'not deleted');
      continue;
    }
    if (!found) differ(change.name, 'missing');
    else if (keyedHash(key, found.value) !== keyedHash(key, change.source!.value)) differ(change.name, 'value differs');
  }
  return result;
}
