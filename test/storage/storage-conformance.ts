/**
 * The storage conformance suite, as a function every backend calls (like Vault's
 * ExerciseBackend and Hono's shared router cases): `exerciseStorage(kind, openFresh)` registers
 * one case per behaviour of the contract, grouped by domain in conformance/, each on a fresh
 * store of its own, so no case depends on another's rows or on the order they run in. The last
 * case checks coverage: every method of the contract (conformance/contract.ts) was called by
 * some case, and a transaction's rows have exactly the contract's methods.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RowAuthenticator } from '../../src/storage/row-integrity.js';
import type { Storage, StorageWriter, TransactionHook } from '../../src/storage/storage.js';
import { testRowAuthenticator } from '../helpers/row-authenticator.js';
import { auditOutboxCases } from './conformance/audit-outbox-cases.js';
import { changeCases } from './conformance/change-cases.js';
import { CONTRACT_METHODS, STORAGE_ONLY } from './conformance/contract.js';
import type { CaseOptions, Exercise, OpenFresh } from './conformance/exercise.js';
import { identityCases } from './conformance/identity-cases.js';
import { keyCases } from './conformance/key-cases.js';
import { lifecycleCases } from './conformance/lifecycle-cases.js';
import { metaCases } from './conformance/meta-cases.js';
import { parameterCases } from './conformance/parameter-cases.js';
import { policyActionCases } from './conformance/policy-action-cases.js';
import { rotationCases } from './conformance/rotation-cases.js';
import { secretCases } from './conformance/secret-cases.js';
import { transactionCases } from './conformance/transaction-cases.js';

export type { FreshStore, OpenFresh } from './conformance/exercise.js';

/** Registers the whole suite for one backend; `openFresh` gives each case its own empty store. */
export function exerciseStorage(kind: Storage['kind'], openFresh: OpenFresh): void {
  describe(`storage conformance: ${kind}`, () => {
    const called = new Set<string>();
    let registered = 0;
    let ran = 0;

    const exercise: Exercise = (name, run, options = {}) => {
      registered++;
      it(name, async () => {
        ran++;
        await onFreshStore(openFresh, options, async (fresh, closed) =>
          run({
            backend: kind,
            storage: recording(fresh.storage, '', called, closed),
            raw: fresh.raw,
            executor: fresh.executor,
          }),
        );
      });
    };

    for (const cases of [
      lifecycleCases,
      transactionCases,
      metaCases,
      parameterCases,
      secretCases,
      identityCases,
      keyCases,
      rotationCases,
      policyActionCases,
      auditOutboxCases,
      changeCases,
    ]) {
      cases(exercise);
    }

    it(
      "has a case for every method of the contract, and a transaction's rows have exactly those " + 'methods',
      async (t) => {
        if (ran < registered) return t.skip('only some cases ran');
        const surface = await onFreshStore(openFresh, {}, ({ storage }) =>
          storage.transaction(async (tx) => methodsOf(tx, true)),
        );
        assert.deepEqual(surface.sort(), CONTRACT_METHODS.filter((m) => !STORAGE_ONLY.includes(m)).sort());
        assert.deepEqual(
          CONTRACT_METHODS.filter((m) => !called.has(m)),
          [],
          'methods no case calls',
        );
      },
    );
  });
}

/** What onFreshStore readies and closes: the store's storage or the audit trail's. */
interface Readied {
  readonly storage: {
    useIntegrity(authenticator: RowAuthenticator): void;
    migrate(): Promise<void>;
    close(): Promise<void>;
  };
  remove(): Promise<void>;
}

/** Opens a fresh store, readies it as `options` say, runs `work`, then closes (unless work did) and removes it. */
export async function onFreshStore<F extends Readied, T>(
  openFresh: () => Promise<F>,
  options: CaseOptions,
  work: (fresh: F, closed: { value: boolean }) => Promise<T>,
): Promise<T> {
  const fresh = await openFresh();
  const closed = { value: false };
  try {
    if (options.integrity !== false) fresh.storage.useIntegrity(testRowAuthenticator());
    if (options.migrated !== false) await fresh.storage.migrate();
    return await work(fresh, closed);
  } finally {
    if (!closed.value) await fresh.storage.close();
    await fresh.remove();
  }
}

/**
 * `target` with every method call recorded in `called` (as `prefix + name`), following the
 * contract into transactions and hooks, so the coverage check sees what the cases really called.
 */
export function recording<T extends object>(
  target: T,
  prefix: string,
  called: Set<string>,
  closed: { value: boolean },
): T {
  const rows = (tx: StorageWriter) => recording(tx, '', called, closed);
  return new Proxy(target, {
    get(object, name) {
      const value: unknown = Reflect.get(object, name);
      if (typeof name !== 'string' || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        called.add(prefix + name);
        if (name === 'close') closed.value = true;
        if (name === 'transaction') {
          const work = args[0] as (tx: StorageWriter) => Promise<unknown>;
          args[0] = (tx: StorageWriter) => work(rows(tx));
        }
        if (name === 'useTransactionHook') {
          const hook = args[0] as TransactionHook;
          args[0] = (tx: StorageWriter) => hook(rows(tx));
        }
        return Reflect.apply(value, object, args);
      };
    },
  });
}

/** The names of an object's methods: on its prototype chain, and (with `own`) its own function-valued properties. */
export function methodsOf(object: object, own: boolean): string[] {
  const names = new Set<string>();
  if (own)
    for (const name of Object.getOwnPropertyNames(object))
      if (typeof Reflect.get(object, name) === 'function') names.add(name);
  for (
    let proto = Object.getPrototypeOf(object);
    proto && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto)
  ) {
    for (const name of Object.getOwnPropertyNames(proto))
      if (name !== 'constructor' && typeof Reflect.get(proto, name) === 'function') names.add(name);
  }
  return [...names];
}
