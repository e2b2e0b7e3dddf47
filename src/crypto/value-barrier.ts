/**
 * The barrier: seals values under logical keys and opens them again, bound to where they live.
 *
 * Envelope layout (version 1):
 *   0x01 | key id (16 bytes, the UUID) | generation (uint32 BE) | nonce (12) | ciphertext | tag (16)
 * The AAD is the 21-byte header followed by the encryption context, canonicalised (keys sorted,
 * NUL-separated). The engine puts account, region, name and version in the context, so a
 * ciphertext copied to another row, name or version fails to open.
 */
import { gcmOpen, gcmSeal } from './aes-gcm.js';
import { InvalidCiphertextException } from './errors.js';
import type { Keyring } from './keyring.js';
import { ReadAgainFilter } from '../storage/read-again-filter.js';
import { OpenedValues } from './opened-values.js';

const FORMAT_V1 = 0x01;
const HEADER_BYTES = 21;

/** What a ciphertext is bound to, like a KMS encryption context. */
export type EncryptionContext = Readonly<Record<string, string>>;

/**
 * The context as the AAD's text: keys sorted, each key and value NUL-separated. A NUL inside a
 * key or a value would make two contexts encode alike (`{a: "1\0b\0x"}` and `{a: "1", b: "x"}`),
 * so one is refused outright: callers validate first, this is the barrier's own guarantee.
 */
function contextText(context: EncryptionContext): string {
  const keys = Object.keys(context).sort();
  let text = '';
  for (const [i, k] of keys.entries()) {
    const value = String(context[k]);
    if (k.includes('\u0000') || value.includes('\u0000'))
      throw new InvalidCiphertextException('An encryption context may not contain NUL characters.');
    text += `${i === 0 ? '' : '\u0000'}${k}\u0000${value}`;
  }
  return text;
}

/** The AAD: the envelope's header, then the context's text. */
function aadOf(header: Buffer, context: string): Buffer {
  return Buffer.concat([header, Buffer.from(context)]);
}

function uuidBytes(keyId: string): Buffer {
  return Buffer.from(keyId.replace(/-/g, ''), 'hex');
}

/** The key id in an envelope's header (bytes 1-16), as UUID text. */
function keyIdText(envelope: Buffer): string {
  const h = envelope.toString('hex', 1, 17);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Seals and opens values; the only holder of key bytes outside the keyring. */
export class ValueBarrier {
  private readonly opened = new OpenedValues();
  /** What was opened once lately: a value is remembered when opened a second time. */
  private readonly readAgain = new ReadAgainFilter();
  /** The keyring load the remembered values were opened under: a reload forgets them (and the old material). */
  private openedUnderLoad = -1;
  constructor(private readonly keyring: Keyring) {}

  /** Encrypts `plaintext` under the current generation of logical key `keyId`. */
  seal(plaintext: string | Buffer, keyId: string, context: EncryptionContext): Buffer {
    const { generation, bytes } = this.keyring.currentMaterial(keyId);
    const header = Buffer.alloc(HEADER_BYTES);
    header[0] = FORMAT_V1;
    uuidBytes(keyId).copy(header, 1);
    header.writeUInt32BE(generation, 17);
    const body = gcmSeal(
      bytes,
      typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext,
      aadOf(header, contextText(context)),
    );
    return Buffer.concat([header, body]);
  }

  /** The id of the logical key an envelope was sealed under (not a key byte: it is in the clear header). */
  keyIdOf(envelope: Buffer): string {
    if (envelope.length <= HEADER_BYTES || envelope[0] !== FORMAT_V1) throw new InvalidCiphertextException();
    return keyIdText(envelope);
  }

  /** Decrypts an envelope, which must have been sealed with the same context. */
  async open(envelope: Buffer, context: EncryptionContext): Promise<string> {
    const found = await this.lookUp(envelope, context);
    return found.known?.toString('utf8') ?? this.openNew(envelope, found).toString('utf8');
  }

  /** Decrypts an envelope to bytes (the caller's own copy). */
  async openBytes(envelope: Buffer, context: EncryptionContext): Promise<Buffer> {
    const found = await this.lookUp(envelope, context);
    return found.known ? Buffer.from(found.known) : this.openNew(envelope, found);
  }

  /**
   * The key material for an envelope, after the keyring has decided, every time, that the key
   * may be used; the context's text, taken once (the id and the AAD both come from it); and the
   * plaintext if it was opened before (remembered: never handed out as is).
   */
  private async lookUp(envelope: Buffer, context: EncryptionContext): Promise<Lookup> {
    if (envelope.length <= HEADER_BYTES || envelope[0] !== FORMAT_V1) throw new InvalidCiphertextException();
    // The keyring decides first, every time, whether the key may be used.
    const key = await this.keyring.material(keyIdText(envelope), envelope.readUInt32BE(17));
    const text = contextText(context);
    if (this.openedUnderLoad !== this.keyring.loads) {
      this.opened.clear();
      this.openedUnderLoad = this.keyring.loads;
    }
    const id = OpenedValues.idOf(envelope, text);
    return { text, id, key, known: this.opened.find(key, id) };
  }

  private openNew(envelope: Buffer, { text, id, key }: Lookup): Buffer {
    const plaintext = gcmOpen(key, envelope.subarray(HEADER_BYTES), aadOf(envelope.subarray(0, HEADER_BYTES), text));
    // The envelope ends with its GCM tag, which authenticated: its last four bytes are as random as any.
    if (this.readAgain.seenBefore(envelope.readUInt32LE(envelope.length - 4))) this.opened.remember(key, id, plaintext);
    return plaintext;
  }
}

/** What `lookUp` found for one open. */
interface Lookup {
  readonly text: string;
  readonly id: string;
  readonly key: Buffer;
  readonly known: Buffer | undefined;
}
