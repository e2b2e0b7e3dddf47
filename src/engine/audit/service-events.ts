/**
 * Events of actions Coffer takes by itself (CloudTrail's AwsServiceEvent): rotation steps,
 * purges at the end of recovery windows, key and master-key rotations. They name what was
 * acted on and how it ended, never a value.
 */
import { randomUUID } from 'node:crypto';
import type { StorageWriter } from '../../storage/storage.js';
import { CLOUDTRAIL_EVENT_VERSION, type AuditEvent } from './audit-record.js';
import { auditResources } from './audit-resources.js';
import { eventId } from './event-ids.js';
import { cloudTrailTime } from './audit-chain.js';

export interface ServiceEventSpec {
  /** The acting service: secretsmanager.amazonaws.com, kms.amazonaws.com, coffer.amazonaws.com. */
  readonly source: string;
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly arns: readonly string[];
  /** What happened, in names and numbers only. */
  readonly details: Readonly<Record<string, unknown>>;
  readonly errorCode?: string;
}

/** Where engines put the events of what they do by themselves (the AuditTrail). */
export interface ServiceEventSink {
  /** Records `event` in `tx`, the action's own transaction, so the action and its event commit together. */
  appendIn(tx: StorageWriter, event: AuditEvent): Promise<void>;
  /** Records `event` on its own (an action that wrote nothing itself); resolves once it is in the chain. */
  record(event: AuditEvent): Promise<void>;
}

/** The CloudTrail record of one service action, at `now`. */
export function serviceEvent(spec: ServiceEventSpec, now: number): AuditEvent {
  const { resources, names } = auditResources(spec.arns);
  const eventTime = cloudTrailTime(now);
  return {
    time: now,
    resourceNames: names,
    record: {
      eventVersion: CLOUDTRAIL_EVENT_VERSION,
      userIdentity: { type: 'AWSService', accountId: spec.account, invokedBy: spec.source },
      eventTime,
      eventSource: spec.source,
      eventName: spec.name,
      awsRegion: spec.region,
      sourceIPAddress: spec.source,
      userAgent: spec.source,
      ...(spec.errorCode ? { errorCode: spec.errorCode } : {}),
      requestParameters: null,
      responseElements: null,
      requestID: randomUUID(),
      eventID: eventId(now),
      readOnly: false,
      ...(resources.length > 0 ? { resources } : {}),
      eventType: 'AwsServiceEvent',
      managementEvent: true,
      recipientAccountId: spec.account,
      eventCategory: 'Management',
      serviceEventDetails: spec.details,
    },
  };
}

/** A sink that drops everything (the trail is off, or an engine is used without one). */
export const NO_SERVICE_EVENTS: ServiceEventSink = {
  appendIn: async () => {},
  record: async () => {},
};
