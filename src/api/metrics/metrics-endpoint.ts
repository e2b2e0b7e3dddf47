/**
 * `GET /metrics`: the Prometheus text exposition, only to a scraper presenting the configured
 * bearer token (COFFER_METRICS_TOKEN). The token is compared as SHA-256 digests with
 * timingSafeEqual, so neither its content nor its length shows in the answer's timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendBody, sendJson } from '../http-exchange.js';
import type { CofferMetrics } from './coffer-metrics.js';

/** What the server needs to serve metrics: the metrics and the token scrapers present. */
export interface MetricsEndpoint {
  readonly metrics: CofferMetrics;
  readonly token: string;
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** Whether the request's Authorization header is `Bearer <token>`, compared in constant time. */
export function presentsToken(request: IncomingMessage, token: string): boolean {
  const match = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '');
  // Compared even when absent, so a missing header takes as long as a wrong one.
  const matched = timingSafeEqual(digest(match?.[1] ?? ''), digest(token));
  return match !== null && token !== '' && matched;
}

/** Answers `GET /metrics`: 200 with the exposition, or 401 without the token. Returns the status. */
export async function serveMetrics(
  request: IncomingMessage,
  response: ServerResponse,
  requestId: string,
  endpoint: MetricsEndpoint,
): Promise<number> {
  if (!presentsToken(request, endpoint.token)) {
    const body = JSON.stringify({ __type: 'Unauthorized', message: 'Metrics need the bearer token.' });
    sendJson(response, 401, requestId, body, { 'www-authenticate': 'Bearer' });
    return 401;
  }
  const { contentType, body } = await endpoint.metrics.render();
  sendBody(response, 200, requestId, contentType, body);
  return 200;
}
