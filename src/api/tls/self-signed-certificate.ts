/**
 * A self-signed certificate for `coffer serve --tls-self-signed`: an ECDSA P-256 key and an
 * X.509 v3 certificate for localhost, the loopback addresses and the host's name, marked as its
 * own CA so the AWS CLI, boto3 (`verify=`) and the SDKs accept it as a trust anchor. Node signs
 * and parses certificates but does not build them, and the libraries that do pull in a dozen
 * packages and a global polyfill; the DER below is the few structures RFC 5280 needs.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, X509Certificate } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
}

const sequence = (...items: Buffer[]) => tlv(0x30, ...items);
const explicit = (n: number, item: Buffer) => tlv(0xa0 + n, item);
const octets = (data: Buffer) => tlv(0x04, data);
const bits = (data: Buffer, unused = 0) => tlv(0x03, Buffer.from([unused]), data);

function integer(value: Buffer): Buffer {
  let v = value;
  while (v.length > 1 && v[0] === 0 && v[1]! < 0x80) v = v.subarray(1);
  return tlv(0x02, v[0]! >= 0x80 ? Buffer.concat([Buffer.from([0]), v]) : v);
}

function oid(text: string): Buffer {
  const [a, b, ...rest] = text.split('.').map(Number);
  const out = [a! * 40 + b!];
  for (const n of rest) {
    const chunk: number[] = [n & 0x7f];
    for (let v = n >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  // UTCTime until 2049, GeneralizedTime from 2050 (RFC 5280 4.1.2.5).
  return date.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`)) : tlv(0x18, Buffer.from(`${iso}Z`));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return sequence(oid(id), ...(critical ? [tlv(0x01, Buffer.from([0xff]))] : []), octets(value));
}

function ipBytes(address: string): Buffer {
  if (isIPv4(address)) return Buffer.from(address.split('.').map(Number));
  const [head = '', tail = ''] = address.split('::');
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const left = groups(head);
  const right = address.includes('::') ? groups(tail) : [];
  const all = [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return Buffer.concat(
    all.map((g) => {
      const b = Buffer.alloc(2);
      b.writeUInt16BE(parseInt(g, 16));
      return b;
    }),
  );
}

/** A key and certificate in PEM, and the certificate's SHA-256 fingerprint. */
export interface SelfSignedCertificate {
  readonly keyPem: string;
  readonly certPem: string;
  readonly fingerprint256: string;
}

/** Makes a key and a certificate valid for `names` (DNS names and IP addresses) for `days` days. */
export function selfSignedCertificate(names: readonly string[], days = 825, now = new Date()): SelfSignedCertificate {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const ecdsaSha256 = sequence(oid('1.2.840.10045.4.3.2'));
  const name = sequence(tlv(0x31, sequence(oid('2.5.4.3'), tlv(0x0c, Buffer.from('Coffer self-signed')))));
  const altNames = names.map((n) =>
    isIPv4(n) || isIPv6(n) ? tlv(0x87, ipBytes(n)) : tlv(0x82, Buffer.from(n, 'ascii')),
  );
  const keyId = createHash('sha1').update(spki).digest();
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))),
    integer(randomBytes(16)),
    ecdsaSha256,
    name,
    sequence(time(new Date(now.getTime() - 60_000)), time(new Date(now.getTime() + days * 86_400_000))),
    name,
    spki,
    explicit(
      3,
      sequence(
        extension('2.5.29.19', true, sequence(tlv(0x01, Buffer.from([0xff])))),
        // digitalSignature (bit 0) and keyCertSign (bit 5).
        extension('2.5.29.15', true, bits(Buffer.from([0x84]), 2)),
        extension('2.5.29.37', false, sequence(oid('1.3.6.1.5.5.7.3.1'))),
        extension('2.5.29.17', false, sequence(...altNames)),
        extension('2.5.29.14', false, octets(keyId)),
      ),
    ),
  );
  const signature = sign('sha256', tbs, { key: privateKey, dsaEncoding: 'der' });
  const der = sequence(tbs, ecdsaSha256, bits(signature));
  const certPem = `-----BEGIN CERTIFICATE-----\n${der
    .toString('base64')
    .match(/.{1,64}/g)!
    .join('\n')}\n-----END CERTIFICATE-----\n`;
  const certificate = new X509Certificate(certPem);
  if (!certificate.verify(publicKey) || !certificate.checkPrivateKey(privateKey))
    throw new Error('the self-signed certificate does not verify');
  return {
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    certPem,
    fingerprint256: certificate.fingerprint256,
  };
}
