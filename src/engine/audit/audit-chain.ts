/**
 * The hash chain: each event's hash covers its sequence number, the previous event's hash and
 * its record's exact text, so an event altered, deleted, inserted or reordered breaks every link
 * after it. SHA-256 is public on purpose: an auditor recomputes the chain from an export alone,
 * and the signed digests (audit-digests.ts) pin it; the rows' MACs keep a forged row appended
 * at the tail from ever being signed.
 */
import { createHash } from 'node:crypto';
import type { AuditEventRow, AuditResourceRow, AuditWriter } from '../../storage/audit-rows.js';
import type { AuditEvent, CloudTrailRecord } from './audit-record.js';
import { encodeResources } from './audit-resource-index.js';

/** The previous hash of the first event ever written. */
export const GENESIS_HASH = '0'.repeat(64);

/** The hash of event `seq` with `record`, after the event whose hash is `prevHash`. */
export function chainHash(seq: number, prevHash: string, record: string): string {
  return createHash('sha256').update(`${seq}\n${prevHash}\n`).update(record).digest('hex');
}

/** The name LookupEvents' Username attribute matches: the user, the role session, or root. */
function usernameOf(record: CloudTrailRecord): string | null {
  const identity = record.userIdentity;
  if (identity.type === 'Root') return 'root';
  if (identity.userName) return identity.userName;
  if (identity.type === 'AssumedRole' && identity.arn) return identity.arn.slice(identity.arn.lastIndexOf('/') + 1);
  return null;
}

/** What lookups filter an event by, taken from its record (and its resources' names) where it was made. */
export type EventColumns = Pick<
  AuditEventRow,
  | 'eventId'
  | 'account'
  | 'eventSource'
  | 'eventName'
  | 'readOnly'
  | 'username'
  | 'accessKeyId'
  | 'errorCode'
  | 'principal'
  | 'resources'
>;

/** The columns of `event`. */
export function eventColumns(event: AuditEvent): EventColumns {
  const { record } = event;
  const resources: AuditResourceRow[] = (record.resources ?? []).map((r, i) => ({
    type: r.type,
    arn: r.ARN,
    name: event.resourceNames[i]?.name ?? r.ARN,
  }));
  return {
    eventId: record.eventID,
    account: record.recipientAccountId,
    eventSource: record.eventSource,
    eventName: record.eventName,
    readOnly: record.readOnly,
    username: usernameOf(record),
    accessKeyId: record.userIdentity.accessKeyId ?? null,
    errorCode: record.errorCode ?? null,
    principal: record.userIdentity.arn ?? null,
    resources: encodeResources(resources),
  };
}

/**
 * An event on its way to the chain: its record's JSON text (the bytes the chain hashes), when it
 * was made, and its columns. Made where the event was, so the ledger's thread hashes and stores
 * it without parsing it again. One carried twice (an outbox row by its own node and another's
 * recovery, a journal read again by a restarted thread) is chained once: events are found by id.
 */
export interface LedgerEntry {
  readonly record: string;
  readonly time: number;
  readonly columns: EventColumns;
}

/** The entry of an event built here. */
export function ledgerEntry(event: AuditEvent): LedgerEntry {
  return { record: JSON.stringify(event.record), time: event.time, columns: eventColumns(event) };
}

const COLUMN_ORDER = [
  'eventId',
  'account',
  'eventSource',
  'eventName',
  'readOnly',
  'username',
  'accessKeyId',
  'errorCode',
  'principal',
  'resources',
] as const;

/** An event as one line of the audit journal (storage/audit-journal.ts): its time and columns as JSON, a tab, its
 * record's text. */
export function journalLine(event: AuditEvent): string {
  const c = eventColumns(event);
  return `${JSON.stringify([event.time, ...COLUMN_ORDER.map((k) => c[k])])}\t${JSON.stringify(event.record)}`;
}

const nullableText = (v: unknown): v is string | null => v === null || typeof v === 'string';

/** The entry of a journal line; undefined for a line that is not one (the journal's MAC vouched for its bytes, not its
 * shape). */
export function journalEntry(line: string): LedgerEntry | undefined {
  const tab = line.indexOf('\t');
  if (tab < 0) return undefined;
  let head: unknown;
  try {
    head = JSON.parse(line.slice(0, tab));
  } catch {
    return undefined;
  }
  if (!Array.isArray(head) || head.length !== COLUMN_ORDER.length + 1) return undefined;
  const [
    time,
    eventId,
    account,
    eventSource,
    eventName,
    readOnly,
    username,
    accessKeyId,
    errorCode,
    principal,
    resources,
  ] = head as unknown[];
  if (
    typeof time !== 'number' ||
    typeof eventId !== 'string' ||
    typeof account !== 'string' ||
    typeof eventSource !== 'string' ||
    typeof eventName !== 'string' ||
    typeof readOnly !== 'boolean' ||
    ![username, accessKeyId, errorCode, principal, resources].every(nullableText)
  )
    return undefined;
  const columns = {
    eventId,
    account,
    eventSource,
    eventName,
    readOnly,
    username,
    accessKeyId,
    errorCode,
    principal,
    resources,
  } as EventColumns;
  return { record: line.slice(tab + 1), time, columns };
}

/** Events that joined the chain one after another: seqs `firstSeq`..`lastSeq`, the last one's hash. */
export interface ChainRun {
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly lastHash: string;
}

/**
 * Appends entries at the chain's head inside `tx`. Each row's time (what lookups, ranges and
 * retention go by) is when it was made, but never earlier than the event before it, so the
 * chain's order is its time order (a write's event, carried from the outbox after the reads its
 * commit raced with, or an outbox row recovered after a restart, takes the head's time); the
 * record keeps its own eventTime, as made. Returns each entry's time in the chain (null for one
 * already there) and where the appended ones went.
 */
export async function appendRun(
  tx: AuditWriter,
  entries: readonly LedgerEntry[],
): Promise<{ times: (number | null)[]; run: ChainRun | undefined }> {
  await tx.lockChain();
  let head = (await tx.head()) ?? { seq: 0, hash: GENESIS_HASH, eventTime: 0 };
  const firstSeq = head.seq + 1;
  const times: (number | null)[] = [];
  for (const entry of entries) {
    const seq = head.seq + 1;
    const time = Math.max(entry.time, head.eventTime);
    const row: AuditEventRow = {
      seq,
      eventTime: time,
      ...entry.columns,
      prevHash: head.hash,
      hash: chainHash(seq, head.hash, entry.record),
      record: entry.record,
    };
    if (!(await tx.insertEvent(row))) {
      times.push(null);
      continue;
    }
    times.push(time);
    head = { seq, hash: row.hash, eventTime: time };
  }
  return { times, run: head.seq >= firstSeq ? { firstSeq, lastSeq: head.seq, lastHash: head.hash } : undefined };
}

let lastSecond = -1;
let lastText = '';

/** CloudTrail's time format: to the second, UTC (the last second's text is kept: events come many to a second). */
export function cloudTrailTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastText = `${new Date(second * 1000).toISOString().slice(0, 19)}Z`;
    lastSecond = second;
  }
  return lastText;
}
