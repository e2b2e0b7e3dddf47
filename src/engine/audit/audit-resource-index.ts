/**
 * The resource index: which events touched which parameter, secret or key, by name, for
 * LookupEvents' ResourceName and ResourceType and for the access report. Each event row keeps its
 * own resources (sealed with it); the index is built from them behind the chain, many events to
 * a transaction and sorted by name, because one index row written with each event, at a random
 * place in a name-ordered tree, cost as much as the rest of the event. Readers catch it up first,
 * so it is never seen stale.
 *
 * Storage is untrusted: the index is derived data, so verify sums a hash of every index row and of
 * every row the events say it should hold (a multiset hash: order-free, constant memory) and
 * reports any row added, removed or changed.
 */
import type {
  AuditIndexRow,
  AuditReader,
  AuditResourceRow,
  AuditWriter,
  UnindexedEvent,
} from '../../storage/audit-rows.js';

/** Events indexed per transaction at most: it holds the chain lock, and on SQLite the thread, while it runs. */
const BATCH = 1000;
/** Index rows per transaction at most (a batch stops before the event that would pass it). */
const MAX_ROWS = 5000;
const MOD = 1n << 256n;

/**
 * Text both backends store as given: a lone surrogate (which a JSON request can carry in a name)
 * would reach SQLite as U+FFFD, and PostgreSQL refuses NUL, so the index row would never match
 * the event's own resources, or never be written. Both become U+FFFD here, once.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is one of the characters the stores cannot keep
const UNSTORABLE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|\u0000/g;
const storable = (text: string) =>
  text.isWellFormed() && !text.includes('\u0000') ? text : text.replace(UNSTORABLE, '\ufffd');

/** The resources column of an event: null for none. */
export function encodeResources(resources: readonly AuditResourceRow[]): string | null {
  return resources.length === 0
    ? null
    : JSON.stringify(resources.map((r) => [storable(r.type), storable(r.name), storable(r.arn)]));
}

function indexRowsOf(event: UnindexedEvent): AuditIndexRow[] {
  const decoded = JSON.parse(event.resources) as unknown;
  if (!Array.isArray(decoded)) return [];
  return decoded.flatMap((r: unknown, position) =>
    Array.isArray(r) && r.length === 3 && r.every((x) => typeof x === 'string')
      ? [
          {
            type: r[0] as string,
            name: r[1] as string,
            arn: r[2] as string,
            seq: event.seq,
            position,
            eventTime: event.eventTime,
            principal: event.principal,
            readOnly: event.readOnly,
            succeeded: event.errorCode === null,
          },
        ]
      : [],
  );
}

/**
 * Indexes up to BATCH events after the last indexed one, inside `tx` (which holds the chain
 * lock); returns whether events remain.
 */
export async function indexBatch(tx: AuditWriter): Promise<boolean> {
  const head = (await tx.head())?.seq ?? 0;
  const from = await tx.indexedThrough();
  if (from >= head) return false;
  let through = Math.min(head, from + BATCH);
  const rows: AuditIndexRow[] = [];
  for (const event of await tx.listUnindexed(from, through)) {
    // Bounded in rows too: a thousand batch reads of a hundred resources each would be 100,000.
    if (rows.length >= MAX_ROWS) {
      through = event.seq - 1;
      break;
    }
    rows.push(...indexRowsOf(event));
  }
  // In name order, so a batch fills the name index's pages one after another.
  rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.seq - b.seq || a.position - b.position));
  await tx.insertIndexRows(rows);
  await tx.setIndexedThrough(through);
  return through < head;
}

/**
 * A multiset hash of index rows: the same rows in any order give the same sum. Each row's term is
 * keyed (an HMAC only the trail's signer can make): with a public hash, rows whose terms add up
 * to any target can be searched for (Wagner's generalised birthday), and traded for real ones.
 */
export class IndexRowSum {
  private sum = 0n;
  count = 0;

  constructor(private readonly keyedHash: (text: string) => Buffer) {}

  add(row: AuditIndexRow): void {
    const text = JSON.stringify([
      row.seq,
      row.position,
      row.type,
      row.name,
      row.arn,
      row.eventTime,
      row.principal,
      row.readOnly,
      row.succeeded,
    ]);
    this.sum = (this.sum + BigInt(`0x${this.keyedHash(text).toString('hex')}`)) % MOD;
    this.count++;
  }

  /** Adds the rows `event` should have in the index. */
  addEvent(event: UnindexedEvent): void {
    for (const row of indexRowsOf(event)) this.add(row);
  }

  equals(other: IndexRowSum): boolean {
    return this.sum === other.sum && this.count === other.count;
  }
}

/**
 * The sum over the index as stored, through the seq it claims to cover (read first: rows a batch
 * adds while this runs are past it and left out).
 */
export async function storedIndexSum(
  storage: AuditReader,
  keyedHash: (text: string) => Buffer,
  page = 1000,
): Promise<{ sum: IndexRowSum; through: number }> {
  const through = await storage.indexedThrough();
  const sum = new IndexRowSum(keyedHash);
  let after: AuditIndexRow | undefined;
  for (;;) {
    const rows = await storage.listIndexRows(after, page);
    // Not `row.seq <= through`: a seq that reads as NaN (stored as text) must count, and mismatch.
    for (const row of rows) if (!(row.seq > through)) sum.add(row);
    if (rows.length < page) break;
    after = rows.at(-1);
  }
  return { sum, through };
}
