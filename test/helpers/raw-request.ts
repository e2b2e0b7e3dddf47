/**
 * Raw HTTP requests to a test server, for what SDKs never send: malformed bodies, missing or
 * forged signatures, odd targets.
 */
import { request } from 'node:http';

/** A raw answer. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Sends one request and collects the answer. */
export function rawRequest(
  endpoint: string,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<RawResponse> {
  const url = new URL(options.path ?? '/', endpoint);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'POST', headers: options.headers, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }),
      );
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.end(options.body);
  });
}

/** Headers that pass --dev mode's well-formedness check (any signature, current date). */
export function devSignatureHeaders(target: string, service = 'ssm'): Record<string, string> {
  const amzDate = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  return {
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': target,
    'x-amz-date': amzDate,
    authorization:
      `AWS4-HMAC-SHA256 ` +
      `Credential=AKIADEVMODE000000001/${amzDate.slice(0, 8)}/us-east-1/${service}/aws4_request, ` +
      `SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=${'0'.repeat(64)}`,
  };
}
