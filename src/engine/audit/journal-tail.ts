/**
 * Chains what the audit journal holds (storage/audit-journal.ts), on the ledger's thread: this
 * process's journal as it grows, and the journals of processes that stopped (a crash's), whose
 * events may have been chained already in part, so theirs join only if not there yet.
 */
import type { AuditJournalReader, JournalRead } from '../../storage/audit-journal.js';
import { journalEntry, type LedgerEntry } from './audit-chain.js';
import type { AuditLedger } from './audit-ledger.js';

/** Lines a journal held that could not be chained: forged, changed, or not events. */
export class JournalRefusedError extends Error {
  readonly code = 'AUDIT_JOURNAL_REFUSED';
  constructor(
    readonly instance: string,
    readonly forged: number,
    readonly malformed: number,
  ) {
    super(
      `the audit journal ${instance} held ${forged} batch(es) that do not match their integrity check and ` +
        `${malformed} with lines that are no events: they were changed outside Coffer, and are not chained`,
    );
    this.name = 'JournalRefusedError';
  }
}

export class JournalTail {
  private running: Promise<void> | undefined;
  private again = false;
  /** Read from this process's journal, not chained yet (the last append failed): they go first next time. */
  private unchained: LedgerEntry[] = [];
  private finished: (() => void)[] = [];

  constructor(
    private readonly ledger: AuditLedger,
    private readonly own: AuditJournalReader,
    private readonly onRefused: (error: JournalRefusedError) => void,
  ) {}

  /** Chains everything appended to this process's journal so far; concurrent callers share a run (and one more after
   * it). */
  catchUp(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.chainOwn();
        } while (this.again);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** Chains what is left and removes this process's journal, after a commit that waits for the disk (its shutdown). */
  async finish(): Promise<void> {
    await this.catchUp();
    await this.ledger.sync();
    this.own.removeAll();
  }

  /**
   * Chains a stopped process's journal (what is there already is skipped), then removes it, or,
   * if it held batches changed outside Coffer, moves it aside as evidence. A failure leaves it
   * for another try, with a new reader from its start.
   */
  async adopt(orphan: AuditJournalReader): Promise<void> {
    const read = orphan.read();
    const entries = this.entries(orphan.instance, read);
    await this.ledger.append(entries, false);
    // Removed only once what was taken from it is on disk.
    await this.ledger.sync();
    if (read.refused > 0 || entries.rejected > 0) orphan.quarantine();
    else orphan.removeAll();
  }

  private async chainOwn(): Promise<void> {
    const read = this.own.read();
    // One call, so one transaction: all of these are chained, or none is.
    const entries = [...this.unchained, ...this.entries(this.own.instance, read)];
    this.finished.push(read.done);
    this.unchained = entries;
    await this.ledger.append(entries, false);
    this.unchained = [];
    // Files read to their end are deleted only once what they held is on disk.
    if (read.finished > 0) await this.ledger.sync();
    for (const done of this.finished.splice(0)) done();
  }

  /** The entries of a read's batches; a batch with a line that is not an event is refused whole. */
  private entries(instance: string, read: JournalRead): LedgerEntry[] & { rejected: number } {
    const entries: LedgerEntry[] = [];
    let rejected = 0;
    for (const batch of read.batches) {
      const parsed = batch.map(journalEntry);
      if (parsed.every((e): e is LedgerEntry => e !== undefined)) entries.push(...parsed);
      else rejected++;
    }
    if (read.refused > 0 || rejected > 0) this.onRefused(new JournalRefusedError(instance, read.refused, rejected));
    return Object.assign(entries, { rejected });
  }
}
