/**
 * The messages between `coffer serve --workers N`'s primary and its workers (node:cluster's IPC
 * channel). They carry no value, key or credential: a port, a file name, clock moves, and "the
 * store changed".
 */

/** From a worker to the primary. */
export type FromWorker =
  /** Listening: the port node:cluster bound (the same for every worker, even for --port 0). */
  | { readonly coffer: 'ready'; readonly port: number }
  /** It committed a write: the others' change feeds read the log now (SQLite tells no other process). */
  | { readonly coffer: 'changed' }
  /** --dev POST /_coffer/clock: move every process's clock by `ms`, then answer `clock-done` with `id`. */
  | { readonly coffer: 'clock'; readonly id: number; readonly ms: number }
  /** It moved its clock as asked by the primary's `clock` message `id`. */
  | { readonly coffer: 'clock-moved'; readonly id: number };

/** From the primary to a worker. */
export type ToWorker =
  | { readonly coffer: 'root-file'; readonly file: string }
  | { readonly coffer: 'changed' }
  | { readonly coffer: 'clock'; readonly id: number; readonly ms: number }
  | { readonly coffer: 'clock-done'; readonly id: number }
  /** Finish in-flight requests and exit (the primary's SIGTERM or SIGINT). */
  | { readonly coffer: 'stop' };

/** Whether an IPC message is one of Coffer's (node:cluster sends its own on the same channel). */
export function isCofferMessage<T extends { coffer: string }>(message: unknown): message is T {
  return (
    typeof message === 'object' && message !== null && typeof (message as { coffer?: unknown }).coffer === 'string'
  );
}
