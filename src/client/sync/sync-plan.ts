/**
 * The plan of a sync: every source entry compared with the destination's, as create, update or
 * unchanged; every destination entry the source lacks as delete (with `delete`) or extra (kept);
 * and, for each entry, what the destination cannot hold: a note (the entry is written without
 * it: tags into a file, a SecureString stored unencrypted) or a refusal (the entry is not
 * written: bytes into Parameter Store). A plan holds the entries but never prints them: the
 * report decides whether values are shown.
 */
import {
  sameTags,
  sameValue,
  type SyncCapabilities,
  type SyncEntry,
  type SyncStore,
  type Unsupported,
} from './sync-entry.js';

/** What applying does to one name. */
export type SyncAction = 'create' | 'update' | 'unchanged' | 'delete' | 'extra';

/** One planned step. `fields` says what differs for an update (`value`, `type`, `tags`...). */
export interface PlannedChange {
  action: SyncAction;
  /** The name in the destination. */
  name: string;
  /** The source's name, when the destination spells it differently (dotenv keys). */
  sourceName?: string;
  source?: SyncEntry;
  target?: SyncEntry;
  fields: string[];
  /** What the destination will not keep of this entry. */
  notes: string[];
}

/** A whole plan. */
export interface SyncPlan {
  source: string;
  destination: string;
  changes: PlannedChange[];
  unsupported: Unsupported[];
}

/** How to plan. */
export interface PlanOptions {
  /** Plan deletes for destination entries the source lacks (otherwise they are `extra`). */
  delete?: boolean;
  /** The type an entry without one is created with in a store that has types (SecureString by default). */
  defaultType?: SyncEntry['type'];
  /** Source names that exist but could not be read (a Deny): never deleted from the destination. */
  unreadable?: readonly string[];
}

/** What `target` loses of `entry`, as notes. */
/** Segments that would reach an object's prototype in a tree-shaped store (JSON, YAML, a profile). */
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);

export function notesFor(entry: SyncEntry, target: SyncCapabilities): string[] {
  const notes: string[] = [];
  if (entry.type === 'SecureString' && !target.encrypted) notes.push('stored unencrypted');
  if (entry.type === 'StringList' && !target.types) notes.push('StringList type not kept (stored as text)');
  if (entry.description && !target.description) notes.push('description not kept');
  if (entry.tags && Object.keys(entry.tags).length > 0 && !target.tags) notes.push('tags not kept');
  if (entry.tier && entry.tier !== 'Standard' && !target.tier) notes.push(`tier ${entry.tier} not kept`);
  return notes;
}

/** The fields in which `target` differs from what `source` would make it. */
export function differences(source: SyncEntry, target: SyncEntry, caps: SyncCapabilities): string[] {
  const fields: string[] = [];
  if (!sameValue(source.value, target.value)) fields.push('value');
  if (caps.types && source.type && target.type && source.type !== target.type) fields.push('type');
  if (caps.description && source.description !== undefined && source.description !== (target.description ?? ''))
    fields.push('description');
  if (caps.tags && source.tags && !sameTags(source.tags, target.tags)) fields.push('tags');
  if (caps.tier && source.tier && target.tier && source.tier !== target.tier) fields.push('tier');
  if (caps.keyId && source.keyId && target.keyId && source.keyId !== target.keyId) fields.push('keyId');
  return fields;
}

/** The entry as it should be written to a store with `caps`. */
function shaped(
  entry: SyncEntry,
  name: string,
  caps: SyncCapabilities,
  defaultType: SyncEntry['type'],
  target: SyncEntry | undefined,
): SyncEntry {
  // An entry without a type keeps the one it has there; only a new one takes the default.
  const type = caps.types ? (entry.type ?? target?.type ?? defaultType) : undefined;
  // An AWS managed key (alias/aws/ssm, alias/aws/secretsmanager) belongs to its service: each side uses its own.
  const keyId = entry.keyId?.startsWith('alias/aws/') ? undefined : entry.keyId;
  return {
    name,
    value: entry.value,
    ...(type ? { type } : {}),
    ...(caps.description && entry.description !== undefined ? { description: entry.description } : {}),
    ...(caps.tags && entry.tags ? { tags: entry.tags } : {}),
    ...(caps.tier && entry.tier ? { tier: entry.tier } : {}),
    ...(caps.keyId && keyId && (type === undefined || type === 'SecureString') ? { keyId } : {}),
  };
}

