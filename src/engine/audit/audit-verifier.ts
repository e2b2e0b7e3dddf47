/**
 * Recomputes the chain and checks the digests: from the store (where rows' MACs are checked
 * too) or from an export with nothing but the public key, so an auditor needs no master key.
 * It reports the first event that was altered, deleted, inserted or reordered.
 */
import { verifyAuditSignature } from '../../crypto/audit-signer.js';
import type { AuditDigestRow } from '../../storage/audit-rows.js';
import { chainHash, GENESIS_HASH } from './audit-chain.js';
import { digestHash, digestText } from './audit-digests.js';

/** An event as verify sees it; `intact` is known only when read from the store. */
export interface ChainedEvent {
  readonly seq: number;
  readonly eventTime: number;
  readonly prevHash: string;
  readonly hash: string;
  readonly record: string;
  readonly intact?: boolean;
}

export interface AuditProblem {
  readonly kind: 'altered' | 'deleted' | 'inserted' | 'reordered' | 'digest' | 'index';
  readonly seq?: number;
  readonly digestNo?: number;
  readonly message: string;
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly events: number;
  readonly digests: number;
  readonly firstSeq: number | undefined;
  readonly lastSeq: number | undefined;
  /** The last event a signed digest covers. */
  readonly signedThrough: number;
  /** Events after the last digest: chained, not yet signed. */
  readonly unsignedTail: number;
  readonly problem?: AuditProblem;
}

export interface VerifyOptions {
  readonly publicKeyPem: string;
  /** Only events in this time range (ms); the chain is checked from the first one in it. */
  readonly from?: number;
  readonly to?: number;
  /**
   * Check links and MACs only, not each record against its hash (the events were read without
   * their records). Enough to refuse to sign rows Coffer did not write: the MAC covers the hash,
   * so a record changed without re-hashing is caught by every later verify and lookup, and
   * re-hashing needs MACs only Coffer can make.
   */
  readonly linksOnly?: boolean;
  /** The chain is checked from here (the last signed event) instead of its start. */
  readonly after?: { readonly seq: number; readonly hash: string };
}

/** Checks the digests' signatures and links; returns the first problem, if any. */
function checkDigests(digests: readonly AuditDigestRow[], publicKeyPem: string): AuditProblem | undefined {
  let previous: AuditDigestRow | undefined;
  for (const d of digests) {
    if (!verifyAuditSignature(publicKeyPem, digestText(d), d.signature)) {
      return {
        kind: 'digest',
        digestNo: d.digestNo,
        message: `digest ${d.digestNo} is not signed by this public key (altered or forged)`,
      };
    }
    if (previous && d.digestNo !== previous.digestNo + 1) {
      return {
        kind: 'digest',
        digestNo: previous.digestNo + 1,
        message: `digest ${previous.digestNo + 1} is missing (deleted)`,
      };
    }
    const expected = previous ? digestHash(previous) : GENESIS_HASH;
    if (d.previousHash !== expected && !(previous === undefined && d.digestNo > 1)) {
      return {
        kind: 'digest',
        digestNo: d.digestNo,
        message: `digest ${d.digestNo} does not follow digest ${d.digestNo - 1}`,
      };
    }
    previous = d;
  }
  return undefined;
}

