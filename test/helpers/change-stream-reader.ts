/**
 * Reads GET /_coffer/changes as a client would: signed with SigV4 (service `coffer`), the body
 * parsed as Server-Sent Events, every byte kept for leak checks.
 */
import { request, type IncomingMessage } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Credentials } from './identity-clients.js';
import { NodeSha256 } from './node-sha256.js';

/** One event of the stream. */
export interface StreamEvent {
  readonly event: string;
  readonly id: string | undefined;
  readonly data: Record<string, unknown>;
}

export interface ChangeStreamReader {
  readonly status: number;
  /** The body, when the answer was not a stream. */
  readonly body: string;
  readonly events: StreamEvent[];
  /** Everything the stream sent so far. */
  text(): string;
  /** The first event (from `from` on) that `match` accepts, waiting up to `ms`. */
  next(match: (e: StreamEvent) => boolean, ms?: number, from?: number): Promise<StreamEvent>;
  /** Whether the server ended the stream. */
  ended(): boolean;
  close(): void;
}

export async function openChangeStream(
  endpoint: string,
  credentials: Credentials,
  options: { prefix?: string; lastEventId?: string; region?: string; sign?: boolean } = {},
): Promise<ChangeStreamReader> {
  const url = new URL('/_coffer/changes', endpoint);
  const query: Record<string, string> = options.prefix === undefined ? {} : { prefix: options.prefix };
  let headers: Record<string, string> = {
    host: url.host,
    accept: 'text/event-stream',
    ...(options.lastEventId === undefined ? {} : { 'last-event-id': options.lastEventId }),
    ...(credentials.sessionToken ? { 'x-amz-security-token': credentials.sessionToken } : {}),
  };
  if (options.sign !== false) {
    const signer = new SignatureV4({
      service: 'coffer',
      region: options.region ?? 'us-east-1',
      credentials,
      sha256: NodeSha256,
    });
    const signed = await signer.sign({
      method: 'GET',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query,
      headers,
    });
    headers = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k, String(v)]));
  }
  const search = new URLSearchParams(query).toString();
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request(`${url.origin}${url.pathname}${search ? `?${search}` : ''}`, { headers }, resolve);
    req.on('error', reject);
    req.end();
  });
  let raw = '';
  let pending = '';
  let done = false;
  const events: StreamEvent[] = [];
  const waiters = new Set<() => void>();
  response.setEncoding('utf8');
  response.on('data', (chunk: string) => {
    raw += chunk;
    pending += chunk;
    let cut = pending.indexOf('\n\n');
    while (cut >= 0) {
      const block = pending.slice(0, cut);
      pending = pending.slice(cut + 2);
      const fields = new Map<string, string>();
      for (const line of block.split('\n')) {
        if (line.startsWith(':') || line === '') continue;
        const colon = line.indexOf(':');
        fields.set(line.slice(0, colon), line.slice(colon + 1).trimStart());
      }
      if (fields.has('event'))
        events.push({
          event: fields.get('event')!,
          id: fields.get('id'),
          data: JSON.parse(fields.get('data') ?? '{}'),
        });
      cut = pending.indexOf('\n\n');
    }
    for (const wake of waiters) wake();
  });
  const finished = new Promise<void>((resolve) => {
    response.on('end', resolve);
    response.on('close', resolve);
    response.on('error', () => resolve());
  });
  void finished.then(() => {
    done = true;
    for (const wake of waiters) wake();
  });
  if (response.statusCode !== 200) await finished;
  return {
    status: response.statusCode ?? 0,
    get body() {
      return raw;
    },
    events,
    text: () => raw,
    ended: () => done,
    async next(match, ms = 5000, from = 0) {
      const deadline = Date.now() + ms;
      for (;;) {
        const found = events.slice(from).find(match);
        if (found) return found;
        if (done || Date.now() > deadline)
          throw new Error(
            `no matching event in ${ms} ms; got ${JSON.stringify(events)}${done ? ' (stream ended)' : ''}`,
          );
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            clearTimeout(timer);
            resolve();
          };
          const timer = setTimeout(wake, Math.max(1, deadline - Date.now()));
          waiters.add(wake);
        });
      }
    },
    close: () => response.destroy(),
  };
}
