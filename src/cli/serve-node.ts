/**
 * One serving process of `coffer serve`: the request pipeline, the change feed and the HTTP
 * server over an open Coffer, and the background work (rotations, purges, the audit trail's
 * digests). A single-process server runs one; `--workers N` runs one in each worker.
 */
import { AccessLog } from '../api/access-log.js';
import { failedAuthenticationBudget } from '../api/audit/failed-authentication-budget.js';
import { RequestAuditor } from '../api/audit/request-auditor.js';
import { ChangeStreams } from '../api/changes/change-streams.js';
import { CofferServer } from '../api/coffer-server.js';
import { cofferServices } from '../api/coffer-services.js';
import { devReset } from '../api/dev-reset.js';
import { faultLine } from '../api/fault-report.js';
import { CofferMetrics } from '../api/metrics/coffer-metrics.js';
import { allowedRegions } from '../api/models/regions.js';
import { RequestPipeline } from '../api/request-pipeline.js';
import { ServiceRouter } from '../api/service-router.js';
import type { TlsMaterial } from '../api/tls/tls-material.js';
import type { Coffer } from '../bootstrap/open-coffer.js';
import { alertMonitorFromEnv } from '../engine/audit/alert-monitor.js';
import { auditFile } from '../engine/audit/audit-file.js';
import { ChangeFeed } from '../engine/changes/change-feed.js';
import { findLatest } from '../engine/ssm/parameter-lookup.js';
import { UsageError } from './cli-command.js';
import { COFFER_VERSION } from './version.js';

/** How a node serves: the options of `coffer serve` that shape each process alike. */
export interface NodeOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly dev: boolean;
  readonly quiet: boolean;
  readonly insecureHttp: boolean;
  readonly tls?: TlsMaterial;
  /** Set by the workers of `--workers N`: moves every worker's clock. */
  readonly advanceClock?: (ms: number) => Promise<void>;
}

/** A positive whole number of milliseconds from `name`, or `fallback` when unset. */
export function millisecondsFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`${name} must be a whole number of milliseconds`);
  return value;
}

/** A node's parts that outlive its start. */
export class ServingNode {
  /** Set once the root credentials are known to be in the data directory's file (not the environment). */
  rootFile: string | undefined;
  readonly server: CofferServer;
  readonly feed: ChangeFeed;
  private readonly accessLog: AccessLog;
  private readonly auditor: RequestAuditor;
  /** The background work's intervals, checked at start (a NaN interval would fire every millisecond). */
  private readonly ticks: { rotation: number; policies: number; sweep: number; digest: number };
  private readonly alerts: ReturnType<typeof alertMonitorFromEnv>;
  private readonly file: ReturnType<typeof auditFile> | undefined;

