/**
 * How `coffer sync` and `coffer diff` print a plan and what applying it did: a line per change
 * (`+` create, `~` update with the fields that differ, `-` delete, `?` only in the destination),
 * notes on what the destination will not keep, refused entries, then counts; or all of it as
 * JSON. Values appear only with --show-values (text as a JSON string, bytes as base64).
 */
import {
  countActions,
  type PlannedChange,
  type SyncOutcome,
  type SyncPlan,
  type VerifyResult,
} from '../client/sync/index.js';

const MARKS: Record<PlannedChange['action'], string> = {
  create: '+',
  update: '~',
  delete: '-',
  extra: '?',
  unchanged: '=',
};

/** A value as printed with --show-values. */
function shown(value: string | Uint8Array | undefined): string {
  if (value === undefined) return '(none)';
  return typeof value === 'string' ? JSON.stringify(value) : `base64:${Buffer.from(value).toString('base64')}`;
}

function changeLine(change: PlannedChange, showValues: boolean): string {
  const from = change.sourceName ? ` (from ${change.sourceName})` : '';
  const what =
    change.action === 'update'
      ? ` [${change.fields.join(', ')}]`
      : change.action === 'extra'
        ? ' (only in the destination; --delete removes it)'
        : '';
  let values = '';
  if (showValues && change.action === 'create') values = ` = ${shown(change.source?.value)}`;
  if (showValues && change.action === 'update' && change.fields.includes('value'))
    values = `: ${shown(change.target?.value)} -> ${shown(change.source?.value)}`;
  return `${MARKS[change.action]} ${change.name}${from}${what}${values}\n`;
}

/** The plan as text. */
export function formatPlan(plan: SyncPlan, showValues: boolean): string {
  const counts = countActions(plan);
  const lines = [`${plan.source} -> ${plan.destination}\n`];
  for (const change of plan.changes) if (change.action !== 'unchanged') lines.push(changeLine(change, showValues));
  for (const change of plan.changes)
    for (const note of change.notes) lines.push(`  note: ${change.sourceName ?? change.name}: ${note}\n`);
  for (const refused of plan.unsupported) lines.push(`! ${refused.name}: not synced: ${refused.reason}\n`);
  lines.push(
    `plan: ${counts.create} to create, ${counts.update} to update, ${counts.unchanged} unchanged, ` +
      `${counts.delete} to delete, ${counts.extra} only in the destination, ${plan.unsupported.length} unsupported\n`,
  );
  return lines.join('');
}

/** The outcome of applying, as text (failures by name, with the error's code and message). */
export function formatOutcome(outcome: SyncOutcome): string {
  const lines = [`applied: ${outcome.written} written, ${outcome.deleted} deleted, ${outcome.failed.length} failed\n`];
  for (const failure of outcome.failed) lines.push(`failed: ${failure.name}: ${failure.code}: ${failure.message}\n`);
  return lines.join('');
}

/** The verification, as text. */
export function formatVerify(result: VerifyResult): string {
  const first = result.firstDifference;
  return first
    ? `verify: FAILED: ${result.differences} of ${result.checked} differ; first: ${first.name} (${first.problem})\n`
    : `verify: ${result.checked} entries match\n`;
}

/** The plan as JSON: every change (unchanged too), values only with --show-values. */
export function planJson(plan: SyncPlan, showValues: boolean): object {
  return {
    source: plan.source,
    destination: plan.destination,
    counts: { ...countActions(plan), unsupported: plan.unsupported.length },
    changes: plan.changes.map((c) => ({
      action: c.action,
      name: c.name,
      ...(c.sourceName ? { sourceName: c.sourceName } : {}),
      ...(c.fields.length ? { fields: c.fields } : {}),
      ...(c.notes.length ? { notes: c.notes } : {}),
      ...(showValues && c.source ? { value: shown(c.source.value) } : {}),
      ...(showValues && c.target ? { current: shown(c.target.value) } : {}),
    })),
    unsupported: plan.unsupported,
  };
}
