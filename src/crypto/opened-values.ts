/**
 * What the barrier opened lately, so that reading the same sealed value again (the same
 * parameter or secret version, read over and over) skips the AES-GCM work.
 *
 * Sound because AES-GCM opening is a function of key, envelope and AAD: an entry is found only
 * by the exact envelope bytes and AAD it was opened with, and used only while the key material
 * that opened it is the very one the keyring hands out now (a reloaded keyring misses). The
 * keyring still decides on every read whether the key may be used (disabled, pending deletion).
 * Only values that authenticated enter. The price: recently read plaintexts stay in this
 * process's memory a while longer (the keys that open them are in it anyway); bounded in bytes,
 * values over 4 KB never enter, and the oldest leave first.
 */
const MAX_VALUE_BYTES = 4096;
const MAX_TOTAL_BYTES = 4 * 1024 * 1024;
/** What an entry costs beyond its id and plaintext (the entry, the map's slot, the Buffer's header). */
const ENTRY_OVERHEAD_BYTES = 160;

interface Opened {
  readonly key: Buffer;
  readonly plaintext: Buffer;
}

export class OpenedValues {
  private readonly entries = new Map<string, Opened>();
  private bytes = 0;

  /**
   * The id of an (envelope, context) pair: computed once per open, for find and then remember.
   * The context is the AAD's text (value-barrier.ts), and the AAD's header is the envelope's own.
   */
  static idOf(envelope: Buffer, context: string): string {
    // latin1 maps each byte to one character, and the envelope's length, written first, says
    // where the context begins: two different pairs never give the same id. (Two texts that
    // encode to the same AAD bytes, lone surrogates, give two ids: a miss, never a wrong hit.)
    return `${envelope.length}:${envelope.toString('latin1')}${context}`;
  }

  /**
   * The plaintext `key` opened from the pair `id` names, if it is remembered: the remembered
   * Buffer itself, which the caller decodes or copies and never hands out or changes.
   */
  find(key: Buffer, id: string): Buffer | undefined {
    const entry = this.entries.get(id);
    return entry && entry.key === key ? entry.plaintext : undefined;
  }

  /** Remembers a plaintext that authenticated under `key`. */
  remember(key: Buffer, id: string, plaintext: Buffer): void {
    if (plaintext.length > MAX_VALUE_BYTES) return;
    const previous = this.entries.get(id);
    if (previous) {
      this.entries.delete(id);
      this.bytes -= previous.plaintext.length + id.length + ENTRY_OVERHEAD_BYTES;
    }
    this.entries.set(id, { key, plaintext: Buffer.from(plaintext) });
    this.bytes += plaintext.length + id.length + ENTRY_OVERHEAD_BYTES;
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= MAX_TOTAL_BYTES) break;
      this.entries.delete(oldest);
      this.bytes -= entry.plaintext.length + oldest.length + ENTRY_OVERHEAD_BYTES;
    }
  }

  /** How many values are remembered. */
  get size(): number {
    return this.entries.size;
  }

  /** Forgets everything: the keyring reloaded, so no entry's key material is handed out any more. */
  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }
}
