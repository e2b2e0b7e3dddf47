/**
 * Verifies AWS Signature Version 4 on a request signed in the Authorization header.
 *
 * Checks, in order: presence, header syntax, X-Amz-Date within ±15 minutes of now and matching
 * the credential scope's date, the scope's service and region (a region AWS publishes, or one
 * configured), that the headers which decide what a request does are signed (host and x-amz-date
 * always; x-amz-target, x-amz-security-token and content-type whenever sent, as every AWS SDK
 * signs them), the access key, then the signature itself, compared in
 * constant time. The payload hash is computed from the body (a client's x-amz-content-sha256
 * must agree).
 */
import { timingSafeEqual } from 'node:crypto';
import type { ActiveAccessKey } from '../../engine/identity/access-key-store.js';
import {
  IncompleteSignatureException,
  InvalidSignatureException,
  MissingAuthenticationTokenException,
  UnrecognizedClientException,
} from '../wire-errors.js';
import { parseAuthorization, type SigV4Authorization } from './authorization-header.js';
import { canonicalRequest, sha256Hex, stringToSign } from './canonical-request.js';
import { SigningKeyCache, signatureFor } from './signing-key.js';

const SKEW_MS = 15 * 60 * 1000;
/** Headers that must be covered by the signature whenever a request carries them. */
const SIGNED_WHEN_SENT = ['x-amz-target', 'x-amz-security-token', 'content-type', 'x-coffer-expected-version'];

/** The parts of an HTTP request a signature covers. */
export interface SignedRequest {
  method: string;
  path: string;
  search: string;
  /** Lower-case header names; repeated headers joined with commas, as Node does. */
  headers: ReadonlyMap<string, string>;
  body: Buffer;
}

/** Who signed a verified request, and for which region and service. */
export interface VerifiedCaller {
  readonly key: ActiveAccessKey;
  readonly region: string;
  readonly service: string;
  readonly sessionToken: string | undefined;
}

/** Looks up the active access key for an id (and, for temporary credentials, the session token). */
export type AccessKeyLookup = (
  accessKeyId: string,
  sessionToken: string | undefined,
) => Promise<ActiveAccessKey | undefined>;

/** Parses `20150830T123600Z`. */
function parseAmzDate(text: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : undefined;
}

function formatAmzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** Bodies up to this size are remembered by their text (larger ones are hashed and verified every time). */
const MEMO_BODY_BYTES = 4096;

/**
 * Everything a signature covers (method, path, query, the signed headers with the Authorization
 * header and its signature, the body itself, small ones only) and the secret it was checked
 * with: two requests with equal keys carry the same signature over the same content, so one
 * verification answers for both. Parts are separated by NUL, which no header, path or query can
 * hold; the body comes last, so its own NULs cannot shift the other parts.
 */
function memoKey(request: SignedRequest, signedHeaders: readonly string[], secret: string): string {
  let key = `${secret}\0${request.method}\0${request.path}\0${request.search}`;
  key += `\0${request.headers.get('authorization')}`;
  for (const name of signedHeaders) key += `\0${request.headers.get(name) ?? ''}`;
  return `${key}\0${signedHeaders.length}\0${request.body.toString('latin1')}`;
}

/** SigV4 verification against stored access keys. */
export class SigV4Verifier {
  private readonly signingKeys = new SigningKeyCache();
  /** Requests whose signature checked out, by everything it covers (see `memoKey`). */
  private readonly verified = new Set<string>();
  private readonly headers = new Map<string, SigV4Authorization>();

  /**
   * `memo`: how many verified requests to remember, so an identical one (a client replaying the
   * same signed request, as a cache's readers do) is not verified again; its date is still
   * checked every time. Off (0) by default.
   */
  constructor(
    private readonly lookup: AccessKeyLookup,
    private readonly regions: ReadonlySet<string>,
    private readonly now: () => number = Date.now,
    private readonly memo = 0,
  ) {}

