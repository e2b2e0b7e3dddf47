/**
 * The optional JSON-lines sink (COFFER_AUDIT_FILE) for log shippers: each committed event's
 * CloudTrail record on a line of its own, appended to a file only its owner can read. It is a
 * copy; the store's chain stays the record verify checks.
 */
import { createWriteStream } from 'node:fs';
import type { AuditListener } from './audit-trail.js';

/** A listener appending records to `path` (created 0600), and how to close it. */
export function auditFile(
  path: string,
  onError: (error: unknown) => void,
): { listener: AuditListener; close: () => Promise<void> } {
  const stream = createWriteStream(path, { flags: 'a', mode: 0o600 });
  stream.on('error', onError);
  return {
    listener: (event) => {
      stream.write(`${JSON.stringify(event.record)}\n`);
    },
    close: () => new Promise<void>((resolve) => stream.end(() => resolve())),
  };
}
