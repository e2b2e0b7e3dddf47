/**
 * Coffer's Prometheus metrics, on a registry of their own (never prom-client's global one, so
 * two servers in one process do not share counters): requests by service, operation and outcome,
 * access denials, request and audit-write durations, rotation outcomes, and Node's default
 * process metrics (event-loop lag among them).
 *
 * Labels are bounded by construction: a service or operation Coffer does not serve is "unknown",
 * whatever a caller sent, and no label ever carries a parameter or secret name or value.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ServiceModel } from '../models/service-model.js';

/** One finished request, as the server knows it: names Coffer defines, or undefined. */
export interface ObservedRequest {
  readonly service: string | undefined;
  readonly action: string | undefined;
  /** The AWS error code, or undefined for success. */
  readonly code: string | undefined;
  readonly durationMs: number;
}

/** What the metrics need to know of a served service: its name and its operations. */
export interface MeteredService {
  readonly name: string;
  readonly model: Pick<ServiceModel, 'operations'>;
}

/** The label of anything not served, or not known (yet) when the request ended. */
export const UNKNOWN = 'unknown';

/** Codes are Coffer's own class names; this shape check is a second line against a stray one. */
const CODE_SHAPE = /^[A-Za-z][A-Za-z0-9.]{0,99}$/;
const DENIED_CODES: ReadonlySet<string> = new Set(['AccessDenied', 'AccessDeniedException']);
const AUDIT_WRITE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** The counters and histograms `GET /metrics` shows. */
export class CofferMetrics {
  private readonly registry = new Registry();
  private readonly operations = new Map<string, ReadonlySet<string>>();
  private readonly requests: Counter<'service' | 'action' | 'code'>;
  private readonly denied: Counter<'service' | 'action'>;
  private readonly durations: Histogram<'service' | 'action'>;
  private readonly rotations: Counter<'outcome'>;
  private readonly auditWrites: Histogram;

  /** `services` are the ones served: only their names and operation names become labels. */
  constructor(services: readonly MeteredService[]) {
    // Services may share a signing name (Coffer's CofferRotation and CofferAudit are both `coffer`).
    for (const s of services)
      this.operations.set(
        s.name,
        new Set([...(this.operations.get(s.name) ?? []), ...Object.keys(s.model.operations)]),
      );
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'coffer_requests_total',
      help: 'Requests finished, by service, operation and AWS error code (OK for success).',
      labelNames: ['service', 'action', 'code'],
      registers,
    });
    this.denied = new Counter({
      name: 'coffer_access_denied_total',
      help: 'Requests refused by IAM policy (AccessDenied, AccessDeniedException).',
      labelNames: ['service', 'action'],
      registers,
    });
    this.durations = new Histogram({
      name: 'coffer_request_duration_seconds',
      help: "Time from a request's arrival to its answer.",
      labelNames: ['service', 'action'],
      registers,
    });
    this.rotations = new Counter({
      name: 'coffer_rotation_runs_total',
      help: 'Rotation runs finished, by outcome.',
      labelNames: ['outcome'],
      registers,
    });
    this.auditWrites = new Histogram({
      name: 'coffer_audit_write_duration_seconds',
      help: 'Time to write one audit record.',
      buckets: AUDIT_WRITE_BUCKETS,
      registers,
    });
    collectDefaultMetrics({ register: this.registry });
  }

  /** Counts one finished request; anything Coffer does not serve is labelled "unknown". */
  observeRequest(r: ObservedRequest): void {
    const served = r.service === undefined ? undefined : this.operations.get(r.service);
    const service = served ? r.service! : UNKNOWN;
    const action = served && r.action !== undefined && served.has(r.action) ? r.action : UNKNOWN;
    const code = r.code === undefined ? 'OK' : CODE_SHAPE.test(r.code) ? r.code : 'Other';
    this.requests.inc({ service, action, code });
    if (DENIED_CODES.has(code)) this.denied.inc({ service, action });
    this.durations.observe({ service, action }, Math.max(0, r.durationMs) / 1000);
  }

  /** Counts one finished rotation run. */
  observeRotation(outcome: 'succeeded' | 'failed'): void {
    this.rotations.inc({ outcome });
  }

  /** Records how long one audit write took. */
  observeAuditWrite(seconds: number): void {
    this.auditWrites.observe(Math.max(0, seconds));
  }

  /** The Prometheus text exposition of every metric. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
