/**
 * The messages between the server's thread and the audit ledger's (threaded-ledger.ts,
 * audit-ledger-thread.ts): a call by method name with plain-data arguments, its answer, and
 * errors described by what may be said of them (class, code, and a tampered row's table and
 * key: never a value) and rebuilt on the other side as the same classes.
 */
import type { Ledger } from '../engine/audit/audit-ledger.js';
import { AuditChainError } from '../engine/audit/audit-ledger.js';
import { TamperedRowError } from '../storage/row-integrity.js';

export type LedgerMethod = keyof Ledger;

export interface LedgerCall {
  readonly id: number;
  readonly method: LedgerMethod;
  readonly args: readonly unknown[];
}

export interface DescribedError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly table?: string;
  readonly row?: string;
  /** Where it was raised (the fault report reads Coffer's own frames from it; it is never logged). */
  readonly stack?: string;
}

/** Told by the ledger's thread, unasked: chaining the journal failed (why), or works again. */
export type LedgerNotice =
  | { readonly notice: 'chain-failed'; readonly error: DescribedError }
  | { readonly notice: 'chain-ok' }
  | { readonly notice: 'problem'; readonly error: DescribedError };

export type LedgerReply =
  | LedgerNotice
  | { readonly ready: true }
  | { readonly ready: false; readonly error: DescribedError }
  | { readonly id: number; readonly value: unknown }
  | { readonly id: number; readonly error: DescribedError };

export function describeError(error: unknown): DescribedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const stack = error.stack ? { stack: error.stack } : {};
  if (error instanceof TamperedRowError)
    return { name: error.name, message: error.message, code: error.code, table: error.table, row: error.row, ...stack };
  const code = (error as { code?: unknown }).code;
  return { name: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}), ...stack };
}

export function rebuildError(described: DescribedError): Error {
  const error =
    described.name === 'TamperedRowError' && described.table !== undefined && described.row !== undefined
      ? new TamperedRowError(described.table, described.row)
      : described.name === 'AuditChainError'
        ? new AuditChainError(described.message)
        : new Error(described.message);
  error.name = described.name;
  if (described.code !== undefined && !(error instanceof TamperedRowError) && !(error instanceof AuditChainError))
    Object.assign(error, { code: described.code });
  if (described.stack !== undefined) error.stack = described.stack;
  return error;
}
