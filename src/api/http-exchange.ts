/**
 * The HTTP side of one request: reading a bounded body and writing AWS-shaped answers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ServiceError } from '../engine/service-error.js';
import { RequestEntityTooLargeException } from './wire-errors.js';

/** Reads the body, refusing (before buffering it whole) one larger than `limit` bytes. */
export async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limit) throw new RequestEntityTooLargeException(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new RequestEntityTooLargeException(limit);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Writes a JSON 1.1 answer. */
export function sendJson(response: ServerResponse, status: number, requestId: string, body: string, extraHeaders: Record<string, string> = {}): void {
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
