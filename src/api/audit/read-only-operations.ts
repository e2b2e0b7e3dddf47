/**
 * Which operations CloudTrail records as read-only (an event's `readOnly`). The pipeline runs
 * every other operation in its audit draft's scope, so that its first transaction carries its event.
 */
const READ_ONLY =
  /^(Get|List|Describe|BatchGet|Lookup|Simulate|Encrypt|Decrypt|ReEncrypt|GenerateDataKey|GenerateRandom|AssumeRole$)/;

/** Whether `operation` is one CloudTrail records as read-only. */
export function isReadOnlyOperation(operation: string): boolean {
  return READ_ONLY.test(operation);
}
