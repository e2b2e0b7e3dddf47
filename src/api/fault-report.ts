/**
 * What the log may say about an internal fault: the error's class, its code when it is a plain
 * identifier (SQLITE_FULL, 53100, EACCES), and where in Coffer's code it was raised. Never its
 * message, which may quote a request (a name, a tag, a JSON fragment) or a value.
 */
import { TamperedRowError } from '../storage/row-integrity.js';

/** The fields of a fault's log line. */
export interface FaultReport {
  readonly error: string;
  readonly code?: string;
  /** The layer it happened in (`storage` for a write that failed), then the file and line. */
  readonly component?: string;
  readonly at?: string;
  /** For a row that failed its integrity check: its table and key (names and ids, never values). */
  readonly table?: string;
  readonly row?: string;
}

const CODE = /^[A-Za-z0-9_]{1,40}$/;
/** A stack frame inside Coffer's own sources or build: `.../src/storage/x.ts:12:5`. */
const OWN_FRAME = /[/\\](?:src|dist)[/\\]((?:api|bootstrap|cli|crypto|engine|storage)[/\\][\w./\\-]+?\.[jt]s):(\d+)/;

export function describeFault(error: unknown): FaultReport {
  if (!(error instanceof Error)) return { error: typeof error };
  const code = (error as { code?: unknown }).code;
  const frame = OWN_FRAME.exec(error.stack ?? '');
  const at = frame ? `${frame[1]!.replace(/\\/g, '/')}:${frame[2]}` : undefined;
  return {
    error: CODE.test(error.name) ? error.name : 'Error',
    ...(typeof code === 'string' && CODE.test(code) ? { code } : {}),
    ...(at ? { component: at.split('/')[0]!, at } : {}),
    ...(error instanceof TamperedRowError ? { table: error.table, row: error.row } : {}),
  };
}

/** One JSON log line for a fault. */
export function faultLine(error: unknown, requestId: string | undefined): string {
  const line = {
    time: new Date().toISOString(),
    level: 'error',
    event: 'internal_fault',
    ...(requestId ? { requestId } : {}),
    ...describeFault(error),
  };
  return `${JSON.stringify(line)}\n`;
}
