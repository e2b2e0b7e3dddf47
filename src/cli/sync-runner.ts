/**
 * What `coffer sync` and `coffer diff` share: the options, opening both sides, planning, and
 * (for sync) applying with a progress bar and verifying. Exit codes: 0 applied or in sync,
 * 1 differences remain (diff) or verification failed, 2 usage mistakes (UsageError), 3 some
 * entries failed or could not be synced (named in the output).
 */
import { resolve } from 'node:path';
import { DEFAULT_RETRY, RetryPolicy } from '../client/retry-policy.js';
import {
  applyPlan,
  parseSyncUrl,
  pendingChanges,
  planDiffers,
  planSync,
  verifySync,
  type SyncOutcome,
  type VerifyResult,
} from '../client/sync/index.js';
import { UsageError, type CliIo, type OptionSpecs } from './cli-command.js';
import type { CliSession } from './cli-session.js';
import { parseOptions, toJson } from './parse-options.js';
import { ProgressBar } from './progress-bar.js';
import { openSide, type SyncSide } from './sync-sides.js';
import { formatOutcome, formatPlan, formatVerify, planJson } from './sync-report.js';

/** The options both commands take. */
/** Whether two store URLs of one kind name the same place or one inside the other (`ssm:/a` and `ssm:/a/b`). */
function overlapping(a: string, b: string): boolean {
  const root = (url: string) => {
    const colon = url.indexOf(':');
    const kind = url.slice(0, colon);
    const place = url.slice(colon + 1);
    const path = kind === 'file' ? resolve(place) : place;
    return { kind, path: path.replace(/\/+$/, '') };
  };
  const [x, y] = [root(a), root(b)];
  if (x.kind !== y.kind) return false;
  const inside = (p: string, q: string) => p === q || q === '' || p.startsWith(`${q}/`);
  return inside(x.path, y.path) || inside(y.path, x.path);
}

export const PLAN_OPTIONS = {
  delete: {
    type: 'boolean',
    description: 'plan deletes for entries only in DST (without it they are listed and kept)',
  },
  json: { type: 'boolean', description: 'print the plan (and outcome) as JSON, values only with --show-values' },
  'show-values': { type: 'boolean', description: 'print values in the plan (hidden by default)' },
  'src-endpoint': {
    type: 'string',
    value: 'URL',
    description: 'SRC is on this server (another Coffer, any SSM endpoint, or aws for AWS itself)',
  },
  'dst-endpoint': {
    type: 'string',
    value: 'URL',
    description: 'DST is on this server (another Coffer, any SSM endpoint, or aws for AWS itself)',
  },
} as const satisfies OptionSpecs;

/** The options only sync takes. */
export const APPLY_OPTIONS = {
  'dry-run': { type: 'boolean', description: 'print the plan and stop: nothing is written' },
  verify: {
    type: 'boolean',
    description: 'read every entry back from DST and compare with SRC by a keyed hash (no value printed)',
  },
} as const satisfies OptionSpecs;

/** Hooks for tests: something to do between applying and verifying. */
export interface SyncHooks {
  beforeVerify?: () => Promise<void>;
}

/** The exit code for partial failure: some entries failed or were refused. */
export const PARTIAL_FAILURE = 3;

/** Runs `coffer sync` (plan, apply unless --dry-run, verify with --verify) or `coffer diff` (plan only). */
export async function runSync(
  args: string[],
  session: CliSession,
  io: CliIo,
  mode: 'sync' | 'diff',
  hooks: SyncHooks = {},
): Promise<number> {
  const { values, positionals } = parseOptions(
    args,
    mode === 'sync' ? { ...PLAN_OPTIONS, ...APPLY_OPTIONS } : PLAN_OPTIONS,
  );
  if (positionals.length !== 2) throw new UsageError(`${mode} takes a SRC and a DST store URL`);
  for (const url of positionals) {
    try {
      parseSyncUrl(url);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  const flags = values as Record<string, string | boolean | undefined>;
  const showValues = flags['show-values'] === true;
  const sides: SyncSide[] = [];
  try {
    sides.push(await openSide(positionals[0]!, session, flags['src-endpoint'] as string | undefined));
    sides.push(await openSide(positionals[1]!, session, flags['dst-endpoint'] as string | undefined));
    const [source, destination] = [sides[0]!.store, sides[1]!.store];
    if (flags['src-endpoint'] === flags['dst-endpoint'] && overlapping(positionals[0]!, positionals[1]!))
      throw new UsageError(
        'SRC and DST are the same store, or one holds the other: a sync would copy into its own source',
      );
    const plan = await planSync(source, destination, { delete: flags.delete === true });
    const report: Record<string, unknown> = { ...planJson(plan, showValues) };
    if (!flags.json) io.out(formatPlan(plan, showValues));
    const finish = (code: number) => {
      if (flags.json) io.out(toJson({ ...report, exitCode: code }));
      return code;
    };
    if (mode === 'diff') return finish(planDiffers(plan) ? 1 : 0);
    let outcome: SyncOutcome | undefined;
    if (!flags['dry-run']) {
      const progress = new ProgressBar(io, 'sync', pendingChanges(plan).length);
      const retry = new RetryPolicy(
        { ...DEFAULT_RETRY, attempts: 5 },
        Math.random,
        (ms) => new Promise((r) => setTimeout(r, ms)),
      );
      outcome = await applyPlan(plan, destination, { retry, onProgress: (done) => progress.update(done) });
      progress.finish();
      report.outcome = outcome;
      if (!flags.json) io.out(formatOutcome(outcome));
    }
    let verified: VerifyResult | undefined;
    if (flags.verify) {
      await hooks.beforeVerify?.();
      verified = await verifySync(plan, destination, outcome);
      report.verify = verified;
      if (!flags.json) io.out(formatVerify(verified));
    }
    const missed = outcome ? [...outcome.failed.map((f) => f.name), ...plan.unsupported.map((u) => u.name)] : [];
    if (missed.length > 0) {
      io.err(
        `coffer sync: ${missed.length} entr${missed.length === 1 ? 'y' : 'ies'} not synced: ${missed.join(', ')}\n`,
      );
      return finish(PARTIAL_FAILURE);
    }
    return finish(verified?.firstDifference ? 1 : 0);
  } finally {
    for (const side of sides) side.close();
  }
}
