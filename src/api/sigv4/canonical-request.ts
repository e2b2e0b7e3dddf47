/**
 * The SigV4 canonical request and string to sign, one small function per part, as the AWS
 * specification defines them (and as @smithy/signature-v4 builds them; the tests check both
 * against each other and against AWS's published test-suite vectors).
 */
import { createHash } from 'node:crypto';
import { MalformedQueryString } from '../wire-errors.js';

/** RFC 3986 encoding as SigV4 wants it: everything but A-Z a-z 0-9 - _ . ~ is %XX. */
export function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The canonical URI for every service but S3: each segment of the path as received, encoded
 * once more (clients encode the path, then the signer encodes it again).
 */
export function canonicalUri(path: string): string {
  if (path === '' || path === '/') return '/';
  return path.split('/').map(uriEncode).join('/');
}

/** The canonical query string: pairs encoded, sorted by name then value. */
export function canonicalQuery(search: string): string {
  const query = search.startsWith('?') ? search.slice(1) : search;
  if (query === '') return '';
  const pairs = query
    .split('&')
    .filter((p) => p !== '')
    .map((pair) => {
      const at = pair.indexOf('=');
      const decode = (s: string) => {
        try {
          return decodeURIComponent(s.replace(/\+/g, ' '));
        } catch {
          throw new MalformedQueryString('The query string has an invalid percent-encoding.');
        }
      };
      const name = uriEncode(decode(at === -1 ? pair : pair.slice(0, at)));
      const value = uriEncode(decode(at === -1 ? '' : pair.slice(at + 1)));
      return [name, value] as const;
    });
  pairs.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([n, v]) => `${n}=${v}`).join('&');
}

/** `name:value\n` for each signed header, values trimmed with inner runs of spaces folded. */
export function canonicalHeaders(headers: ReadonlyMap<string, string>, signedHeaders: readonly string[]): string {
  return signedHeaders.map((name) => `${name}:${(headers.get(name) ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
}

/** The hex SHA-256 of a payload. */
export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The request parts a canonical request covers. */
export interface CanonicalInput {
  method: string;
  path: string;
  search: string;
  headers: ReadonlyMap<string, string>;
  signedHeaders: readonly string[];
  payloadHash: string;
}

/** The canonical request text. */
export function canonicalRequest(input: CanonicalInput): string {
  return [
    input.method,
    canonicalUri(input.path),
    canonicalQuery(input.search),
    canonicalHeaders(input.headers, input.signedHeaders),
    input.signedHeaders.join(';'),
    input.payloadHash,
  ].join('\n');
}

/** The string to sign for a canonical request. */
export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonical)].join('\n');
}
