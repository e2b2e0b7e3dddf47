/**
 * The audit rows shared by both SQL backends (audit-rows.ts). Event rows are sealed over every
 * column; a reader gets `intact: false` for a row that no longer matches, so LookupEvents can
 * refuse it and `coffer audit verify` can say which one it was.
 */
import type {
  AuditDigestRow,
  AuditEventQuery,
  AuditEventRow,
  AuditIndexRow,
  AuditWriter,
  ResourceReadRow,
  StoredAuditEvent,
  UnindexedEvent,
} from './audit-rows.js';
import type { RowIntegrity } from './row-integrity.js';
import { storedInteger, type RowField } from './row-integrity.js';
import type { SqlExecutor } from './sql-executor.js';
import { prefixUpperBound } from './sql-parameter-rows.js';

const EVENT_COLUMNS = `e.seq AS "seq", e.event_id AS "eventId", e.event_time AS "eventTime", e.account AS "account",
  e.event_source AS "eventSource",
  e.event_name AS "eventName", e.read_only AS "readOnly", e.username AS "username", e.access_key_id AS "accessKeyId",
  e.error_code AS "errorCode", e.prev_hash AS "prevHash", e.hash AS "hash", e.record AS "record",
    e.principal AS "principal",
  e.resources AS "resources", e.mac AS "mac"`;
const DIGEST_COLUMNS = `digest_no AS "digestNo", kind AS "kind", created_at AS "createdAt", first_seq AS "firstSeq",
  last_seq AS "lastSeq",
  head_hash AS "headHash", previous_hash AS "previousHash", signature AS "signature"`;

/**
 * The sealed columns (row-integrity.ts): not the record, which the chain hash covers. A row read
 * back gives read_only as stored (0 or 1, anything else fails), not as the boolean it reads as.
 */
const eventFields = (r: AuditEventRow, readOnly: number = r.readOnly ? 1 : 0): RowField[] => [
  r.seq,
  r.eventId,
  r.eventTime,
  r.account,
  r.eventSource,
  r.eventName,
  readOnly,
  r.username,
  r.accessKeyId,
  r.errorCode,
  r.prevHash,
  r.hash,
  r.principal,
  r.resources,
];
const EVENT_COLUMNS_WITHOUT_RECORD = EVENT_COLUMNS.replace('e.record AS "record"', `'' AS "record"`);
const INDEX_COLUMNS = `resource_name AS "name", seq AS "seq", position AS "position", resource_type AS "type",
  arn AS "arn",
  event_time AS "eventTime", principal AS "principal", read_only AS "readOnly", succeeded AS "succeeded"`;
/** Index rows per INSERT: one statement for many rows, within SQLite's and PostgreSQL's parameter limits. */
const INDEX_ROWS_PER_INSERT = 100;

