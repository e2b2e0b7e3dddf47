/**
 * `coffer serve`: the AWS wire API on one port (what `npm start` runs), over HTTPS with
 * --tls-cert/--tls-key or --tls-self-signed (plain HTTP only on loopback unless --insecure-http).
 * SIGHUP reloads the certificate; SIGTERM or SIGINT stop after in-flight requests finish.
 * COFFER_METRICS_TOKEN, when set, serves Prometheus metrics at GET /metrics behind that bearer token.
 * The port is bound before root credentials are made (a start that fails to bind shows nothing it
 * made); --seed fills an empty store before the "listening" line; --init runs after it.
 */
import { AccessLog } from '../../api/access-log.js';
import { CofferServer, isLoopback } from '../../api/coffer-server.js';
import { cofferServices } from '../../api/coffer-services.js';
import { faultLine } from '../../api/fault-report.js';
import { CofferMetrics } from '../../api/metrics/coffer-metrics.js';
import { failedAuthenticationBudget } from '../../api/audit/failed-authentication-budget.js';
import { RequestAuditor } from '../../api/audit/request-auditor.js';
import { alertMonitorFromEnv } from '../../engine/audit/alert-monitor.js';
import { auditFile } from '../../engine/audit/audit-file.js';
import { allowedRegions } from '../../api/models/regions.js';
import { RequestPipeline } from '../../api/request-pipeline.js';
import { ServiceRouter } from '../../api/service-router.js';
import { ensureRootCredentials } from '../../bootstrap/root-credentials.js';
import { rootPrincipal } from '../../engine/request-context.js';
import { dataDirectory } from '../../bootstrap/settings.js';
import { sqlitePath } from '../../storage/open-storage.js';
import { loadTlsMaterial, type TlsSource } from '../../api/tls/tls-material.js';
import { UsageError, type CliCommand, type OptionSpecs } from '../cli-command.js';
import { runInitHooks } from '../init-hooks.js';
import { COFFER_VERSION } from '../version.js';
import { applySeed, readSeed, seededCounts, storeIsEmpty } from '../seed-file.js';
import { removeServerState, writeServerState } from '../server-state.js';
import { parseOptions } from '../parse-options.js';
import { ChangeFeed } from '../../engine/changes/change-feed.js';
import { findLatest } from '../../engine/ssm/parameter-lookup.js';
import { ChangeStreams } from '../../api/changes/change-streams.js';
import { devReset } from '../../api/dev-reset.js';

