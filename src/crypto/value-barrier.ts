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
import { OpenedValues } from './opened-values.js';

const FORMAT_V1 = 0x01;
const HEADER_BYTES = 21;

/** What a ciphertext is bound to, like a KMS encryption context. */
export type EncryptionContext = Readonly<Record<string, string>>;

/**
 * The context as AAD: keys sorted, each key and value NUL-separated. A NUL inside a key or a
 * value would make two contexts encode alike (`{a: "1\0b\0x"}` and `{a: "1", b: "x"}`), so one
 * is refused outright: callers validate first, this is the barrier's own guarantee.
 */
function contextBytes(context: EncryptionContext): Buffer {
  const keys = Object.keys(context).sort();
  if (keys.some((k) => k.includes('\u0000') || String(context[k]).includes('\u0000')))
    throw new InvalidCiphertextException('An encryption context may not contain NUL characters.');
  return Buffer.from(keys.map((k) => `${k}\u0000${context[k]}`).join('\u0000'));
}

function uuidBytes(keyId: string): Buffer {
  return Buffer.from(keyId.replace(/-/g, ''), 'hex');
}

function uuidText(bytes: Buffer): string {
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Seals and opens values; the only holder of key bytes outside the keyring. */
export class ValueBarrier {
  private readonly opened = new OpenedValues();
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
      Buffer.concat([header, contextBytes(context)]),
    );
    return Buffer.concat([header, body]);
  }

  /** The id of the logical key an envelope was sealed under (not a key byte: it is in the clear header). */
  keyIdOf(envelope: Buffer): string {
    if (envelope.length <= HEADER_BYTES || envelope[0] !== FORMAT_V1) throw new InvalidCiphertextException();
    return uuidText(envelope.subarray(1, 17));
  }

  /** Decrypts an envelope, which must have been sealed with the same context. */
  async open(envelope: Buffer, context: EncryptionContext): Promise<string> {
    return (await this.openBytes(envelope, context)).toString('utf8');
  }

  /** Decrypts an envelope to bytes. */
  async openBytes(envelope: Buffer, context: EncryptionContext): Promise<Buffer> {
    if (envelope.length <= HEADER_BYTES || envelope[0] !== FORMAT_V1) throw new InvalidCiphertextException();
    const header = envelope.subarray(0, HEADER_BYTES);
    const keyId = uuidText(header.subarray(1, 17));
    // The keyring decides first, every time, whether the key may be used.
    const key = await this.keyring.material(keyId, header.readUInt32BE(17));
    if (this.openedUnderLoad !== this.keyring.loads) {
      this.opened.clear();
      this.openedUnderLoad = this.keyring.loads;
    }
    const aad = Buffer.concat([header, contextBytes(context)]);
    const id = OpenedValues.idOf(envelope, aad);
    const known = this.opened.find(key, id);
    if (known) return known;
    const plaintext = gcmOpen(key, envelope.subarray(HEADER_BYTES), aad);
    this.opened.remember(key, id, plaintext);
    return plaintext;
  }
}
