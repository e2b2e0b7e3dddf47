/**
 * The row queries shared by both SQL backends, composed into one StorageWriter.
 *
 * SQLite and PostgreSQL accept the same SQL for everything Coffer does (ON CONFLICT upserts,
 * quoted aliases, `?` placeholders that the PostgreSQL executor renumbers), so the queries live
 * once, one class per domain of the contract (sql-meta-rows, sql-parameter-rows, sql-secret-rows,
 * sql-identity-rows, sql-key-rows, sql-rotation-rows, sql-policy-action-rows, sql-audit-outbox-rows,
 * sql-change-rows), none inheriting from another. SqlRows builds all of them over the one executor
 * it is given and answers for them: its prototype forwards each domain's methods to that
 * domain's object, so callers keep writing `tx.getSecret(...)`. Each backend supplies only an executor, its locking of
 * parameters, and the row integrity it shares. (The audit trail's own tables are another
 * storage: audit-storage.ts.) To add a method: its domain's interface (*-rows.ts), its SQL class (sql-*-rows.ts),
 * and a case in test/storage/conformance/ (the coverage check fails until one calls it).
 */
import type { IdentityWriter } from './identity-rows.js';
import type { KeyWriter } from './key-rows.js';
import type { MetaWriter } from './meta-rows.js';
import type { ParameterWriter } from './parameter-rows.js';
import type { PolicyActionWriter } from './policy-action-rows.js';
import type { RotationWriter } from './rotation-rows.js';
import type { RowIntegrity } from './row-integrity.js';
import type { Scope } from './scope.js';
import type { SecretWriter } from './secret-rows.js';
import type { AuditOutboxWriter } from './audit-outbox-rows.js';
import type { ChangeWriter } from './change-rows.js';
import { SqlChangeRows } from './sql-change-rows.js';
import { SqlAuditOutboxRows } from './sql-audit-outbox-rows.js';
import type { SqlExecutor } from './sql-executor.js';
import { SqlIdentityRows } from './sql-identity-rows.js';
import { SqlKeyRows } from './sql-key-rows.js';
import { SqlMetaRows } from './sql-meta-rows.js';
import { SqlParameterRows } from './sql-parameter-rows.js';
import { SqlPolicyActionRows } from './sql-policy-action-rows.js';
import { SqlRotationRows } from './sql-rotation-rows.js';
import { SqlSecretRows } from './sql-secret-rows.js';
import type { StorageWriter } from './storage.js';

export type { SqlExecutor };
export { prefixUpperBound } from './sql-parameter-rows.js';

/** The domains SqlRows answers for with flat methods, each held as its contract. */
interface RowDomains {
  meta: MetaWriter;
  parameters: ParameterWriter;
  secrets: SecretWriter;
  identity: IdentityWriter;
  keys: KeyWriter;
  rotation: RotationWriter;
  policyActions: PolicyActionWriter;
  auditOutbox: AuditOutboxWriter;
  changes: ChangeWriter;
}

/** `A | B | C` as `A & B & C`. */
type Intersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

/** Every domain's methods on one object, derived from RowDomains so the two cannot drift apart. */
type DomainMethods = Intersection<RowDomains[keyof RowDomains]>;

/** The class of each domain, whose methods SqlRows forwards. */
type DomainClasses = { readonly [K in keyof RowDomains]: abstract new (...args: never[]) => RowDomains[K] };

/**
 * Declares on SqlRows the methods its prototype forwards to the domain objects (declaration
 * merging); `implements StorageWriter` below then checks that those and the reset cover the
 * whole contract, and each domain class is checked against its own interface.
 */
export interface SqlRows extends DomainMethods {}

/** Row-level reads and writes over one SqlExecutor: every domain's, through one object. */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface declares what the static block forwards
export class SqlRows implements StorageWriter {
  readonly #domains: RowDomains;

  constructor(
    private readonly sql: SqlExecutor,
    lock: (scope: Scope, name: string) => Promise<void>,
    integrity: RowIntegrity,
    announceChange: () => Promise<void> = async () => {},
  ) {
    this.#domains = {
      meta: new SqlMetaRows(sql),
      parameters: new SqlParameterRows(sql, integrity, lock),
      secrets: new SqlSecretRows(sql, integrity, lock),
      identity: new SqlIdentityRows(sql, integrity),
      keys: new SqlKeyRows(sql, integrity),
      rotation: new SqlRotationRows(sql, integrity),
      policyActions: new SqlPolicyActionRows(sql),
      auditOutbox: new SqlAuditOutboxRows(sql, integrity),
      changes: new SqlChangeRows(sql, announceChange),
    };
  }

  // Built once per class, so a transaction's SqlRows costs only its domain objects.
  static {
    forwardMethods(SqlRows.prototype, (rows, domain) => rows.#domains[domain], {
      meta: SqlMetaRows,
      parameters: SqlParameterRows,
      secrets: SqlSecretRows,
      identity: SqlIdentityRows,
      keys: SqlKeyRows,
      rotation: SqlRotationRows,
      policyActions: SqlPolicyActionRows,
      auditOutbox: SqlAuditOutboxRows,
      changes: SqlChangeRows,
    });
  }

  async deleteAllParameters(): Promise<void> {
    for (const table of [
      'ssm_parameters',
      'ssm_parameter_versions',
      'ssm_parameter_labels',
      'iam_entities',
      'iam_documents',
      'iam_links',
      'sm_secrets',
      'sm_secret_versions',
      'sm_version_stages',
      'rotation_schedules',
      'rotation_runs',
      'ssm_policy_actions',
    ]) {
      await this.sql.run(`DELETE FROM ${table}`, []);
    }
    // KMS keys survive the reset, and so must their tags (an aws:ResourceTag Deny still applies).
    await this.sql.run(`DELETE FROM resource_tags WHERE resource_type IN ('Parameter', 'Secret')`, []);
  }
}

/**
 * Puts on `prototype` one method per method of each domain class, calling the same method of
 * that domain's object (`domainOf`). A class's methods are the functions on its prototype: its
 * public methods, since helpers are #private and so are not among them. A name found twice (in
 * two domains, or already on `prototype`) is a mistake, and throws rather than shadowing.
 */
function forwardMethods(
  prototype: object,
  domainOf: (rows: SqlRows, domain: keyof RowDomains) => object,
  classes: DomainClasses,
): void {
  for (const [domain, type] of Object.entries(classes) as [keyof RowDomains, DomainClasses[keyof RowDomains]][]) {
    for (const name of Object.getOwnPropertyNames(type.prototype)) {
      if (name === 'constructor' || typeof Reflect.get(type.prototype, name) !== 'function') continue;
      if (name in prototype) throw new Error(`SqlRows: ${name} is defined twice`);
      const forward = function (this: SqlRows, ...args: unknown[]): unknown {
        const target = domainOf(this, domain);
        return Reflect.apply(Reflect.get(target, name) as (...a: unknown[]) => unknown, target, args);
      };
      Object.defineProperty(forward, 'name', { value: name });
      Object.defineProperty(prototype, name, { value: forward, writable: true, configurable: true, enumerable: false });
    }
  }
}
