/**
 * What this process appended to the chain and saw committed, as runs of consecutive seqs. A
 * seal whose whole range is one such run, ending at the chain's head with the hash this
 * process computed, signs that hash without reading a row back: the hash commits to every event
 * before it, so the digest pins the chain as it was written, and any row changed since fails
 * every later verify against it. Anything else (events another node appended, an action's own
 * transaction whose commit the trail does not see) leaves a gap, and the seal checks the rows.
 */
import type { ChainRun } from './audit-chain.js';

/** Runs kept at most: commits seen out of order merge back as the gaps between them fill. */
const MAX_RUNS = 64;

export class OwnAppends {
  private runs: ChainRun[] = [];

  /** A committed append. */
  add(run: ChainRun): void {
    // The usual case, once per group commit: the append right after the newest run.
    const newest = this.runs.at(-1);
    if (newest && run.firstSeq === newest.lastSeq + 1) {
      this.runs[this.runs.length - 1] = { firstSeq: newest.firstSeq, lastSeq: run.lastSeq, lastHash: run.lastHash };
      return;
    }
    const runs = [...this.runs, run].sort((a, b) => a.firstSeq - b.firstSeq);
    const merged: ChainRun[] = [];
    for (const r of runs) {
      const last = merged.at(-1);
      if (last && r.firstSeq === last.lastSeq + 1)
        merged[merged.length - 1] = { firstSeq: last.firstSeq, lastSeq: r.lastSeq, lastHash: r.lastHash };
      else if (last && r.firstSeq <= last.lastSeq) {
        // Overlapping seqs: not one chain any more (a reset store).
        this.clear();
        return;
      } else merged.push(r);
    }
    this.runs = merged.slice(-MAX_RUNS);
  }

  /** Whether this process appended every event from `firstSeq` through `head`, ending with `head`'s hash. */
  covers(firstSeq: number, head: { seq: number; hash: string }): boolean {
    return this.runs.some((r) => r.firstSeq <= firstSeq && r.lastSeq === head.seq && r.lastHash === head.hash);
  }

  /** Forgets runs wholly before `seq` (signed already). */
  forgetBefore(seq: number): void {
    this.runs = this.runs.filter((r) => r.lastSeq >= seq);
  }

  clear(): void {
    this.runs = [];
  }
}
