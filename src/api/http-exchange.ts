/**
 * The HTTP side of one request: reading a bounded body and writing AWS-shaped answers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServiceError } from '../engine/service-error.js';
import { RequestEntityTooLargeException } from './wire-errors.js';

/** Reads the body, refusing (before buffering it whole) one larger than `limit` bytes. */
export function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.reject(new RequestEntityTooLargeException(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.removeAllListeners('data');
        request.resume();
        reject(new RequestEntityTooLargeException(limit));
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** Writes an answer of any content type. */
export function sendBody(
  response: ServerResponse,
  status: number,
  requestId: string,
  contentType: string,
  body: string,
): void {
  response.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': requestId,
  });
  response.end(body);
}

/** Writes a JSON 1.1 answer. */
export function sendJson(
  response: ServerResponse,
  status: number,
  requestId: string,
  body: string,
  extraHeaders: Record<string, string> = {},
): void {
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': requestId,
    ...extraHeaders,
  });
  response.end(body);
}

/** Writes an AWS JSON error: `{"__type": code, "message": ...}` with x-amzn-ErrorType. */
export function sendError(response: ServerResponse, requestId: string, error: ServiceError): void {
  const body = JSON.stringify({ __type: error.code, message: error.message });
  sendJson(response, error.httpStatus, requestId, body, { 'x-amzn-errortype': error.code });
}

/** Lower-cased header map, as SigV4 canonicalisation needs. */
export function headerMap(request: IncomingMessage): Map<string, string> {
  const headers = new Map<string, string>();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers.set(name.toLowerCase(), Array.isArray(value) ? value.join(',') : value);
  }
  return headers;
}