/** Plans from two listings (no I/O: the caller lists, so tests and `diff` plan the same way). */
export function planFromEntries(
  sourceEntries: readonly SyncEntry[],
  targetEntries: readonly SyncEntry[],
  destination: Pick<SyncStore, 'label' | 'capabilities' | 'nameFor' | 'refuses'>,
  options: PlanOptions & { source: string },
): SyncPlan {
  const caps = destination.capabilities;
  const targets = new Map(targetEntries.map((e) => [e.name, e]));
  const claimed = new Map<string, string>();
  const changes: PlannedChange[] = [];
  const unsupported: Unsupported[] = [];
  for (const entry of [...sourceEntries].sort((a, b) => a.name.localeCompare(b.name))) {
    const name = destination.nameFor ? destination.nameFor(entry.name) : entry.name;
    const refusal =
      typeof entry.value !== 'string' && !caps.binary
        ? 'binary value: the destination cannot hold bytes'
        : destination.refuses?.(entry);
    const clash = claimed.get(name);
    // A name the source has is never the destination's to delete, even when its entry cannot be copied.
    if (clash === undefined) claimed.set(name, entry.name);
    const forbidden = name.split('/').some((part) => FORBIDDEN_SEGMENTS.has(part))
      ? 'a name segment no store may hold (__proto__, constructor, prototype)'
      : undefined;
    if (forbidden || refusal || clash !== undefined) {
      unsupported.push({ name: entry.name, reason: forbidden ?? refusal ?? `maps to ${name}, as ${clash} does` });
      continue;
    }
    const target = targets.get(name);
    const wanted = shaped(entry, name, caps, options.defaultType ?? 'SecureString', target);
    const fields = target ? differences(wanted, target, caps) : [];
    changes.push({
      action: !target ? 'create' : fields.length > 0 ? 'update' : 'unchanged',
      name,
      ...(name !== entry.name ? { sourceName: entry.name } : {}),
      source: wanted,
      ...(target ? { target } : {}),
      fields,
      notes: notesFor(entry, caps),
    });
  }
  for (const hidden of options.unreadable ?? []) {
    const name = destination.nameFor ? destination.nameFor(hidden) : hidden;
    if (!claimed.has(name)) claimed.set(name, hidden);
    unsupported.push({ name: hidden, reason: 'exists in the source but could not be read: left as it is' });
  }
  for (const target of targetEntries) {
    if (claimed.has(target.name)) continue;
    changes.push({ action: options.delete ? 'delete' : 'extra', name: target.name, target, fields: [], notes: [] });
  }
  return { source: options.source, destination: destination.label, changes, unsupported };
}

/** Lists both stores and plans. */
export async function planSync(
  source: SyncStore,
  destination: SyncStore,
  options: PlanOptions = {},
): Promise<SyncPlan> {
  const [sourceEntries, targetEntries] = await Promise.all([source.list(), destination.list()]);
  const unreadable = source.unreadable?.() ?? [];
  return planFromEntries(sourceEntries, targetEntries, destination, { ...options, unreadable, source: source.label });
}

/** How many changes of each action a plan holds. */
export function countActions(plan: SyncPlan): Record<SyncAction, number> {
  const counts: Record<SyncAction, number> = { create: 0, update: 0, unchanged: 0, delete: 0, extra: 0 };
  for (const change of plan.changes) counts[change.action]++;
  return counts;
}

/** Whether the two sides differ: anything to create, update or delete, an extra entry, or an entry refused. */
export function planDiffers(plan: SyncPlan): boolean {
  return plan.unsupported.length > 0 || plan.changes.some((c) => c.action !== 'unchanged');
}
