/**
 * The CloudTrail JSON 1.1 operation table: LookupEvents over Coffer's audit trail, so
 * `aws cloudtrail lookup-events` and boto3's cloudtrail client read it unchanged. Callers need
 * cloudtrail:LookupEvents (its resource is `*`, as in AWS).
 */
import type { EventLookup } from '../../engine/audit/event-lookup.js';
import { handler as op, serviceFromModel, type ApiService, type ServiceOperation } from '../api-service.js';
import { cloudTrailModel } from '../models/cloudtrail.js';

/** The CloudTrail service. */
export function cloudTrailService(lookup: EventLookup): ApiService {
  const operations = new Map<string, ServiceOperation>([['LookupEvents', op((c, i) => lookup.lookupEvents(c, i))]]);
  return serviceFromModel(cloudTrailModel, 'cloudtrail', operations, async (_ctx, action) => [
    { action: `cloudtrail:${action}`, resource: '*' },
  ]);
}