function portFrom(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0-65535, not ${text}`);
  return port;
}

/** TLS from the options or the environment; undefined for plain HTTP. */
function tlsSourceFrom(
  values: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  dataDir: string,
  host: string,
): TlsSource | undefined {
  const certPath = (values['tls-cert'] as string | undefined) ?? env.COFFER_TLS_CERT;
  const keyPath = (values['tls-key'] as string | undefined) ?? env.COFFER_TLS_KEY;
  const selfSigned = values['tls-self-signed'] === true || env.COFFER_TLS_SELF_SIGNED === 'true';
  if (selfSigned && (certPath || keyPath))
    throw new UsageError('--tls-self-signed makes its own certificate: leave out --tls-cert and --tls-key');
  if (selfSigned) return { kind: 'self-signed', dataDir, host };
  if (!certPath !== !keyPath)
    throw new UsageError('TLS needs both --tls-cert and --tls-key (or COFFER_TLS_CERT and COFFER_TLS_KEY)');
  return certPath && keyPath ? { kind: 'files', certPath, keyPath } : undefined;
}

const OPTIONS = {
  host: { type: 'string', value: 'HOST', description: 'the address to listen on (COFFER_HOST; 127.0.0.1 by default)' },
  port: { type: 'string', value: 'PORT', description: "the port (COFFER_PORT; 4566 by default, as LocalStack's)" },
  dev: {
    type: 'boolean',
    description:
      'accept any well-formed signature as root (test/test too), on loopback only; enables reset and clock endpoints',
  },
  quiet: { type: 'boolean', description: 'log failed requests only' },
  'tls-cert': {
    type: 'string',
    value: 'FILE',
    description: 'serve HTTPS with this certificate (COFFER_TLS_CERT), with --tls-key',
  },
  'tls-key': { type: 'string', value: 'FILE', description: "the certificate's private key (COFFER_TLS_KEY)" },
  'tls-self-signed': { type: 'boolean', description: 'serve HTTPS with a certificate made once under <data-dir>/tls/' },
  'insecure-http': {
    type: 'boolean',
    description: 'allow plain HTTP on an address other than loopback (values cross the network in clear)',
  },
  init: {
    type: 'string',
    value: 'DIR',
    description: 'run the executables and load the *.json seed files in DIR once the server answers (COFFER_INIT_DIR)',
  },
  seed: {
    type: 'string',
    value: 'FILE',
    description: 'create the parameters and secrets of a JSON or YAML file on an empty store',
  },
} as const satisfies OptionSpecs;

const shown = (host: string) => (host.includes(':') ? `[${host}]` : host);

/** A positive whole number of milliseconds from `name`, or `fallback` when unset. */
function millisecondsFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`${name} must be a whole number of milliseconds`);
  return value;
}

export const serveCommand: CliCommand = {
  name: 'serve',
  summary:
    'run the AWS-compatible server: SSM, Secrets Manager, IAM, STS, KMS and CloudTrail wire APIs, SigV4, IAM policies',
  usage:
    'coffer serve [--host HOST] [--port PORT] [--tls-cert FILE --tls-key FILE | --tls-self-signed] [--insecure-http] ' +
    '[--dev] [--quiet]\n' +
    '             [--init DIR] [--seed FILE]',
  options: OPTIONS,
  examples: [
    'coffer serve',
    'coffer serve --dev --port 4566 --init ./init --seed seed.yaml',
    'coffer serve --host 0.0.0.0 --tls-self-signed',
    'COFFER_DATA_DIR=/tmp/second coffer serve --port 4567   # a second server, with a store of its own',
  ],
  async run(args, session, io) {
    const { values, positionals } = parseOptions(args, OPTIONS);
    if (positionals.length > 0) throw new UsageError('serve takes no arguments');
    const host = values.host ?? session.env.COFFER_HOST ?? '127.0.0.1';
    const port = portFrom(values.port ?? session.env.COFFER_PORT ?? '4566');
    const dev = values.dev === true;
    const initDir = values.init ?? (session.env.COFFER_INIT_DIR || undefined);
    const seed = values.seed === undefined ? undefined : readSeed(values.seed);
    const tlsSource = tlsSourceFrom(values, session.env, dataDirectory(session.env), host);
    const tls = tlsSource ? loadTlsMaterial(tlsSource) : undefined;
    const coffer = await session.openLocal({ auditLedger: 'thread', logRotations: true });
    // --dev only: start with the clock moved forward (tests of schedules across restarts).
    if (dev && session.env.COFFER_DEV_CLOCK_OFFSET_SECONDS)
      coffer.clock.advance(Number(session.env.COFFER_DEV_CLOCK_OFFSET_SECONDS) * 1000);
    const services = cofferServices(coffer);
    const router = new ServiceRouter(services);
    const metricsToken = session.env.COFFER_METRICS_TOKEN;
    const metrics = metricsToken ? { metrics: new CofferMetrics(services), token: metricsToken } : undefined;
    if (metrics) coffer.rotation.onRunFinished((status) => metrics.metrics.observeRotation(status));
    if (metrics) coffer.audit.observeWrites((seconds) => metrics.metrics.observeAuditWrite(seconds));
    const alerts = alertMonitorFromEnv(
      session.env,
      (line) => io.err(`${line}\n`),
      () => coffer.clock.now(),
    );
    if (alerts) coffer.audit.subscribe((event) => alerts.observe(event));
    const file = session.env.COFFER_AUDIT_FILE
      ? auditFile(session.env.COFFER_AUDIT_FILE, (error) => io.err(faultLine(error, 'audit-file')))
      : undefined;
    if (file) coffer.audit.subscribe(file.listener);
    // Set once the root credentials are known to be in the data directory's file (not the environment).
    let rootFile: string | undefined;
    const regions = allowedRegions(coffer.settings);
    // A replica is made only in a Region a request could name.
    coffer.secrets.store.replication.useRegions(regions);
    const pipeline = new RequestPipeline(router, (id, token) => coffer.credentials(id, token), coffer.iam.callers, {
      dev,
      account: coffer.settings.account,
      regions,
      credentialsHint: () => rootFile,
      keyUsed: (id, service, region) => coffer.iam.keyUsage.note(id, service, region, coffer.clock.now()),
    });
    const insecureHttp = values['insecure-http'] === true;
    const auditor = new RequestAuditor(
      coffer.audit,
      coffer.settings.account,
      coffer.settings.region,
      failedAuthenticationBudget(session.env),
      (error) => io.err(faultLine(error, 'audit-summary')),
    );
    auditor.start();
    // Every node reads the store's change log: a write on any node reaches this node's streams.
    const feed = new ChangeFeed(coffer.storage, {
      pollMs: millisecondsFrom(session.env, 'COFFER_CHANGES_POLL_MS', 1000),
    });
    feed.startPruning();
    const changes = new ChangeStreams(
      feed,
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
        heartbeatMs: millisecondsFrom(session.env, 'COFFER_CHANGES_HEARTBEAT_MS', 15_000),
        maxStreamMs: millisecondsFrom(session.env, 'COFFER_CHANGES_MAX_STREAM_MS', 300_000),
      },
    );
    const accessLog = new AccessLog(process.stdout, values.quiet === true);
    const server = new CofferServer({
      pipeline,
      storage: coffer.storage,
      clock: coffer.clock,
      ...(dev
        ? {
            reset: devReset(coffer.storage, coffer.audit, coffer.clock, {
              account: coffer.settings.account,
              region: coffer.settings.region,
            }),
          }
        : {}),
      recorder: accessLog,
      dev,
      onFault: (error, requestId) => io.err(faultLine(error, requestId)),
      ...(tls ? { tls } : {}),
      insecureHttp,
      ...(metrics ? { metrics } : {}),
      auditor,
      trailHealthy: () => coffer.audit.healthy,
      store: coffer.storage.kind,
      version: COFFER_VERSION,
      changes,
    });
    // The port first: a start that cannot bind it makes no credentials it would never show.
    const bound = await server.listen(host, port);
    const root = await ensureRootCredentials(coffer, session.env);
    if ('file' in root.source) rootFile = root.source.file;
    const ctx = {
      account: coffer.settings.account,
      region: coffer.settings.region,
      principalArn: rootPrincipal(coffer.settings.account),
    };
    if (seed) {
      if (await storeIsEmpty(coffer, ctx)) {
        const seeded = await applySeed(coffer, ctx, seed, values.seed!);
        io.err(`coffer: seeded ${seededCounts(seeded)} from ${values.seed}\n`);
      } else {
        io.err(`coffer: --seed ${values.seed} not loaded: the store already holds parameters or secrets\n`);
      }
    }
    if (!tls && insecureHttp && !isLoopback(host)) {
      io.err(
        `coffer: WARNING: --insecure-http: serving plain HTTP on ${host}: secret values and signed requests cross ` +
          `the network unencrypted.\n`,
      );
    }
    if (tls) {
      io.err(
        `coffer: TLS certificate ${tls.certPath}${tls.created ? ' (self-signed, created now)' : ''}, SHA-256 ` +
          `fingerprint ${tls.fingerprint256}\n`,
      );
      if (tlsSource?.kind === 'self-signed')
        io.err(
          `coffer: trust it with: aws --ca-bundle ${tls.certPath}, AWS_CA_BUNDLE=${tls.certPath}, or boto3 ` +
            `verify="${tls.certPath}"\n`,
        );
      process.on('SIGHUP', () => {
        try {
          const renewed = loadTlsMaterial(tlsSource!);
          server.reloadTls(renewed);
          io.err(`coffer: TLS certificate reloaded, SHA-256 fingerprint ${renewed.fingerprint256}\n`);
        } catch (error) {
          io.err(
            `coffer: TLS certificate not reloaded: ` +
              `${(error as NodeJS.ErrnoException).code ?? (error as Error).name}; still serving the previous one\n`,
          );
        }
      });
    }
    // Rotations run on every node; the store's leases let exactly one run each due rotation.
    coffer.rotation.scheduler.start(Number(session.env.COFFER_ROTATION_TICK_MS ?? 30_000));
    // Parameter policies the same way (and at once when --dev moves the clock).
    coffer.policyScheduler.start(Number(session.env.COFFER_POLICY_TICK_MS ?? 30_000));
    // Secrets past their recovery window are purged here, never by the reads that find them.
    coffer.secrets.sweeper.start(Number(session.env.COFFER_SWEEP_TICK_MS ?? 60_000));
    // A signed digest every minute with events (and at shutdown); retention pruning daily; the outbox carried.
    coffer.audit.start(Number(session.env.COFFER_AUDIT_DIGEST_MS ?? 60_000), (error) =>
      io.err(faultLine(error, 'audit-trail')),
    );
    // Before the "listening" line, so nobody who waits for that line can miss it.
    if (dev)
      io.err(
        'coffer: WARNING: --dev mode: ANY well-formed signature is accepted as root (test/test too). Never expose ' +
          'this port.\n',
      );

    const url = `${tls ? 'https' : 'http'}://${shown(host)}:${bound}`;
    const localHost = isLoopback(host) || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : shown(host);
    const localUrl = `${tls ? 'https' : 'http'}://${localHost}:${bound}`;
    const where = coffer.settings.databaseUrl ? 'PostgreSQL' : sqlitePath(coffer.settings.dataDir);
    writeServerState(coffer.settings.dataDir, { url: localUrl, pid: process.pid, startedAt: new Date().toISOString() });
    io.err(
      `coffer: listening on ${url} (account ${coffer.settings.account}, region ${coffer.settings.region}, store ` +
        `${where})\n`,
    );
    if (root.generated) {
      io.err(
        `coffer: root credentials (shown once, also saved to ${'file' in root.source ? root.source.file : ''}):\n` +
          `  AWS_ACCESS_KEY_ID=${root.accessKeyId}\n  AWS_SECRET_ACCESS_KEY=${root.secretAccessKey}\n`,
      );
    } else {
      io.err(
        `coffer: root access key ${root.accessKeyId} ` +
          `(${'file' in root.source ? `credentials in ${root.source.file}` : 'from COFFER_ROOT_ACCESS_KEY_ID'})\n`,
      );
    }
    io.err(`coffer: eval "$(coffer env)" points the AWS CLI, boto3 and the SDKs at this server\n`);
    const initDone =
      initDir === undefined
        ? Promise.resolve()
        : runInitHooks(
            coffer,
            ctx,
            initDir,
            {
              endpoint: localUrl,
              accessKeyId: root.accessKeyId,
              secretAccessKey: root.secretAccessKey,
              region: coffer.settings.region,
            },
            (line) => io.err(`coffer: ${line}\n`),
          ).then((outcome) => {
            const failed = outcome.failed.length
              ? `, ${outcome.failed.length} FAILED (${outcome.failed.join(', ')})`
              : '';
            io.err(`coffer: init: ${initDir} done: ${outcome.ran} ran, ${outcome.skipped} skipped${failed}\n`);
          });
    // Handlers stay installed: a second signal during the drain must not kill the process.
    await new Promise<void>((resolve) => {
      process.on('SIGTERM', () => resolve());
      process.on('SIGINT', () => resolve());
    });
    io.err('coffer: stopping: finishing in-flight requests\n');
    removeServerState(coffer.settings.dataDir, process.pid);
    await server.close();
    accessLog.flush();
    feed.close();
    await initDone;
    try {
      await auditor.stop();
      await coffer.audit.stop();
    } finally {
      await alerts?.flush();
      await file?.close();
    }
    return 0;
  },
};
