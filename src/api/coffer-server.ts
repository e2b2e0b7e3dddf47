/**
 * The HTTP server: one endpoint for every service. POST / carries JSON 1.1 requests routed by
 * X-Amz-Target and Query requests (IAM, STS) routed by Action and credential scope; GET /health
 * (and /_localstack/health: every service and its state), GET /ready (the store takes writes) and
 * GET / (a page for people) answer without authentication and say nothing of the store's
 * contents, and health checks are not logged; GET /metrics (Prometheus, only when configured)
 * needs its bearer token;
 * GET /_coffer/changes is the change feed (changes/change-streams.ts), signed like any request;
 * in --dev mode only, POST /moto-api/reset and POST /_coffer/reset wipe all state but keys and
 * access keys (dev-reset.ts, an event of the audit trail), and POST /_coffer/clock moves the
 * engines' clock forward.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Storage } from '../storage/storage.js';
import type { Clock } from '../engine/clock.js';
import { ServiceError } from '../engine/service-error.js';
import type { RequestRecorder } from './access-log.js';
import { readBody, sendError, sendJson, sendBody } from './http-exchange.js';
import { asQueryError, xmlError } from './query/xml-response.js';
import type { RequestPipeline, RequestTrace } from './request-pipeline.js';
import { InternalServerError } from './wire-errors.js';
import { serveMetrics, type MetricsEndpoint } from './metrics/metrics-endpoint.js';
import { healthDocument, rootPage, type HealthFacts } from './front-pages.js';
import type { RequestAudit, RequestAuditor } from './audit/request-auditor.js';
import { CHANGES_PATH, type ChangeStreams } from './changes/change-streams.js';
import { changesModel } from './models/coffer-changes.js';
import { RESET_PATHS, type DevReset } from './dev-reset.js';

/** Largest request body accepted (a Secrets Manager secret of 64 KiB in base64 fits easily). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** What the server needs from the rest of Coffer. */
export interface ServerParts {
  readonly pipeline: RequestPipeline;
  readonly storage: Storage;
  readonly recorder: RequestRecorder;
  readonly dev: boolean;
  /** --dev only: empties the store at POST /moto-api/reset and /_coffer/reset (dev-reset.ts). */
  readonly reset?: DevReset;
  /** The engines' clock: --dev servers let tests move it forward with POST /_coffer/clock. */
  readonly clock?: Clock;
  /**
   * How POST /_coffer/clock moves the clock when it is not this process's alone (the workers of
   * `coffer serve --workers N` move every worker's before answering); absent: `clock.advance`.
   */
  readonly advanceClock?: (ms: number) => Promise<void>;
  /** Told about internal faults (for the log: describeFault gives what may be said of one). */
  readonly onFault: (error: unknown, requestId: string) => void;
  /** Serve HTTPS with this key and certificate (PEM). */
  readonly tls?: { readonly key: string; readonly cert: string };
  /** Allows plain HTTP on an address other than loopback (--insecure-http). */
  readonly insecureHttp?: boolean;
  /** Writes every API request's audit event before its response leaves (absent: no trail). */
  readonly auditor?: RequestAuditor;
  /** Serve GET /metrics to scrapers presenting `token`; without it, /metrics is an unknown path. */
  readonly metrics?: MetricsEndpoint;
  /** Whether the audit trail takes events: while it does not, every request is refused, and /ready says 503. */
  readonly trailHealthy?: () => boolean;
  /** The store's kind and Coffer's version, for the health document and the page at GET /. */
  readonly store?: string;
  readonly version?: string;
  /** Serve the change feed at GET /_coffer/changes (absent: an unknown path). */
  readonly changes?: ChangeStreams;
}

/** Whether `host` is a loopback address (or localhost). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

const READY_PROBE_MS = 1000;
/** How often a closing server closes the connections that went idle since it began to close. */
const DRAIN_SWEEP_MS = 50;
/** Probes: answered without authentication, not logged. */
const PROBES = new Set(['/health', '/ready', '/_localstack/health']);

/** Coffer's HTTP front. */
export class CofferServer {
  private readonly server: Server | TlsServer;
  private readiness: { at: number; ok: Promise<boolean> } | undefined;

  constructor(private readonly parts: ServerParts) {
    const handler = (request: IncomingMessage, response: ServerResponse) => {
      void this.handle(request, response);
    };
    this.server = parts.tls
      ? createTlsServer({ key: parts.tls.key, cert: parts.tls.cert }, handler)
      : createServer(handler);
    this.server.keepAliveTimeout = 65_000;
  }

  /** Whether requests arrive over TLS (aws:SecureTransport). */
  get secure(): boolean {
    return this.parts.tls !== undefined;
  }

