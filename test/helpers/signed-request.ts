/**
 * Requests no SDK would send, signed for real with @smithy/signature-v4: a Query form with a
 * string member sent as a list, a JSON body with invalid UTF-8, a signature over fewer headers.
 * The answer is the raw status, headers and body.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import type { Credentials } from './identity-clients.js';
import { NodeSha256 } from './node-sha256.js';
import { rawRequest, type RawResponse } from './raw-request.js';

export interface SignedCall {
  readonly service: string;
  readonly region?: string;
  /** A JSON 1.1 target (`AmazonSSM.GetParameter`); without one the body is a Query form. */
  readonly target?: string;
  readonly body: string | Buffer;
  readonly path?: string;
  /** Headers left out of the signature (they are still sent). */
  readonly unsigned?: readonly string[];
  readonly extraHeaders?: Record<string, string>;
}

/** A signed request, ready to send (again and again: a replaying client's). */
export interface SignedParts {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/** Signs one request without sending it. */
export async function signRequest(endpoint: string, credentials: Credentials, call: SignedCall): Promise<SignedParts> {
  const url = new URL(call.path ?? '/', endpoint);
  const body = typeof call.body === 'string' ? Buffer.from(call.body) : call.body;
  const headers: Record<string, string> = {
    host: url.host,
    'content-type': call.target ? 'application/x-amz-json-1.1' : 'application/x-www-form-urlencoded; charset=utf-8',
    ...(call.target ? { 'x-amz-target': call.target } : {}),
    ...(credentials.sessionToken ? { 'x-amz-security-token': credentials.sessionToken } : {}),
    ...call.extraHeaders,
  };
  const signer = new SignatureV4({
    service: call.service,
    region: call.region ?? 'us-east-1',
    credentials,
    sha256: NodeSha256,
  });
  const query = Object.fromEntries(url.searchParams);
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query,
      headers,
      body,
    },
    { unsignableHeaders: new Set(call.unsigned ?? []) },
  );
  const sent = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k, String(v)]));
  return { path: `${url.pathname}${url.search}`, headers: sent, body };
}

/** Signs and sends one request. */
export async function signedRequest(
  endpoint: string,
  credentials: Credentials,
  call: SignedCall,
): Promise<RawResponse> {
  return rawRequest(endpoint, await signRequest(endpoint, credentials, call));
}

/** A Query form body from pairs, encoded as the SDKs encode it. */
export function form(pairs: Record<string, string>): string {
  return Object.entries(pairs)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
}
