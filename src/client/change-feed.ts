/**
 * A subscription to a Coffer server's change feed (`GET /_coffer/changes`, server-sent events,
 * signed with SigV4 as service `coffer`). It reports changes (names, never values), resets
 * (changes may have been missed: the first connection, whose predecessor is unknown, counts as
 * one), and its state. It reconnects when the stream ends or fails, resuming with
 * `Last-Event-ID` after a jittered, capped backoff; a stream silent for longer than three
 * keep-alives is taken for dead. A server that answers 404 (no feed: AWS itself, or an older
 * Coffer) or 403 is not asked again: the feed is `off` and entries expire by age alone. Its
 * socket and timers never keep the process alive.
 */
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { SignatureV4 } from '@smithy/signature-v4';
import { inBackground, SYSTEM_TIMERS, type Timers } from './clock.js';
import { EventStreamParser, type StreamEvent } from './event-stream-parser.js';
import { NodeSha256 } from './node-sha256.js';
import type { ChangeEvent, FeedSignal, FeedState } from './value-provider.js';

/** The credentials that sign the subscription. */
export interface FeedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Where the feed is and how it behaves. */
export interface ChangeFeedOptions {
  endpoint: string;
  /** Only names under this prefix; all by default. */
  prefix?: string;
  region: () => Promise<string>;
  credentials: () => Promise<FeedCredentials>;
  listener: (signal: FeedSignal) => void;
  random?: () => number;
  timers?: Timers;
  /** Silence after which the stream is taken for dead (the server keeps alive every ~15 s). */
  idleTimeoutMs?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
}

/** The percent-encoding SigV4 canonicalizes a query with (RFC 3986), so what is sent is what was signed. */
const encodeQueryValue = (value: string) =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function parseChange(data: string): ChangeEvent | undefined {
  try {
    const change = JSON.parse(data) as ChangeEvent;
    const valid = typeof change.name === 'string' && (change.kind === 'parameter' || change.kind === 'secret');
    return valid ? change : undefined;
  } catch {
    return undefined;
  }
}

/** One subscription, reconnecting until stopped. */
export class ChangeFeed {
  private current: FeedState = 'off';
  private stopped = true;
  private lastEventId: string | undefined;
  private attempt = 0;
  private request: ClientRequest | undefined;
  private resumed = false;
  private connectedBefore = false;
  private watchdog: unknown;
  private retryTimer: unknown;
  private readonly signer: SignatureV4;
  private readonly timers: Timers;
  private readonly random: () => number;

  constructor(private readonly options: ChangeFeedOptions) {
    this.signer = new SignatureV4({
      credentials: options.credentials,
      region: options.region,
      service: 'coffer',
      sha256: NodeSha256,
    });
    this.timers = options.timers ?? SYSTEM_TIMERS;
    this.random = options.random ?? Math.random;
  }

  get state(): FeedState {
    return this.current;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.setState('connecting');
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.timers.clearTimeout(this.retryTimer);
    this.timers.clearTimeout(this.watchdog);
    this.request?.destroy();
    this.request = undefined;
    this.setState('off');
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    let headers: Record<string, string>;
    const url = new URL(`${this.options.endpoint.replace(/\/+$/, '')}/_coffer/changes`);
    try {
      headers = await this.sign(url);
    } catch {
      return this.dropped(undefined, 'CredentialsError');
    }
    if (this.stopped) return;
    const query = this.options.prefix ? `?prefix=${encodeQueryValue(this.options.prefix)}` : '';
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(url, { method: 'GET', path: `${url.pathname}${query}`, headers, agent: false });
    this.request = request;
    this.resumed = headers['last-event-id'] !== undefined;
    request.on('socket', (socket) => socket.unref());
    request.on('response', (response) => this.answered(request, response));
    request.on('error', () => this.dropped(request, 'NetworkingError'));
    request.end();
    this.armWatchdog(request);
  }

