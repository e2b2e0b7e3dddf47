/**
 * The keyring's generation: a counter in the store's meta table that every keyring write bumps
 * in its own transaction, so a process that keeps the keyring in memory can tell when another
 * process (a worker of `coffer serve --workers N`) changed a key, an alias or a key's state.
 */
import type { StorageReader, StorageWriter } from '../storage/storage.js';

const GENERATION_META_KEY = 'keyring-generation';

async function keyringGeneration(reader: StorageReader): Promise<number> {
  const value = await reader.getMeta(GENERATION_META_KEY);
  return value ? Number(value.toString('utf8')) : 0;
}

/** Bumps the generation inside `tx` (every keyring write does). */
export async function bumpKeyringGeneration(tx: StorageWriter): Promise<void> {
  await tx.putMeta(GENERATION_META_KEY, Buffer.from(String((await keyringGeneration(tx)) + 1)));
}

/** Reads the stored generation at most once per `refreshMs` (between reads, the last one read). */
export class KeyringGenerationWatch {
  private last: number | undefined;
  private checkedAt = 0;

  constructor(
    private readonly storage: StorageReader,
    private readonly refreshMs: number,
  ) {}

  /** The store's keyring generation, as last read (read again once `refreshMs` has passed). */
  async stored(): Promise<number> {
    const now = Date.now();
    if (this.last === undefined || now - this.checkedAt >= this.refreshMs) {
      this.checkedAt = now;
      this.last = await keyringGeneration(this.storage);
    }
    return this.last;
  }
}
