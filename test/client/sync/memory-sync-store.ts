/**
 * An in-memory SyncStore for the sync tests: capabilities of choice, a count of writes per
 * name (to prove reruns write nothing twice), and failures on demand (after N writes, or a
 * scripted list of errors before each write succeeds).
 */
import type { SyncCapabilities, SyncEntry, SyncStore } from '../../../src/client/sync/index.js';

export const ALL: SyncCapabilities = {
  binary: true,
  encrypted: true,
  types: true,
  description: true,
  tags: true,
  tier: true,
  keyId: true,
};

export class MemorySyncStore implements SyncStore {
  readonly entries = new Map<string, SyncEntry>();
  readonly writes = new Map<string, number>();
  /** Writes left before every further write fails (the destination "goes down"); unlimited when undefined. */
  failAfter: number | undefined;
  /** Errors thrown by the next writes, one each, before they succeed. */
  readonly transient: Error[] = [];

  constructor(
    readonly label: string,
    entries: SyncEntry[] = [],
    readonly capabilities: SyncCapabilities = ALL,
  ) {
    for (const entry of entries) this.entries.set(entry.name, entry);
  }

  async list(): Promise<SyncEntry[]> {
    return [...this.entries.values()].map((e) => ({ ...e }));
  }

  private write(name: string): void {
    const error = this.transient.shift();
    if (error) throw error;
    if (this.failAfter !== undefined) {
      if (this.failAfter <= 0) throw new Error('the destination went away');
      this.failAfter--;
    }
    this.writes.set(name, (this.writes.get(name) ?? 0) + 1);
  }

  async put(entry: SyncEntry): Promise<void> {
    this.write(entry.name);
    this.entries.set(entry.name, { ...entry });
  }

  async remove(name: string): Promise<void> {
    this.write(name);
    this.entries.delete(name);
  }
}