  /**
   * The header parsed. Headers of requests that verified are remembered with them (a replayed
   * one parses once); nothing is remembered before a signature checks out, so only holders of a
   * key can fill the memo.
   */
  private parsed(header: string): SigV4Authorization {
    return this.headers.get(header) ?? parseAuthorization(header);
  }

  /** The parsed Authorization header and checked date, before any key lookup (for --dev mode too). */
  checkShape(request: SignedRequest, services: readonly string[]): { auth: SigV4Authorization; amzDate: string } {
    const header = request.headers.get('authorization');
    if (!header) throw new MissingAuthenticationTokenException();
    const auth = this.parsed(header);
    const amzDate = request.headers.get('x-amz-date') ?? '';
    const signedAt = parseAmzDate(amzDate);
    if (signedAt === undefined)
      throw new IncompleteSignatureException(
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
      );
    const now = this.now();
    if (signedAt < now - SKEW_MS) {
      throw new InvalidSignatureException(
        `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(now - SKEW_MS)} (${formatAmzDate(now)} - ` +
          `15 min.)`,
      );
    }
    if (signedAt > now + SKEW_MS) {
      throw new InvalidSignatureException(
        `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(now + SKEW_MS)} ` +
          `(${formatAmzDate(now)} + 15 min.)`,
      );
    }
    if (auth.date !== amzDate.slice(0, 8))
      throw new InvalidSignatureException(
        `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.date}' != ` +
          `'${amzDate.slice(0, 8)}', from '${amzDate}'.`,
      );
    if (!services.includes(auth.service))
      throw new InvalidSignatureException(`Credential should be scoped to correct service: '${services[0]}'.`);
    if (!this.regions.has(auth.region))
      throw new InvalidSignatureException('Credential should be scoped to a valid region.');
    for (const required of ['host', 'x-amz-date', ...SIGNED_WHEN_SENT.filter((h) => request.headers.has(h))]) {
      if (!auth.signedHeaders.includes(required))
        throw new InvalidSignatureException(`'${required}' must be a 'SignedHeader' in the AWS Authorization.`);
    }
    return { auth, amzDate };
  }

  /** Verifies the request for one of `services`; throws the AWS error a client would get. */
  async verify(request: SignedRequest, services: readonly string[]): Promise<VerifiedCaller> {
    const { auth, amzDate } = this.checkShape(request, services);
    const key = await this.lookup(auth.accessKeyId, request.headers.get('x-amz-security-token'));
    if (!key) throw new UnrecognizedClientException();
    const remembered =
      this.memo > 0 && request.body.length <= MEMO_BODY_BYTES
        ? memoKey(request, auth.signedHeaders, key.secretAccessKey)
        : undefined;
    if (remembered === undefined || !this.verified.has(remembered)) {
      const payloadHash = sha256Hex(request.body);
      const claimed = request.headers.get('x-amz-content-sha256');
      if (claimed !== undefined && claimed !== payloadHash)
        throw new InvalidSignatureException(
          "The provided 'x-amz-content-sha256' header does not match what was computed.",
        );
      const canonical = canonicalRequest({ ...request, signedHeaders: auth.signedHeaders, payloadHash });
      const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
      const signingKey = this.signingKeys.get(
        key.accessKeyId,
        key.secretAccessKey,
        auth.date,
        auth.region,
        auth.service,
      );
      const expected = Buffer.from(signatureFor(signingKey, stringToSign(amzDate, scope, canonical)), 'hex');
      if (!timingSafeEqual(expected, Buffer.from(auth.signature, 'hex'))) throw new InvalidSignatureException();
      if (remembered !== undefined) {
        if (this.verified.size >= this.memo) {
          this.verified.clear();
          this.headers.clear();
        }
        this.verified.add(remembered);
        this.headers.set(request.headers.get('authorization')!, auth);
      }
    }
    return {
      key,
      region: auth.region,
      service: auth.service,
      sessionToken: request.headers.get('x-amz-security-token'),
    };
  }
}