  constructor(
    private readonly coffer: Coffer,
    options: NodeOptions,
    private readonly err: (text: string) => void,
  ) {
    const env = options.env;
    this.ticks = {
      rotation: millisecondsFrom(env, 'COFFER_ROTATION_TICK_MS', 30_000),
      policies: millisecondsFrom(env, 'COFFER_POLICY_TICK_MS', 30_000),
      sweep: millisecondsFrom(env, 'COFFER_SWEEP_TICK_MS', 60_000),
      digest: millisecondsFrom(env, 'COFFER_AUDIT_DIGEST_MS', 60_000),
    };
    const services = cofferServices(coffer);
    const router = new ServiceRouter(services);
    const metricsToken = env.COFFER_METRICS_TOKEN;
    const metrics = metricsToken ? { metrics: new CofferMetrics(services), token: metricsToken } : undefined;
    if (metrics) coffer.rotation.onRunFinished((status) => metrics.metrics.observeRotation(status));
    if (metrics) coffer.audit.observeWrites((seconds) => metrics.metrics.observeAuditWrite(seconds));
    this.alerts = alertMonitorFromEnv(
      env,
      (line) => err(`${line}\n`),
      () => coffer.clock.now(),
    );
    if (this.alerts) {
      const alerts = this.alerts;
      coffer.audit.subscribe((event) => alerts.observe(event));
    }
    this.file = env.COFFER_AUDIT_FILE
      ? auditFile(env.COFFER_AUDIT_FILE, (error) => err(faultLine(error, 'audit-file')))
      : undefined;
    if (this.file) coffer.audit.subscribe(this.file.listener);
    const regions = allowedRegions(coffer.settings);
    // A replica is made only in a Region a request could name.
    coffer.secrets.store.replication.useRegions(regions);
    const pipeline = new RequestPipeline(router, (id, token) => coffer.credentials(id, token), coffer.iam.callers, {
      dev: options.dev,
      account: coffer.settings.account,
      regions,
      credentialsHint: () => this.rootFile,
      keyUsed: (id, service, region) => coffer.iam.keyUsage.note(id, service, region, coffer.clock.now()),
    });
    this.auditor = new RequestAuditor(
      coffer.audit,
      coffer.settings.account,
      coffer.settings.region,
      failedAuthenticationBudget(env),
      (error) => err(faultLine(error, 'audit-summary')),
    );
    this.auditor.start();
    // Every node reads the store's change log: a write on any node reaches this node's streams.
    this.feed = new ChangeFeed(coffer.storage, { pollMs: millisecondsFrom(env, 'COFFER_CHANGES_POLL_MS', 1000) });
    this.feed.startPruning();
    const changes = new ChangeStreams(
      this.feed,
      pipeline,
      {
        parameters: coffer.ssmPermissions,
        secrets: coffer.secrets.permissions,
        exists: async (scope, kind, name, arn) =>
          kind === 'parameter'
            ? (await findLatest(coffer.storage, scope, name)) !== undefined
            : (await coffer.secrets.store.records.findRow(coffer.storage, scope, arn)) !== undefined,
      },
      {
        heartbeatMs: millisecondsFrom(env, 'COFFER_CHANGES_HEARTBEAT_MS', 15_000),
        maxStreamMs: millisecondsFrom(env, 'COFFER_CHANGES_MAX_STREAM_MS', 300_000),
      },
    );
    this.accessLog = new AccessLog(process.stdout, options.quiet);
    this.server = new CofferServer({
      pipeline,
      storage: coffer.storage,
      clock: coffer.clock,
      ...(options.advanceClock ? { advanceClock: options.advanceClock } : {}),
      ...(options.dev
        ? {
            reset: devReset(coffer.storage, coffer.audit, coffer.clock, {
              account: coffer.settings.account,
              region: coffer.settings.region,
            }),
          }
        : {}),
      recorder: this.accessLog,
      dev: options.dev,
      onFault: (error, requestId) => err(faultLine(error, requestId)),
      ...(options.tls ? { tls: options.tls } : {}),
      insecureHttp: options.insecureHttp,
      ...(metrics ? { metrics } : {}),
      auditor: this.auditor,
      trailHealthy: () => coffer.audit.healthy,
      store: coffer.storage.kind,
      version: COFFER_VERSION,
      changes,
    });
  }

  /** Rotations, purges and the audit trail's upkeep (each safe on every node: leases and locks in the store). */
  startBackground(): void {
    // Rotations run on every node; the store's leases let exactly one run each due rotation.
    this.coffer.rotation.scheduler.start(this.ticks.rotation);
    // Parameter policies the same way (and at once when --dev moves the clock).
    this.coffer.policyScheduler.start(this.ticks.policies);
    // Secrets past their recovery window are purged here, never by the reads that find them.
    this.coffer.secrets.sweeper.start(this.ticks.sweep);
    // A signed digest every minute with events (and at shutdown); retention pruning daily; the outbox carried.
    this.coffer.audit.start(this.ticks.digest, (error) => this.err(faultLine(error, 'audit-trail')));
  }

  /** Stops taking requests, finishes the ones in flight, then `beforeTrail`, then closes the trail. */
  async stop(beforeTrail: Promise<void> = Promise.resolve()): Promise<void> {
    await this.server.close();
    this.accessLog.flush();
    this.feed.close();
    await beforeTrail;
    try {
      await this.auditor.stop();
      await this.coffer.audit.stop();
    } finally {
      await this.alerts?.flush();
      await this.file?.close();
    }
  }
}
