/**
 * What a sync moves: entries named relative to the store's root (`x/y`, the common currency of
 * every kind of store: `ssm:/app/local` holds `/app/local/x/y` as `x/y`), each a value with the
 * metadata Parameter Store and Secrets Manager carry, and the contract every store implements.
 */

/** One value and what is known about it. Names never start with `/`. */
export interface SyncEntry {
  name: string;
  /** Text, or bytes (a binary secret, a file that is not UTF-8). */
  value: string | Uint8Array;
  type?: 'String' | 'StringList' | 'SecureString';
  description?: string;
  /** Tags as a map; undefined when the store has none to tell. */
  tags?: Readonly<Record<string, string>>;
  tier?: string;
  keyId?: string;
}

/** What a store can hold beyond text values. */
export interface SyncCapabilities {
  /** Values that are bytes. */
  binary: boolean;
  /** Values stored encrypted (a SecureString, a secret). */
  encrypted: boolean;
  /** SSM's String/StringList/SecureString. */
  types: boolean;
  description: boolean;
  tags: boolean;
  tier: boolean;
  keyId: boolean;
}

/** An entry a store cannot take, and why (said without the value). */
export interface Unsupported {
  name: string;
  reason: string;
}

/**
 * A place entries are synced from or to. `list` reads the current state (so a rerun plans from
 * what is there, never from what an earlier run meant to do); `put` makes one entry what it is
 * given (`existing` is what `list` found, undefined to create); `flush` makes the writes durable
 * where they are buffered (a file is written once, atomically).
 */
export interface SyncStore {
  /** The store URL, for messages. */
  readonly label: string;
  readonly capabilities: SyncCapabilities;
  list(): Promise<SyncEntry[]>;
  /** The name this store would list `name` under once written (dotenv keys lose case and punctuation). */
  nameFor?(name: string): string;
  /** Why this store cannot take `entry`, if it cannot. */
  refuses?(entry: SyncEntry): string | undefined;
  put(entry: SyncEntry, existing: SyncEntry | undefined): Promise<void>;
  /** Names the last `list` saw exist but could not read (a Deny hides them from listings of values). */
  unreadable?(): string[];
  remove(name: string): Promise<void>;
  flush?(): Promise<void>;
  close?(): Promise<void> | void;
}

/** A value's bytes: what comparisons and keyed hashes are over. */
export function valueBytes(value: string | Uint8Array): Uint8Array {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

/** Whether two values hold the same bytes. */
export function sameValue(a: string | Uint8Array, b: string | Uint8Array): boolean {
  return Buffer.from(valueBytes(a)).equals(Buffer.from(valueBytes(b)));
}

/** Whether two tag maps hold the same pairs. */
export function sameTags(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>> = {}): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => b[k] === a[k]);
}

/**
 * The part of `name` below `root` (`/app/local` and `/app/local/x/y` give `x/y`); undefined when
 * not below it. Parameter Store answers a one-level name without its slash (`foo` is `/foo`), so
 * it is below the root `/`.
 */
export function relativeName(root: string, name: string): string | undefined {
  const base = root.replace(/\/+$/, '');
  const full = name.startsWith('/') ? name : `/${name}`;
  if (!full.startsWith(`${base}/`)) return undefined;
  return full.slice(base.length + 1);
}

/** `name` placed under `root` (`/app/production` and `x/y` give `/app/production/x/y`). */
export function underRoot(root: string, name: string): string {
  return `${root.replace(/\/+$/, '')}/${name}`;
}