/** Verifies `events` (in seq order) against `digests` (in digest order). */
export async function verifyChain(
  events: AsyncIterable<ChainedEvent>,
  digests: readonly AuditDigestRow[],
  options: VerifyOptions,
): Promise<VerifyReport> {
  const digestProblem = checkDigests(digests, options.publicKeyPem);
  const checkpoint = digests.filter((d) => d.kind === 'checkpoint').at(-1);
  const signed = new Map(
    digests.filter((d) => d.kind === 'digest' && d.lastSeq > (checkpoint?.lastSeq ?? 0)).map((d) => [d.lastSeq, d]),
  );
  const signedThrough = digests
    .filter((d) => d.kind === 'digest')
    .reduce((m, d) => Math.max(m, d.lastSeq), checkpoint?.lastSeq ?? 0);
  let expectedSeq = options.after ? options.after.seq + 1 : checkpoint ? checkpoint.lastSeq + 1 : 1;
  let expectedPrev = options.after ? options.after.hash : checkpoint ? checkpoint.headHash : GENESIS_HASH;
  const seen = new Map<string, number>();
  let count = 0;
  let firstSeq: number | undefined;
  let lastSeq: number | undefined;
  let problem: AuditProblem | undefined = digestProblem;
  const report = (): VerifyReport => ({
    ok: problem === undefined,
    events: count,
    digests: digests.length,
    firstSeq,
    lastSeq,
    signedThrough,
    unsignedTail: lastSeq === undefined ? 0 : Math.max(0, lastSeq - signedThrough),
    ...(problem ? { problem } : {}),
  });
  if (problem) return report();
  for await (const e of events) {
    if (e.seq < expectedSeq && firstSeq === undefined && checkpoint && e.seq <= checkpoint.lastSeq) continue;
    if ((options.from !== undefined || options.to !== undefined) && e.intact === false) {
      // Its time decides whether it is in range, and nothing vouches for that time.
      problem = {
        kind: 'inserted',
        seq: e.seq,
        message:
          `event ${e.seq} was not written by Coffer: its row fails its integrity check (its time cannot be ` +
          `trusted to place it in or out of the range)`,
      };
      return report();
    }
    if (options.from !== undefined && e.eventTime < options.from) continue;
    if (options.to !== undefined && e.eventTime > options.to) break;
    if (firstSeq === undefined && options.from !== undefined) {
      // A time range starts wherever its first event is: the chain is checked from there on.
      expectedSeq = e.seq;
      expectedPrev = e.prevHash;
    }
    count++;
    firstSeq ??= e.seq;
    problem = checkEvent(e, expectedSeq, expectedPrev, seen, options.linksOnly === true);
    if (problem) return report();
    const digest = signed.get(e.seq);
    if (digest && digest.headHash !== e.hash) {
      problem = {
        kind: 'altered',
        seq: e.seq,
        digestNo: digest.digestNo,
        message:
          `events ${digest.firstSeq}-${digest.lastSeq} do not match signed digest ${digest.digestNo}: ` +
          `rewritten after it was signed`,
      };
      return report();
    }
    seen.set(e.hash, e.seq);
    if (seen.size > 100_000) seen.clear();
    lastSeq = e.seq;
    expectedSeq = e.seq + 1;
    expectedPrev = e.hash;
  }
  if (
    options.to === undefined &&
    signedThrough >= expectedSeq &&
    (lastSeq !== undefined || signedThrough > (checkpoint?.lastSeq ?? 0))
  ) {
    problem = {
      kind: 'deleted',
      seq: expectedSeq,
      message: `events ${expectedSeq}-${signedThrough}, covered by a signed digest, are missing (deleted)`,
    };
  }
  return report();
}

function checkEvent(
  e: ChainedEvent,
  expectedSeq: number,
  expectedPrev: string,
  seen: ReadonlyMap<string, number>,
  linksOnly: boolean,
): AuditProblem | undefined {
  if (e.seq < expectedSeq)
    return { kind: 'inserted', seq: e.seq, message: `event ${e.seq} appears twice or out of order (inserted)` };
  if (e.seq > expectedSeq) {
    return {
      kind: 'deleted',
      seq: expectedSeq,
      message:
        `event${e.seq - expectedSeq > 1 ? `s ${expectedSeq}-${e.seq - 1} are` : ` ${expectedSeq} is`} missing ` +
        `(deleted)`,
    };
  }
  if (!linksOnly && chainHash(e.seq, e.prevHash, e.record) !== e.hash) {
    for (let shift = 1; shift <= 3; shift++) {
      if (chainHash(e.seq - shift, e.prevHash, e.record) === e.hash) {
        return {
          kind: 'inserted',
          seq: e.seq - shift,
          message: `event ${e.seq} was event ${e.seq - shift}: ${shift} event(s) were inserted before it`,
        };
      }
    }
    return { kind: 'altered', seq: e.seq, message: `event ${e.seq} was altered: its hash does not match its content` };
  }
  if (e.prevHash !== expectedPrev) {
    const earlier = seen.get(e.prevHash);
    if (earlier !== undefined)
      return {
        kind: 'reordered',
        seq: e.seq,
        message: `event ${e.seq} follows event ${earlier}, not ${e.seq - 1} (reordered)`,
      };
    return {
      kind: 'inserted',
      seq: e.seq,
      message: `event ${e.seq} does not follow event ${e.seq - 1}: an event was inserted or replaced there`,
    };
  }
  // Chained correctly yet not sealed by Coffer's row key: made outside Coffer, hash and all.
  if (e.intact === false)
    return {
      kind: 'inserted',
      seq: e.seq,
      message:
        `event ${e.seq} was not written by Coffer: its row fails its integrity check (inserted, or altered ` +
        `and re-hashed)`,
    };
  return undefined;
}
