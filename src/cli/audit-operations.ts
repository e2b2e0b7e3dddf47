/**
 * What `coffer audit` reads: the embedded store's trail directly (with the chain, for export
 * and verify), or a server's through CloudTrail's LookupEvents (one lookup attribute a request,
 * as AWS allows; the other filters are applied here).
 */
import { type CloudTrailClient, LookupEventsCommand, type LookupAttributeKey } from '@aws-sdk/client-cloudtrail';
import type { Coffer } from '../bootstrap/open-coffer.js';
import type { AuditEventQuery } from '../storage/audit-rows.js';
import { recordResources } from '../engine/audit/audit-resources.js';

/** An event as the CLI shows it. */
export interface AuditEntry {
  readonly seq?: number;
  readonly time: number;
  readonly record: Record<string, unknown>;
  readonly resourceNames: readonly string[];
}

/** What to look for. */
export interface AuditFilter {
  readonly name?: string;
  readonly prefix?: string;
  readonly user?: string;
  readonly action?: string;
  readonly deniedOnly?: boolean;
  readonly since?: number;
  readonly until?: number;
  readonly limit: number;
  /** Only events after this one (tail -f on the embedded store; a server's are told apart by eventID). */
  readonly afterSeq?: number;
}

export interface AuditOperations {
  /** Matching events, newest first. */
  search(filter: AuditFilter): Promise<AuditEntry[]>;
}

const DENIED = new Set(['AccessDenied', 'AccessDeniedException']);

/** The filters LookupEvents cannot express, applied to an entry. */
function matches(entry: AuditEntry, filter: AuditFilter): boolean {
  const r = entry.record as {
    eventName?: string;
    errorCode?: string;
    userIdentity?: { userName?: string; arn?: string };
  };
  if (filter.deniedOnly && !DENIED.has(String(r.errorCode))) return false;
  if (filter.action && r.eventName !== filter.action) return false;
  if (
    filter.user &&
    r.userIdentity?.userName !== filter.user &&
    r.userIdentity?.arn !== filter.user &&
    !(filter.user === 'root' && r.userIdentity?.arn?.endsWith(':root'))
  )
    return false;
  const bare = (n: string) => (n.startsWith('/') ? n.slice(1) : n);
  if (filter.name && !entry.resourceNames.some((n) => bare(n) === bare(filter.name!))) return false;
  if (filter.prefix && !entry.resourceNames.some((n) => n.startsWith(filter.prefix!))) return false;
  return true;
}

export function localAudit(coffer: Coffer): AuditOperations {
  return {
    async search(filter) {
      const out: AuditEntry[] = [];
      let beforeSeq: number | undefined;
      // Pages until enough match: the store filters what it can, the rest is filtered here.
      for (let pages = 0; out.length < filter.limit && pages < 1000; pages++) {
        const query: AuditEventQuery = {
          account: coffer.settings.account,
          descending: true,
          limit: 500,
          ...(filter.since !== undefined ? { startTime: filter.since } : {}),
          ...(filter.until !== undefined ? { endTime: filter.until } : {}),
          ...(filter.afterSeq !== undefined ? { afterSeq: filter.afterSeq } : {}),
          ...(beforeSeq !== undefined ? { beforeSeq } : {}),
          ...(filter.prefix ? { resourcePrefix: filter.prefix } : {}),
          ...(filter.deniedOnly ? { failedOnly: true } : {}),
          ...(filter.action ? { attribute: { name: 'EventName' as const, value: filter.action } } : {}),
        };
        const found = await coffer.audit.lookup(query);
        if (found.length === 0) break;
        for (const f of found) {
          const entry = {
            seq: f.event.seq,
            time: f.event.eventTime,
            record: f.record as Record<string, unknown>,
            resourceNames: recordResources(f.record).map((r) => r.name),
          };
          if (matches(entry, filter) && out.length < filter.limit) out.push(entry);
        }
        beforeSeq = found.at(-1)!.event.seq;
      }
      return out;
    },
  };
}

export function remoteAudit(client: CloudTrailClient): AuditOperations {
  return {
    async search(filter) {
      const attribute: { AttributeKey: LookupAttributeKey; AttributeValue: string } | undefined = filter.name
        ? { AttributeKey: 'ResourceName', AttributeValue: filter.name }
        : filter.action
          ? { AttributeKey: 'EventName', AttributeValue: filter.action }
          : filter.user
            ? { AttributeKey: 'Username', AttributeValue: filter.user }
            : undefined;
      const out: AuditEntry[] = [];
      let token: string | undefined;
      for (let pages = 0; out.length < filter.limit && pages < 1000; pages++) {
        const page = await client.send(
          new LookupEventsCommand({
            ...(attribute ? { LookupAttributes: [attribute] } : {}),
            MaxResults: 50,
            ...(token ? { NextToken: token } : {}),
            ...(filter.since !== undefined ? { StartTime: new Date(filter.since) } : {}),
            ...(filter.until !== undefined ? { EndTime: new Date(filter.until) } : {}),
          }),
        );
        for (const e of page.Events ?? []) {
          const entry = {
            time: e.EventTime?.getTime() ?? 0,
            record: JSON.parse(e.CloudTrailEvent ?? '{}') as Record<string, unknown>,
            resourceNames: (e.Resources ?? []).map((r) => r.ResourceName ?? ''),
          };
          if (matches(entry, filter) && out.length < filter.limit) out.push(entry);
        }
        token = page.NextToken;
        if (!token) break;
      }
      return out;
    },
  };
}
