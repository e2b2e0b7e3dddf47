/**
 * CloudTrail's LookupEvents over the trail: one lookup attribute at most, a time range (the last
 * 90 days by default), newest first, 1-50 events a page with an opaque NextToken, each event
 * with its CloudTrail record as a JSON string. Callers see their own account's events only.
 */
import type { AuditAttribute, AuditEventQuery } from '../../storage/audit-rows.js';
import type { RequestContext } from '../request-context.js';
import { ServiceError } from '../service-error.js';
import type { AuditTrail } from './audit-trail.js';
import { recordResources } from './audit-resources.js';

export interface LookupEventsInput {
  LookupAttributes?: { AttributeKey: AuditAttribute; AttributeValue: string }[];
  StartTime?: Date;
  EndTime?: Date;
  EventCategory?: string;
  MaxResults?: number;
  NextToken?: string;
}

const DAY = 86_400_000;

const invalid = (code: string, message: string) => new ServiceError(code, message);

/** Where a NextToken resumes: after the last seq shown, in the time range the first page fixed. */
interface Position {
  before: number;
  start: number;
  end: number;
}

/** The position a NextToken carries, if it belongs to this query. */
function readToken(token: string, fingerprint: string): Position {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const p = parsed as (Partial<Position> & { q?: unknown }) | undefined;
  if (!p || p.q !== fingerprint || ![p.before, p.start, p.end].every(Number.isSafeInteger))
    throw invalid('InvalidNextTokenException', 'Invalid NextToken.');
  return { before: p.before!, start: p.start!, end: p.end! };
}

export class EventLookup {
  constructor(
    private readonly trail: AuditTrail,
    // The trail's clock, which stamps the events: a --dev server's moved clock must not hide its newest ones.
    private readonly now: () => number = () => trail.now(),
  ) {}

  async lookupEvents(ctx: RequestContext, input: LookupEventsInput): Promise<object> {
    const attributes = input.LookupAttributes ?? [];
    if (attributes.length > 1)
      throw invalid('InvalidLookupAttributesException', 'You cannot specify more than one lookup attribute.');
    const attribute = attributes[0];
    if (
      attribute?.AttributeKey === 'ReadOnly' &&
      attribute.AttributeValue !== 'true' &&
      attribute.AttributeValue !== 'false'
    ) {
      throw invalid('InvalidLookupAttributesException', 'The ReadOnly attribute value must be true or false.');
    }
    // A later page keeps the first page's range, whatever "now" has become since.
    const fingerprint = JSON.stringify([
      attribute?.AttributeKey,
      attribute?.AttributeValue,
      input.StartTime?.getTime(),
      input.EndTime?.getTime(),
      input.MaxResults,
    ]);
    const resumed = input.NextToken !== undefined ? readToken(input.NextToken, fingerprint) : undefined;
    const end = resumed?.end ?? input.EndTime?.getTime() ?? this.now();
    const start = resumed?.start ?? input.StartTime?.getTime() ?? end - 90 * DAY;
    if (start > end) throw invalid('InvalidTimeRangeException', 'Start time must be before end time.');
    // Insights events are CloudTrail Insights' analysis: Coffer has none.
    if (input.EventCategory === 'insight') return { Events: [] };
    const limit = input.MaxResults ?? 50;
    const query: AuditEventQuery = {
      account: ctx.account,
      startTime: start,
      endTime: end,
      descending: true,
      limit: limit + 1,
      ...(attribute ? { attribute: { name: attribute.AttributeKey, value: attribute.AttributeValue } } : {}),
      ...(resumed ? { beforeSeq: resumed.before } : {}),
    };
    const found = await this.trail.lookup(query);
    const page = found.slice(0, limit);
    const Events = page.map(({ event, record }) => ({
      EventId: event.eventId,
      EventName: event.eventName,
      ReadOnly: String(event.readOnly),
      ...(event.accessKeyId ? { AccessKeyId: event.accessKeyId } : {}),
      EventTime: new Date(event.eventTime),
      EventSource: event.eventSource,
      ...(event.username ? { Username: event.username } : {}),
      Resources: recordResources(record).map((r) => ({ ResourceType: r.type, ResourceName: r.name })),
      CloudTrailEvent: event.record,
    }));
    const more = found.length > limit;
    const NextToken = more
      ? Buffer.from(JSON.stringify({ before: page.at(-1)!.event.seq, start, end, q: fingerprint })).toString(
          'base64url',
        )
      : undefined;
    return { Events, ...(NextToken ? { NextToken } : {}) };
  }
}
