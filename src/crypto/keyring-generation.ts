/**
 * The keyring's generation: a counter in the store's meta table that every keyring write bumps
 * in its own transaction, so a process that keeps the keyring in memory can tell when another
 * process (a worker of `coffer serve --workers N`) changed a key, an alias or a key's state.
 */
import { bumpCounter, readCounter } from '../storage/meta-counters.js';
import type { StorageReader, StorageWriter } from '../storage/storage.js';

const GENERATION_META_KEY = 'keyring-generation';

/** Bumps the generation inside `tx` (every keyring write does). */
export async function bumpKeyringGeneration(tx: StorageWriter): Promise<void> {
  await bumpCounter(tx, GENERATION_META_KEY);
}

/**
 * Keeps a process's keyring in step with the store's generation, read at most once per
 * `refreshMs`. A generation counts as seen only once a reload succeeded: a failed one is tried
 * again by the next lookup, which fails with it (closed) rather than use keys another process
 * may have disabled. Lookups arriving during a reload wait for it.
 */
export class KeyringFollower {
  private last: number | undefined;
  private checkedAt = 0;
  /** The stored generation the keys in memory were last loaded at (undefined: not known yet). */
  private seen: number | undefined;
  /** The reload in progress, which concurrent lookups share. */
  private reloading: Promise<void> | undefined;

  constructor(
    private readonly storage: StorageReader,
    private readonly refreshMs: number,
    private readonly reload: () => Promise<void>,
  ) {}

  /** Reloads when the stored generation is not the one last loaded. */
  async freshen(): Promise<void> {
    const stored = await this.stored();
    // A reload begun before `stored` was read may have read older keys: wait, and look again.
    while (this.reloading) await this.reloading;
    if (stored === this.seen) return;
    this.reloading = this.reload()
      .then(() => {
        this.seen = stored;
      })
      .finally(() => {
        this.reloading = undefined;
      });
    await this.reloading;
  }

  private async stored(): Promise<number> {
    const now = Date.now();
    if (this.last === undefined || now - this.checkedAt >= this.refreshMs) {
      this.checkedAt = now;
      this.last = await readCounter(this.storage, GENERATION_META_KEY);
    }
    return this.last;
  }
}