  private async sign(url: URL): Promise<Record<string, string>> {
    const headers: Record<string, string> = { host: url.host, accept: 'text/event-stream' };
    if (this.lastEventId !== undefined) headers['last-event-id'] = this.lastEventId;
    const signed = await this.signer.sign({
      method: 'GET',
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query: this.options.prefix ? { prefix: this.options.prefix } : {},
      headers,
    });
    return signed.headers;
  }

  private answered(request: ClientRequest, response: IncomingMessage): void {
    if (request !== this.request || response.statusCode !== 200) {
      if (request === this.request) this.refused(request, response);
      else response.resume();
      return;
    }
    response.setEncoding('utf8');
    const parser = new EventStreamParser((event) => this.received(event));
    response.on('data', (chunk: string) => {
      if (request !== this.request) return;
      this.armWatchdog(request);
      try {
        parser.push(chunk);
      } catch {
        this.dropped(request, 'MalformedStream');
      }
    });
    response.on('end', () => this.dropped(request, undefined));
    response.on('error', () => this.dropped(request, 'NetworkingError'));
  }

  /** A non-200 answer: its `__type` is read (bounded) for the state's code; 403 and 404 end the feed. */
  private refused(request: ClientRequest, response: IncomingMessage): void {
    const status = response.statusCode ?? 0;
    let body = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      if (body.length < 4096) body += chunk;
    });
    response.on('end', () => {
      let code = `HTTP${status}`;
      try {
        code = String((JSON.parse(body) as { __type?: string }).__type ?? code).replace(/^.*#/, '');
      } catch {}
      if (status === 403 || status === 404) return this.turnOff(request, code);
      this.dropped(request, code);
    });
    response.on('error', () => this.dropped(request, 'NetworkingError'));
  }

  private received(event: StreamEvent): void {
    if (event.id !== undefined) this.lastEventId = event.id;
    if (event.event === 'ready') {
      this.attempt = 0;
      this.setState('connected');
      // A reconnection without a resume point may have missed changes while it was down: reset.
      // The first connection: what was read before it may predate a change it never saw, so it is
      // expired but kept (read again on next use, still there to serve stale).
      if (!this.resumed) this.options.listener(this.connectedBefore ? { type: 'reset' } : { type: 'live' });
      this.connectedBefore = true;
    } else if (event.event === 'change') {
      const change = parseChange(event.data);
      // A change that cannot be read may have been about anything.
      this.options.listener(change ? { type: 'change', change } : { type: 'reset' });
    } else if (event.event === 'reset') {
      this.options.listener({ type: 'reset' });
    }
  }

  private dropped(request: ClientRequest | undefined, code: string | undefined): void {
    if (this.stopped || request !== this.request) return;
    this.request = undefined;
    this.timers.clearTimeout(this.watchdog);
    request?.destroy();
    this.setState('down', code);
    const base = this.options.baseBackoffMs ?? 1_000;
    const step = Math.min(this.options.maxBackoffMs ?? 30_000, base * 2 ** this.attempt++);
    this.retryTimer = inBackground(this.timers.setTimeout(() => void this.connect(), Math.floor(this.random() * step)));
  }

  private turnOff(request: ClientRequest, code: string): void {
    if (this.stopped || request !== this.request) return;
    this.stopped = true;
    this.request = undefined;
    this.timers.clearTimeout(this.watchdog);
    request.destroy();
    this.setState('off', code);
  }

  private armWatchdog(request: ClientRequest): void {
    this.timers.clearTimeout(this.watchdog);
    const idle = this.options.idleTimeoutMs ?? 45_000;
    this.watchdog = inBackground(this.timers.setTimeout(() => this.dropped(request, 'IdleTimeout'), idle));
  }

  private setState(state: FeedState, code?: string): void {
    if (state === this.current) return;
    this.current = state;
    this.options.listener(code === undefined ? { type: 'state', state } : { type: 'state', state, code });
  }
}
