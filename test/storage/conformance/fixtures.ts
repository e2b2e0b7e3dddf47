/** Rows and helpers the conformance cases share. */
import type { AuditEventRow } from '../../../src/storage/audit-rows.js';
import type { ParameterVersionRow, Scope, StorageWriter } from '../../../src/storage/storage.js';

export const scope: Scope = { account: '111111111111', region: 'eu-west-1' };
export const otherRegion: Scope = { account: '111111111111', region: 'us-east-1' };

/** A parameter version with a recognisable sealed value. */
export function row(name: string, version: number, extra: Partial<ParameterVersionRow> = {}): ParameterVersionRow {
  return {
    name,
    version,
    type: 'String',
    keyId: null,
    tier: 'Standard',
    dataType: 'text',
    description: null,
    allowedPattern: null,
    policies: null,
    value: Buffer.from(`sealed-${name}-${version}`),
    lastModifiedDate: 1_700_000_000_000 + version,
    lastModifiedUser: 'arn:aws:iam::111111111111:root',
    ...extra,
  };
}

/** Writes a version and moves the head to it, in one transaction. */
export async function put(
  storage: { transaction<T>(work: (tx: StorageWriter) => Promise<T>): Promise<T> },
  s: Scope,
  r: ParameterVersionRow,
): Promise<void> {
  await storage.transaction(async (tx) => {
    await tx.insertVersion(s, r);
    await tx.setLatestVersion(s, r.name, r.version);
  });
}

/** An audit event at `seq`, `seq` seconds after the epoch, chained to `seq - 1`. */
export function event(seq: number, extra: Partial<AuditEventRow> = {}): AuditEventRow {
  return {
    seq,
    eventId: `event-${seq}`,
    eventTime: 1000 * seq,
    account: scope.account,
    eventSource: 'ssm.amazonaws.com',
    eventName: 'GetParameter',
    readOnly: true,
    username: 'ann',
    accessKeyId: 'AKIAANN',
    errorCode: null,
    prevHash: `hash-${seq - 1}`,
    hash: `hash-${seq}`,
    record: JSON.stringify({ eventID: `event-${seq}` }),
    principal: null,
    resources: null,
    ...extra,
  };
}

/** Sorted copies, for results whose order the contract leaves open. */
export const sorted = <T>(items: readonly T[], key: (item: T) => string): T[] =>
  [...items].sort((a, b) => key(a).localeCompare(key(b)));
