/**
 * The --dev reset behind POST /moto-api/reset (moto's) and POST /_coffer/reset: empties the
 * store's parameters, secrets, IAM entities and rotation and policy bookkeeping, as moto's reset
 * empties its backends, so suites written for moto_server (whose `mock_aws` posts it before each
 * test in server mode) run one test after another on one Coffer. Keys, access keys and the audit
 * trail stay. The reset is itself an event of the trail (coffer.amazonaws.com `ResetStore`,
 * naming the path it came by), committed in the deleting transaction, so a wiped store is never
 * unexplained. Only `coffer serve --dev` builds one; other servers answer 404 at both paths.
 */
import type { AuditTrail } from '../engine/audit/audit-trail.js';
import { serviceEvent } from '../engine/audit/service-events.js';
import type { Clock } from '../engine/clock.js';
import { bumpIamGeneration } from '../engine/iam/iam-entities.js';
import type { Scope, Storage } from '../storage/storage.js';

/** The paths a --dev server empties its store at. */
export const RESET_PATHS: readonly string[] = ['/moto-api/reset', '/_coffer/reset'];

/** Empties the store, recording why; `path` is the endpoint the request came to. */
export type DevReset = (path: string) => Promise<void>;

/** The reset of a --dev server over `storage`, recorded in `trail` as the act of `scope`'s account. */
export function devReset(
  storage: Storage,
  trail: Pick<AuditTrail, 'recordDuring'>,
  clock: Clock,
  scope: Scope,
): DevReset {
  return async (path) => {
    const event = serviceEvent(
      {
        source: 'coffer.amazonaws.com',
        name: 'ResetStore',
        ...scope,
        arns: [],
        details: { reason: 'coffer serve --dev reset endpoint', path },
      },
      clock.now(),
    );
    await trail.recordDuring(event, () =>
      storage.transaction(async (tx) => {
        await tx.deleteAllParameters();
        // Users and roles are gone: every process's cached callers (their policies) must go too.
        await bumpIamGeneration(tx);
      }),
    );
  };
}