  /** Swaps in a renewed key and certificate; new connections use them (SIGHUP). */
  reloadTls(tls: { key: string; cert: string }): void {
    if (!this.parts.tls) throw new Error('this server does not serve TLS');
    (this.server as TlsServer).setSecureContext({ key: tls.key, cert: tls.cert });
  }

  /**
   * Listens on host:port; returns the bound port. --dev refuses anywhere but loopback; so does
   * plain HTTP, unless --insecure-http: signatures stop tampering, not eavesdropping on values.
   */
  async listen(host: string, port: number): Promise<number> {
    if (this.parts.dev && !isLoopback(host))
      throw new Error(`--dev accepts any signature, so it only listens on a loopback address, not ${host}`);
    if (!this.parts.tls && !isLoopback(host) && !this.parts.insecureHttp) {
      throw new Error(
        `refusing plain HTTP on ${host}: values would cross the network in clear. Serve TLS (--tls-cert/--tls-key or ` +
          `--tls-self-signed), or pass --insecure-http`,
      );
    }
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  /**
   * Stops accepting connections and resolves once in-flight requests have finished. A
   * connection that goes idle during the drain (its response sent, or handed over by a
   * node:cluster primary just as this worker closed) is closed too, so the drain ends.
   */
  async close(): Promise<void> {
    this.parts.changes?.closeAll();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const sweeper = setInterval(() => this.server.closeIdleConnections(), DRAIN_SWEEP_MS);
    try {
      await closed;
    } finally {
      clearInterval(sweeper);
    }
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const started = performance.now();
    // Only names Coffer defines reach the log: never the URL, a header or the body as sent.
    const trace: RequestTrace = { action: 'unrouted' };
    let status = 200;
    let errorCode: string | undefined;
    let audit: RequestAudit | undefined;
    let logged = true;
    try {
      if (request.method === 'GET' && request.url !== undefined && PROBES.has(request.url)) {
        trace.action = request.url;
        // Polled every few seconds by load balancers and compose files: not worth a log line each.
        logged = false;
        status = await this.probe(request.url, response, requestId);
        return;
      }
      if (request.method === 'GET' && request.url === '/') {
        trace.action = request.url;
        sendBody(
          response,
          200,
          requestId,
          'text/html; charset=utf-8',
          rootPage(this.healthFacts(), this.localUrl(request)),
        );
        return;
      }
      if (request.method === 'GET' && request.url === '/metrics' && this.parts.metrics) {
        trace.action = request.url;
        status = await serveMetrics(request, response, requestId, this.parts.metrics);
        return;
      }
      if (request.method === 'POST' && RESET_PATHS.includes(request.url ?? '') && this.parts.dev && this.parts.reset) {
        trace.action = 'reset';
        await this.parts.reset(request.url!);
        sendJson(response, 200, requestId, '{}');
        return;
      }
      if (request.method === 'POST' && request.url === '/_coffer/clock' && this.parts.dev && this.parts.clock) {
        trace.action = 'clock';
        status = await this.advanceClock(request, response, requestId);
        return;
      }
      if (request.method === 'GET' && this.parts.changes && request.url?.split('?')[0] === CHANGES_PATH) {
        Object.assign(trace, { action: 'coffer:SubscribeChanges', service: 'coffer', operation: 'SubscribeChanges' });
        trace.model = changesModel;
        audit = this.parts.auditor?.begin(request, requestId, trace);
        const opened = await this.parts.changes.authorize(request, trace);
        try {
          // Fail closed, as for any request: the subscription is on the trail before its first byte.
          await audit?.succeeded({});
        } catch (error) {
          opened.release();
          throw error;
        }
        audit = undefined;
        // The event is written: what the stream's checks touch need not be kept for it.
        trace.resources = undefined;
        await this.parts.changes.stream(opened, request, response);
        return;
      }
      if (request.method !== 'POST' || (request.url !== '/' && !request.url?.startsWith('/?'))) {
        status = 404;
        sendJson(response, 404, requestId, JSON.stringify({ __type: 'NotFound', message: 'Not found.' }));
        return;
      }
      audit = this.parts.auditor?.begin(request, requestId, trace);
      const body = await readBody(request, MAX_BODY_BYTES);
      const executed = await this.parts.pipeline.execute(request, body, trace, requestId);
      // Fail closed: no response leaves before its event is durable.
      await audit?.succeeded(executed.output);
      sendBody(response, 200, requestId, executed.contentType, executed.body);
    } catch (error) {
      let wire = this.asServiceError(error, request);
      try {
        await audit?.failed(wire);
      } catch (auditError) {
        this.parts.onFault(auditError, requestId);
        wire = new InternalServerError(this.parts.pipeline.router.internalErrorCode(request));
      }
      status = wire.httpStatus;
      errorCode = wire.code;
      if (!response.headersSent) this.sendFailure(request, response, requestId, wire);
      if (wire instanceof InternalServerError) this.parts.onFault(error, requestId);
      if (status === 413) request.resume();
    } finally {
      if (logged)
        this.parts.recorder.record({
          requestId,
          action: trace.action,
          principalArn: trace.ctx?.principalArn,
          region: trace.ctx?.region,
          status,
          errorCode,
          durationMs: Math.round((performance.now() - started) * 1000) / 1000,
        });
      this.parts.metrics?.metrics.observeRequest({
        service: trace.service,
        action: trace.operation,
        code: errorCode ?? (status >= 400 ? `Http${status}` : undefined),
        durationMs: performance.now() - started,
      });
    }
  }

  private healthFacts(): HealthFacts {
    return {
      services: this.parts.pipeline.router.serviceNames(),
      version: this.parts.version ?? 'unknown',
      store: this.parts.store ?? this.parts.storage.kind,
      trailHealthy: this.parts.trailHealthy?.() ?? true,
    };
  }

  /** The URL a client on this machine uses (for the page's examples): the host it asked for. */
  private localUrl(request: IncomingMessage): string {
    const host = String(request.headers.host ?? '127.0.0.1');
    return `${this.secure ? 'https' : 'http'}://${/^[A-Za-z0-9.:[\]-]{1,255}$/.test(host) ? host : '127.0.0.1'}`;
  }

  private async probe(path: string, response: ServerResponse, requestId: string): Promise<number> {
    if (path !== '/ready') {
      sendJson(response, 200, requestId, healthDocument(this.healthFacts()));
      return 200;
    }
    const ready = (this.parts.trailHealthy?.() ?? true) && (await this.writable());
    sendJson(response, ready ? 200 : 503, requestId, ready ? '{"status":"ready"}' : '{"status":"unavailable"}');
    return ready ? 200 : 503;
  }

  /**
   * Whether the store takes writes now: a one-row write, so a full disk, a read-only file or a
   * lost database makes /ready answer 503 until writes succeed again. One probe a second at
   * most, whatever the request rate, and never overlapping.
   */
  private writable(): Promise<boolean> {
    const now = Date.now();
    if (this.readiness && now - this.readiness.at < READY_PROBE_MS) return this.readiness.ok;
    const ok = this.parts.storage
      .transaction((tx) => tx.putMeta('ready-probe', Buffer.from(String(now))))
      .then(
        () => true,
        (error: unknown) => {
          this.parts.onFault(error, 'ready-probe');
          return false;
        },
      );
    this.readiness = { at: now, ok };
    return ok;
  }

  /** --dev only: `{"advanceSeconds": N}` moves the engines' clock forward (deletion windows, rotation schedules). */
  private async advanceClock(request: IncomingMessage, response: ServerResponse, requestId: string): Promise<number> {
    const body = await readBody(request, 1024);
    let seconds: unknown;
    try {
      seconds = (JSON.parse(body.toString('utf8')) as { advanceSeconds?: unknown }).advanceSeconds;
    } catch {
      seconds = undefined;
    }
    if (typeof seconds !== 'number' || !(seconds >= 0)) {
      sendJson(
        response,
        400,
        requestId,
        JSON.stringify({ __type: 'ValidationException', message: 'advanceSeconds must be a non-negative number.' }),
      );
      return 400;
    }
    if (this.parts.advanceClock) await this.parts.advanceClock(seconds * 1000);
    else this.parts.clock!.advance(seconds * 1000);
    sendJson(response, 200, requestId, JSON.stringify({ now: new Date(this.parts.clock!.now()).toISOString() }));
    return 200;
  }

  /** Errors take the shape of the request's protocol: JSON `__type`, or Query XML. */
  private sendFailure(
    request: IncomingMessage,
    response: ServerResponse,
    requestId: string,
    error: ServiceError,
  ): void {
    const protocol = this.parts.pipeline.router.protocolOf(request);
    if (protocol.kind === 'json' || error.httpStatus === 413) sendError(response, requestId, error);
    else sendBody(response, error.httpStatus, requestId, 'text/xml', xmlError(protocol.namespace, error, requestId));
  }

  private asServiceError(error: unknown, request: IncomingMessage): ServiceError {
    if (error instanceof ServiceError)
      return this.parts.pipeline.router.protocolOf(request).kind === 'query' ? asQueryError(error) : error;
    return new InternalServerError(this.parts.pipeline.router.internalErrorCode(request));
  }
}
