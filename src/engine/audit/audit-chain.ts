/**
 * The hash chain: each event's hash covers its sequence number, the previous event's hash and
 * its record's exact text, so an event altered, deleted, inserted or reordered breaks every link
 * after it. SHA-256 is public on purpose: an auditor recomputes the chain from an export alone,
 * and the signed digests (audit-digests.ts) pin it; the rows' MACs keep a forged row appended
 * at the tail from ever being signed.
 */
import { createHash } from 'node:crypto';
import type { AuditEventRow, AuditResourceRow } from '../../storage/audit-rows.js';
import type { StorageWriter } from '../../storage/storage.js';
import type { AuditEvent } from './audit-record.js';
import { encodeResources } from './audit-resource-index.js';

/** The previous hash of the first event ever written. */
export const GENESIS_HASH = '0'.repeat(64);

/** The hash of event `seq` with `record`, after the event whose hash is `prevHash`. */
export function chainHash(seq: number, prevHash: string, record: string): string {
  return createHash('sha256').update(`${seq}\n${prevHash}\n`).update(record).digest('hex');
}

/** The name LookupEvents' Username attribute matches: the user, the role session, or root. */
function usernameOf(event: AuditEvent): string | null {
  const identity = event.record.userIdentity;
  if (identity.type === 'Root') return 'root';
  if (identity.userName) return identity.userName;
  if (identity.type === 'AssumedRole' && identity.arn) return identity.arn.slice(identity.arn.lastIndexOf('/') + 1);
  return null;
}

/**
 * Appends events at the chain's head inside `tx`; returns them as written. Each is stamped with
 * the time it joins the chain, never earlier than the event before it, so the trail's order is
 * its time order (LookupEvents lists newest first by both). Takes the events' records over.
 */
export async function appendEvents(tx: StorageWriter, events: readonly AuditEvent[], now = Date.now()): Promise<AuditEvent[]> {
  return (await appendRun(tx, events, now)).written;
}

/** Events that joined the chain one after another: seqs `firstSeq`..`lastSeq`, the last one's hash. */
export interface ChainRun {
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly lastHash: string;
}

/** appendEvents, saying also where in the chain the events went. */
export async function appendRun(tx: StorageWriter, events: readonly AuditEvent[], now = Date.now()): Promise<{ written: AuditEvent[]; run: ChainRun | undefined }> {
  await tx.audit.lockChain();
  let head = (await tx.audit.head()) ?? { seq: 0, hash: GENESIS_HASH, eventTime: 0 };
  const firstSeq = head.seq + 1;
  const written: AuditEvent[] = [];
  for (const given of events) {
    const time = Math.max(now, head.eventTime);
    // The record is the caller's to give away: stamped in place, its key order kept.
    (given.record as { eventTime: string }).eventTime = cloudTrailTime(time);
    const event: AuditEvent = { ...given, time };
    const record = JSON.stringify(event.record);
    const seq = head.seq + 1;
    const resources: AuditResourceRow[] = (event.record.resources ?? []).map((r, i) => ({ type: r.type, arn: r.ARN, name: event.resourceNames[i]?.name ?? r.ARN }));
    const row: AuditEventRow = {
      seq, eventId: event.record.eventID, eventTime: time, account: event.record.recipientAccountId, eventSource: event.record.eventSource,
      eventName: event.record.eventName, readOnly: event.record.readOnly, username: usernameOf(event),
      accessKeyId: event.record.userIdentity.accessKeyId ?? null, errorCode: event.record.errorCode ?? null,
      prevHash: head.hash, hash: chainHash(seq, head.hash, record), record,
      principal: event.record.userIdentity.arn ?? null, resources: encodeResources(resources),
    };
    await tx.audit.insertEvent(row);
    written.push(event);
    head = { seq, hash: row.hash, eventTime: time };
  }
  return { written, run: written.length > 0 ? { firstSeq, lastSeq: head.seq, lastHash: head.hash } : undefined };
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