/** The WHERE clause and parameters of an event query. */
function eventFilter(q: AuditEventQuery): { where: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const add = (clause: string, ...values: unknown[]) => {
    clauses.push(clause);
    params.push(...values);
  };
  if (q.account !== undefined) add('e.account = ?', q.account);
  if (q.startTime !== undefined) add('e.event_time >= ?', q.startTime);
  if (q.endTime !== undefined) add('e.event_time <= ?', q.endTime);
  if (q.afterSeq !== undefined) add('e.seq > ?', q.afterSeq);
  if (q.beforeSeq !== undefined) add('e.seq < ?', q.beforeSeq);
  if (q.failedOnly) add('e.error_code IS NOT NULL');
  if (q.resourcePrefix !== undefined && q.resourcePrefix !== '') {
    add(
      'EXISTS (SELECT 1 FROM audit_resources r WHERE r.seq = e.seq AND r.resource_name >= ? AND r.resource_name < ?)',
      q.resourcePrefix,
      prefixUpperBound(q.resourcePrefix),
    );
  }
  const a = q.attribute;
  if (a) {
    switch (a.name) {
      case 'EventId':
        add('e.event_id = ?', a.value);
        break;
      case 'EventName':
        add('e.event_name = ?', a.value);
        break;
      case 'EventSource':
        add('e.event_source = ?', a.value);
        break;
      case 'Username':
        add('e.username = ?', a.value);
        break;
      case 'AccessKeyId':
        add('e.access_key_id = ?', a.value);
        break;
      case 'ReadOnly':
        add('e.read_only = ?', a.value === 'true' ? 1 : 0);
        break;
      case 'ResourceType':
        add('EXISTS (SELECT 1 FROM audit_resources r WHERE r.seq = e.seq AND r.resource_type = ?)', a.value);
        break;
      case 'ResourceName':
        // By name or ARN; a parameter is the same with or without its leading slash.
        add(
          'EXISTS (SELECT 1 FROM audit_resources r WHERE r.seq = e.seq AND (r.resource_name = ? OR r.resource_name = ' +
            '? OR r.arn = ?))',
          a.value,
          a.value.startsWith('/') ? a.value.slice(1) : `/${a.value}`,
          a.value,
        );
        break;
    }
  }
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

const num = storedInteger;

/** Audit reads and writes over one executor. */
export class SqlAuditRows implements AuditWriter {
  readonly #lock: () => Promise<void>;

  constructor(
    private readonly sql: SqlExecutor,
    private readonly integrity: RowIntegrity,
    lock: () => Promise<void>,
  ) {
    this.#lock = lock;
  }

  lockChain(): Promise<void> {
    return this.#lock();
  }

  async head(): Promise<{ seq: number; hash: string; eventTime: number } | undefined> {
    const rows = await this.sql.all<{ seq: unknown; hash: string; eventTime: unknown }>(
      'SELECT seq AS "seq", hash AS "hash", event_time AS "eventTime" FROM audit_events ORDER BY seq DESC LIMIT 1',
      [],
    );
    return rows[0] && { seq: num(rows[0].seq), hash: rows[0].hash, eventTime: num(rows[0].eventTime) };
  }

  async lastEventBefore(time: number): Promise<{ seq: number; hash: string } | undefined> {
    const rows = await this.sql.all<{ seq: unknown; hash: string }>(
      'SELECT seq AS "seq", hash AS "hash" FROM audit_events WHERE event_time <= ? ORDER BY seq DESC LIMIT 1',
      [time],
    );
    return rows[0] && { seq: num(rows[0].seq), hash: rows[0].hash };
  }

  async listEvents(query: AuditEventQuery): Promise<StoredAuditEvent[]> {
    const { where, params } = eventFilter(query);
    const rows = await this.sql.all<AuditEventRow & { mac: Buffer | null }>(
      `SELECT ${query.withoutRecord ? EVENT_COLUMNS_WITHOUT_RECORD : EVENT_COLUMNS} FROM audit_events e ${where} ` +
        `ORDER BY e.seq ${query.descending ? 'DESC' : 'ASC'} LIMIT ?`,
      [...params, query.limit],
    );
    return rows.map(({ mac, ...row }) => {
      const event: AuditEventRow = {
        ...row,
        seq: num(row.seq),
        eventTime: num(row.eventTime),
        readOnly: num(row.readOnly) === 1,
      };
      return { ...event, intact: this.integrity.verifies('audit_events', eventFields(event, num(row.readOnly)), mac) };
    });
  }

  async listDigests(afterNo: number, limit: number): Promise<AuditDigestRow[]> {
    const rows = await this.sql.all<AuditDigestRow>(
      `SELECT ${DIGEST_COLUMNS} FROM audit_digests WHERE digest_no > ? ORDER BY digest_no LIMIT ?`,
      [afterNo, limit],
    );
    return rows.map(digest);
  }

  async lastDigest(): Promise<AuditDigestRow | undefined> {
    const rows = await this.sql.all<AuditDigestRow>(
      `SELECT ${DIGEST_COLUMNS} FROM audit_digests ORDER BY digest_no DESC LIMIT 1`,
      [],
    );
    return rows[0] && digest(rows[0]);
  }

  async readActivity(
    account: string,
    prefix: string,
    since: number,
    recentSince: number,
    within?: { first: string; last: string },
  ): Promise<ResourceReadRow[]> {
    const range =
      (prefix === '' ? '' : 'AND r.resource_name >= ? AND r.resource_name < ? ') +
      (within ? 'AND r.resource_name >= ? AND r.resource_name <= ?' : '');
    const rows = await this.sql.all<ResourceReadRow>(
      `SELECT r.resource_type AS "type", r.resource_name AS "name", r.principal AS "principal", COUNT(*) AS "reads",
         SUM(CASE WHEN r.event_time >= ? THEN 1 ELSE 0 END) AS "recentReads", MAX(r.event_time) AS "lastRead"
       FROM audit_resources r JOIN audit_events e ON e.seq = r.seq
       WHERE e.account = ? AND r.read_only = 1 AND r.succeeded = 1 AND r.event_time >= ? ${range}
       GROUP BY r.resource_type, r.resource_name, r.principal`,
      [
        recentSince,
        account,
        since,
        ...(prefix === '' ? [] : [prefix, prefixUpperBound(prefix)]),
        ...(within ? [within.first, within.last] : []),
      ],
    );
    return rows.map((r) => ({ ...r, reads: num(r.reads), recentReads: num(r.recentReads), lastRead: num(r.lastRead) }));
  }

  async insertEvent(row: AuditEventRow): Promise<boolean> {
    const fields = eventFields(row);
    return (
      (await this.sql.run(
        `INSERT INTO audit_events (seq, event_id, event_time, account, event_source, event_name, read_only, username,
        access_key_id,
      error_code, prev_hash, hash, principal, resources, record, mac) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
        ?, ?, ?) ON CONFLICT (event_id) DO NOTHING`,
        [...fields, row.record, this.integrity.seal('audit_events', fields)],
      )) === 1
    );
  }

  async listUnindexed(afterSeq: number, throughSeq: number): Promise<UnindexedEvent[]> {
    const rows = await this.sql.all<UnindexedEvent>(
      `SELECT seq AS "seq", event_time AS "eventTime", principal AS "principal", read_only AS "readOnly",
      error_code AS "errorCode", resources AS "resources" FROM audit_events WHERE seq > ? AND seq <= ?
        AND resources IS NOT NULL ORDER BY seq`,
      [afterSeq, throughSeq],
    );
    return rows.map((r) => ({ ...r, seq: num(r.seq), eventTime: num(r.eventTime), readOnly: num(r.readOnly) === 1 }));
  }

  async insertIndexRows(rows: readonly AuditIndexRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += INDEX_ROWS_PER_INSERT) {
      const chunk = rows.slice(i, i + INDEX_ROWS_PER_INSERT);
      await this.sql.run(
        `INSERT INTO audit_resources (resource_name, seq, position, resource_type, arn, event_time, principal,
        read_only, succeeded)
        VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
        chunk.flatMap((r) => [
          r.name,
          r.seq,
          r.position,
          r.type,
          r.arn,
          r.eventTime,
          r.principal,
          r.readOnly ? 1 : 0,
          r.succeeded ? 1 : 0,
        ]),
      );
    }
  }

  async indexedThrough(): Promise<number> {
    const rows = await this.sql.all<{ through: unknown }>(
      'SELECT indexed_through AS "through" FROM audit_index_state WHERE id = 1',
      [],
    );
    return rows[0] ? num(rows[0].through) : 0;
  }

  async setIndexedThrough(seq: number): Promise<void> {
    await this.sql.run(
      'INSERT INTO audit_index_state (id, indexed_through) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET ' +
        'indexed_through = excluded.indexed_through',
      [seq],
    );
  }

  async listIndexRows(
    after: { name: string; seq: number; position: number } | undefined,
    limit: number,
  ): Promise<AuditIndexRow[]> {
    // A row-value comparison, which both SQLite and PostgreSQL answer from the index: the same
    // condition spelt with OR made SQLite scan the index from its start for every page, so reading
    // the whole index (audit verify) took time quadratic in its size.
    const where = after ? 'WHERE (resource_name, seq, position) > (?, ?, ?)' : '';
    const rows = await this.sql.all<AuditIndexRow>(
      `SELECT ${INDEX_COLUMNS} FROM audit_resources ${where} ORDER BY resource_name, seq, position LIMIT ?`,
      [...(after ? [after.name, after.seq, after.position] : []), limit],
    );
    return rows.map((r) => ({
      ...r,
      seq: num(r.seq),
      position: num(r.position),
      eventTime: num(r.eventTime),
      readOnly: num(r.readOnly) === 1,
      succeeded: num(r.succeeded) === 1,
    }));
  }

  async insertDigest(row: AuditDigestRow): Promise<void> {
    await this.sql.run(
      `INSERT INTO audit_digests (digest_no, kind, created_at, first_seq, last_seq, head_hash, previous_hash, signature)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [row.digestNo, row.kind, row.createdAt, row.firstSeq, row.lastSeq, row.headHash, row.previousHash, row.signature],
    );
  }

  async deleteEventsThrough(seq: number): Promise<number> {
    await this.sql.run('DELETE FROM audit_resources WHERE seq <= ?', [seq]);
    return this.sql.run('DELETE FROM audit_events WHERE seq <= ?', [seq]);
  }
}

function digest(row: AuditDigestRow): AuditDigestRow {
  return {
    ...row,
    digestNo: num(row.digestNo),
    createdAt: num(row.createdAt),
    firstSeq: num(row.firstSeq),
    lastSeq: num(row.lastSeq),
  };
}
