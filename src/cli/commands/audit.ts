/**
 * `coffer audit ...`: the audit trail for people. tail [-f] and search (by name or prefix, user,
 * action, denied only, time range; --json) work on the embedded store or on a server through
 * LookupEvents; export (JSON lines with the chain and the signed digests), verify and
 * public-key work on a store, and verify also on an export with only the public key.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createReadStream } from 'node:fs';
import { verifyChain, type ChainedEvent, type VerifyReport } from '../../engine/audit/audit-verifier.js';
import type { AuditDigestRow } from '../../storage/audit-rows.js';
import type { AuditEntry, AuditFilter } from '../audit-operations.js';
import { UsageError, type CliCommand, type CliIo, type OptionSpecs } from '../cli-command.js';
import { parseOptions } from '../parse-options.js';

const USAGE =
  'coffer audit tail [-n N] [-f] [--json] | audit search [--name NAME | --prefix P] [--user U] [--action A] ' +
  '[--denied] ' +
  '[--since T] [--until T] [--limit N] [--json] | audit export [--format jsonl] [--since T] [--until T] [--out FILE] ' +
  '| ' +
  'audit verify [--since T] [--until T] [--file EXPORT --public-key PEM_FILE] | audit public-key ' +
  '(--from and --to are --since and --until)';

/** A time: ISO 8601, or an age like 15m, 2h, 7d. */
export function parseTime(text: string | undefined, now = Date.now()): number | undefined {
  if (text === undefined) return undefined;
  const age = /^(\d+)([smhd])$/.exec(text);
  if (age)
    return now - Number(age[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[age[2] as 's' | 'm' | 'h' | 'd'];
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new UsageError(`${text} is not a time (ISO 8601, or an age like 15m, 2h, 7d)`);
  return ms;
}

/** Text from the trail as a terminal may show it: control characters (escapes, newlines) made visible. */
const printable = (text: string) =>
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this escapes for the terminal
  text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

function line(entry: AuditEntry): string {
  const r = entry.record as {
    eventTime?: string;
    eventSource?: string;
    eventName?: string;
    errorCode?: string;
    userIdentity?: { arn?: string; type?: string; accessKeyId?: string };
    sourceIPAddress?: string;
  };
  const who =
    r.userIdentity?.arn ??
    `${r.userIdentity?.type ?? 'Unknown'}${r.userIdentity?.accessKeyId ? ` ${r.userIdentity.accessKeyId}` : ''}`;
  const service = String(r.eventSource ?? '').replace('.amazonaws.com', '');
  const names = entry.resourceNames.length ? `  ${entry.resourceNames.join(' ')}` : '';
  const text = [
    r.eventTime,
    `${service}:${r.eventName}`,
    r.errorCode ?? 'OK',
    who,
    `${r.sourceIPAddress ?? ''}${names}`,
  ].join('  ');
  return `${printable(text)}\n`;
}

function show(io: CliIo, entries: readonly AuditEntry[], json: boolean): void {
  // Oldest first on screen, as a log reads.
  const ordered = [...entries].reverse();
  io.out(json ? ordered.map((e) => `${JSON.stringify(e.record)}\n`).join('') : ordered.map(line).join(''));
}

function report(io: CliIo, result: VerifyReport): number {
  if (!result.ok) {
    io.out(`FAILED: ${result.problem!.message}\n`);
    return 1;
  }
  io.out(
    `ok: ${result.events} events${result.firstSeq !== undefined ? ` (${result.firstSeq}-${result.lastSeq})` : ''}, ` +
      `${result.digests} signed digests; ` +
      `signed through event ` +
      `${result.signedThrough}${result.unsignedTail ? `, ${result.unsignedTail} newer events not yet signed` : ''}\n`,
  );
  return 0;
}

/** Verifies an export file (JSON lines from `audit export`) with a public key alone. */
async function verifyExport(
  file: string,
  publicKeyPem: string,
  range: { from?: number; to?: number },
): Promise<VerifyReport> {
  const digests: AuditDigestRow[] = [];
  const events: ChainedEvent[] = [];
  for await (const text of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    if (text.trim() === '') continue;
    let item: { type?: string } & Record<string, unknown>;
    try {
      item = JSON.parse(text) as typeof item;
    } catch {
      throw new Error(`${file}: a line is not JSON`);
    }
    if (item.type === 'digest') digests.push(item as unknown as AuditDigestRow);
    else if (item.type === 'event') events.push(item as unknown as ChainedEvent);
  }
  digests.sort((a, b) => a.digestNo - b.digestNo);
  // Lines may be moved about in a file; their sequence numbers say where they belong.
  events.sort((a, b) => a.seq - b.seq);
  async function* each() {
    yield* events;
  }
  return verifyChain(each(), digests, { publicKeyPem, ...range });
}

const OPTIONS = {
  n: { type: 'string', short: 'n', value: 'N', description: 'tail: how many events (20 by default)' },
  follow: { type: 'boolean', short: 'f', description: 'tail: keep printing new events' },
  json: { type: 'boolean', description: 'tail, search: one JSON record a line' },
  name: { type: 'string', value: 'NAME', description: 'search: events of this parameter or secret' },
  prefix: { type: 'string', value: 'P', description: 'search: events of names under this prefix' },
  user: { type: 'string', value: 'U', description: 'search: events of this user (a name, an ARN, or root)' },
  action: { type: 'string', value: 'A', description: 'search: events of this action (GetParameter...)' },
  denied: { type: 'boolean', description: 'search: denied requests only' },
  since: { type: 'string', value: 'T', description: 'from this time: ISO 8601, or an age (15m, 2h, 7d)' },
  until: { type: 'string', value: 'T', description: 'up to this time' },
  // --from/--to are the same as --since/--until (CloudTrail's and the issue's words for a range).
  from: { type: 'string', value: 'T', description: 'the same as --since' },
  to: { type: 'string', value: 'T', description: 'the same as --until' },
  limit: { type: 'string', value: 'N', description: 'search: at most N events (100 by default)' },
  format: { type: 'string', value: 'jsonl', description: 'export: the format (JSON lines)' },
  out: { type: 'string', value: 'FILE', description: 'export: write to FILE (0600) instead of standard output' },
  file: { type: 'string', value: 'EXPORT', description: 'verify: an export, instead of the store' },
  'public-key': {
    type: 'string',
    value: 'PEM_FILE',
    description: "verify --file: the trail's public key (coffer audit public-key)",
  },
} as const satisfies OptionSpecs;

export const auditCommand: CliCommand = {
  name: 'audit',
  summary: 'the audit trail: tail, search, export, verify the hash chain and signed digests, the public key',
  usage: USAGE,
  options: OPTIONS,
  examples: [
    'coffer audit tail -n 50 -f',
    'coffer audit search --name /prod/db/password --since 7d',
    'coffer audit search --denied --json',
    'coffer audit export --out trail.jsonl && coffer audit public-key > audit.pem',
    'coffer audit verify --file trail.jsonl --public-key audit.pem',
  ],
  async run(args, session, io) {
    const [action, ...rest] = args;
    const { values, positionals } = parseOptions(rest, OPTIONS);
    if (positionals.length > 0) throw new UsageError(USAGE);
    if ((values.since && values.from) || (values.until && values.to))
      throw new UsageError('--from is --since and --to is --until: give one of each');
    const since = values.since ?? values.from;
    const until = values.until ?? values.to;
    const range = { ...(since ? { from: parseTime(since)! } : {}), ...(until ? { to: parseTime(until)! } : {}) };
    const count = (text: string | undefined, fallback: number) => {
      const n = Number(text ?? fallback);
      if (!Number.isInteger(n) || n < 1 || n > 100_000)
        throw new UsageError('a count is a whole number from 1 to 100000');
      return n;
    };
    switch (action) {
      case 'tail':
      case 'search': {
        const audit = await session.audit();
        const filter: AuditFilter = {
          limit: count(action === 'tail' ? values.n : values.limit, action === 'tail' ? 20 : 100),
          ...(values.name ? { name: values.name } : {}),
          ...(values.prefix ? { prefix: values.prefix } : {}),
          ...(values.user ? { user: values.user } : {}),
          ...(values.action ? { action: values.action } : {}),
          ...(values.denied ? { deniedOnly: true } : {}),
          ...(range.from !== undefined ? { since: range.from } : {}),
          ...(range.to !== undefined ? { until: range.to } : {}),
        };
        const first = await audit.search(filter);
        show(io, first, values.json === true);
        if (action !== 'tail' || values.follow !== true) return 0;
        return follow(io, audit, filter, first, values.json === true);
      }
      case 'export': {
        if ((values.format ?? 'jsonl') !== 'jsonl') throw new UsageError('--format is jsonl');
        const coffer = await session.open();
        const lines: string[] = [];
        for await (const l of coffer.audit.exportLines(range)) lines.push(`${l}\n`);
        if (values.out) writeFileSync(values.out, lines.join(''), { mode: 0o600 });
        else io.out(lines.join(''));
        return 0;
      }
      case 'verify': {
        if (values.file) {
          if (!values['public-key'])
            throw new UsageError('verify --file needs --public-key (the PEM `coffer audit public-key` printed)');
          return report(io, await verifyExport(values.file, readFileSync(values['public-key'], 'utf8'), range));
        }
        return report(io, await (await session.open()).audit.verify(range));
      }
      case 'public-key':
        io.out((await session.open()).audit.publicKeyPem);
        return 0;
      default:
        throw new UsageError(USAGE);
    }
  },
};

/** tail -f: polls every second for newer events until interrupted. */
async function follow(
  io: CliIo,
  audit: { search(f: AuditFilter): Promise<AuditEntry[]> },
  filter: AuditFilter,
  first: AuditEntry[],
  json: boolean,
): Promise<number> {
  let lastSeq = first[0]?.seq;
  let since = first[0]?.time ?? Date.now();
  const seen = new Set(first.map((e) => String(e.record.eventID)));
  let stopped = false;
  const stop = () => {
    stopped = true;
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  while (!stopped) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const found = (
      await audit.search({ ...filter, limit: 1000, since, ...(lastSeq !== undefined ? { afterSeq: lastSeq } : {}) })
    ).filter((e) => !seen.has(String(e.record.eventID)));
    for (const e of found) seen.add(String(e.record.eventID));
    if (seen.size > 100_000) seen.clear();
    show(io, found, json);
    if (found[0]) {
      lastSeq = found[0].seq ?? lastSeq;
      since = found[0].time;
    }
  }
  return 0;
}
