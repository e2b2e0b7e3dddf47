/**
 * The audit trail's storage conformance suite (audit-storage.ts), as a function every backend
 * calls, like the store's own (storage-conformance.ts): one case per behaviour, each on a fresh
 * audit storage, and a last case checking that every method of the contract was called and a
 * transaction's rows have exactly the contract's methods.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditStorage } from '../../src/storage/audit-storage.js';
import { auditCases } from './conformance/audit-cases.js';
import { AUDIT_CONTRACT_METHODS, AUDIT_STORAGE_ONLY } from './conformance/contract.js';
import type { AuditExercise, OpenFreshAudit } from './conformance/exercise.js';
import { methodsOf, onFreshStore, recording } from './storage-conformance.js';

export function exerciseAuditStorage(kind: AuditStorage['kind'], openFresh: OpenFreshAudit): void {
  describe(`audit storage conformance: ${kind}`, () => {
    const called = new Set<string>();
    let registered = 0;
    let ran = 0;

    const exercise: AuditExercise = (name, run, options = {}) => {
      registered++;
      it(name, async () => {
        ran++;
        await onFreshStore(openFresh, options, async (fresh, closed) =>
          run({ backend: kind, storage: recording(fresh.storage, '', called, closed), raw: fresh.raw }),
        );
      });
    };

    auditCases(exercise);

    it(
      "has a case for every method of the contract, and a transaction's rows have exactly those " + 'methods',
      async (t) => {
        if (ran < registered) return t.skip('only some cases ran');
        const surface = await onFreshStore(openFresh, {}, ({ storage }) =>
          storage.transaction(async (tx) => methodsOf(tx, true)),
        );
        assert.deepEqual(surface.sort(), AUDIT_CONTRACT_METHODS.filter((m) => !AUDIT_STORAGE_ONLY.includes(m)).sort());
        assert.deepEqual(
          AUDIT_CONTRACT_METHODS.filter((m) => !called.has(m)),
          [],
          'methods no case calls',
        );
      },
    );
  });
}
