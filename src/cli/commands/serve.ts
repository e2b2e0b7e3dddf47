/**
 * `coffer serve`: the AWS wire API on one port (what `npm start` runs), over HTTPS with
 * --tls-cert/--tls-key or --tls-self-signed (plain HTTP only on loopback unless --insecure-http).
 * SIGHUP reloads the certificate; SIGTERM or SIGINT stop after in-flight requests finish.
 * COFFER_METRICS_TOKEN, when set, serves Prometheus metrics at GET /metrics behind that bearer token.
 * The port is bound before root credentials are made (a start that fails to bind shows nothing it
 * made); --seed fills an empty store before the "listening" line; --init runs after it.
 * --workers N (COFFER_WORKERS; one per core by default) serves from N processes on the one port:
 * this process opens and migrates the store, makes the root credentials, seeds, prints, and runs
 * --init; each worker (worker-pool.ts, primary-channel.ts) serves requests over the store.
 */
import cluster from 'node:cluster';
import { isLoopback } from '../../api/coffer-server.js';
import { ensureRootCredentials } from '../../bootstrap/root-credentials.js';
import type { Coffer } from '../../bootstrap/open-coffer.js';
import { rootPrincipal } from '../../engine/request-context.js';
import { dataDirectory } from '../../bootstrap/settings.js';
import { sqlitePath } from '../../storage/open-storage.js';
import { loadTlsMaterial, type TlsMaterial, type TlsSource } from '../../api/tls/tls-material.js';
import { UsageError, type CliCommand, type CliIo, type OptionSpecs } from '../cli-command.js';
import type { CliSession } from '../cli-session.js';
import { runInitHooks } from '../init-hooks.js';
import { applySeed, readSeed, seededCounts, storeIsEmpty, type Seed } from '../seed-file.js';
import { removeServerState, writeServerState } from '../server-state.js';
import { parseOptions } from '../parse-options.js';
import { ServingNode, type NodeOptions } from '../serve-node.js';
import { PrimaryChannel } from '../primary-channel.js';
import { workerCount, WorkerPool } from '../worker-pool.js';

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
  workers: {
    type: 'string',
    value: 'N',
    description:
      'serve from N processes sharing the port (COFFER_WORKERS; one per core by default; 1: a single process)',
  },
} as const satisfies OptionSpecs;

const shown = (host: string) => (host.includes(':') ? `[${host}]` : host);

/** What every start of `coffer serve` decided from its options. */
interface ServeConfig {
  readonly host: string;
  readonly port: number;
  readonly workers: number;
  readonly initDir: string | undefined;
  readonly seed: { readonly file: string; readonly content: Seed } | undefined;
  readonly tlsSource: TlsSource | undefined;
  readonly node: NodeOptions;
}

/** Where the server is, for the "listening" line and server.json. */
function urls(config: ServeConfig, tls: TlsMaterial | undefined, bound: number): { url: string; localUrl: string } {
  const { host } = config;
  const scheme = tls ? 'https' : 'http';
  const localHost = isLoopback(host) || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : shown(host);
  return { url: `${scheme}://${shown(host)}:${bound}`, localUrl: `${scheme}://${localHost}:${bound}` };
}

/** --dev only: start with the clock moved forward (tests of schedules across restarts). */
function applyClockOffset(coffer: Coffer, config: ServeConfig): void {
  if (config.node.dev && config.node.env.COFFER_DEV_CLOCK_OFFSET_SECONDS)
    coffer.clock.advance(Number(config.node.env.COFFER_DEV_CLOCK_OFFSET_SECONDS) * 1000);
}

/** Resolves at the first SIGTERM or SIGINT; the handlers stay, so a second signal during the drain kills nothing. */
function stopSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.on('SIGTERM', () => resolve());
    process.on('SIGINT', () => resolve());
  });
}

/**
 * Everything after the port is bound, in the one process that speaks for the server: root
 * credentials, the seed, the warnings and the "listening" line, then --init. `reloadTls` is
 * SIGHUP's work; `beforeListening` runs just before the warnings that precede the line.
 */
async function announce(
  coffer: Coffer,
  config: ServeConfig,
  tls: TlsMaterial | undefined,
  bound: number,
  io: CliIo,
  hooks: { rootFile(file: string): void; reloadTls(renewed: TlsMaterial): void; beforeListening(): void },
): Promise<{ initDone: Promise<void> }> {
  const root = await ensureRootCredentials(coffer, config.node.env);
  if ('file' in root.source) hooks.rootFile(root.source.file);
  const ctx = {
    account: coffer.settings.account,
    region: coffer.settings.region,
    principalArn: rootPrincipal(coffer.settings.account),
  };
  const { seed, host } = config;
  if (seed) {
    if (await storeIsEmpty(coffer, ctx)) {
      const seeded = await applySeed(coffer, ctx, seed.content, seed.file);
      io.err(`coffer: seeded ${seededCounts(seeded)} from ${seed.file}\n`);
    } else {
      io.err(`coffer: --seed ${seed.file} not loaded: the store already holds parameters or secrets\n`);
    }
  }
  if (!tls && config.node.insecureHttp && !isLoopback(host)) {
    io.err(
      `coffer: WARNING: --insecure-http: serving plain HTTP on ${host}: secret values and signed requests cross ` +
        `the network unencrypted.\n`,
    );
  }
  if (tls) announceTls(tls, config.tlsSource!, io, hooks.reloadTls);
  hooks.beforeListening();
  // Before the "listening" line, so nobody who waits for that line can miss it.
  if (config.node.dev)
    io.err(
      'coffer: WARNING: --dev mode: ANY well-formed signature is accepted as root (test/test too). Never expose ' +
        'this port.\n',
    );
  const { url, localUrl } = urls(config, tls, bound);
  const where = coffer.settings.databaseUrl ? 'PostgreSQL' : sqlitePath(coffer.settings.dataDir);
  writeServerState(coffer.settings.dataDir, { url: localUrl, pid: process.pid, startedAt: new Date().toISOString() });
  const processes = config.workers > 1 ? `, ${config.workers} workers` : '';
  io.err(
    `coffer: listening on ${url} (account ${coffer.settings.account}, region ${coffer.settings.region}, store ` +
      `${where}${processes})\n`,
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
  const { initDir } = config;
  if (initDir === undefined) return { initDone: Promise.resolve() };
  const credentials = {
    endpoint: localUrl,
    accessKeyId: root.accessKeyId,
    secretAccessKey: root.secretAccessKey,
    region: coffer.settings.region,
  };
  const initDone = runInitHooks(coffer, ctx, initDir, credentials, (line) => io.err(`coffer: ${line}\n`)).then(
    (outcome) => {
      const failed = outcome.failed.length ? `, ${outcome.failed.length} FAILED (${outcome.failed.join(', ')})` : '';
      io.err(`coffer: init: ${initDir} done: ${outcome.ran} ran, ${outcome.skipped} skipped${failed}\n`);
    },
  );
  return { initDone };
}

/** The certificate's lines, and SIGHUP to reload it. */
function announceTls(tls: TlsMaterial, source: TlsSource, io: CliIo, reload: (renewed: TlsMaterial) => void): void {
  io.err(
    `coffer: TLS certificate ${tls.certPath}${tls.created ? ' (self-signed, created now)' : ''}, SHA-256 ` +
      `fingerprint ${tls.fingerprint256}\n`,
  );
  if (source.kind === 'self-signed')
    io.err(
      `coffer: trust it with: aws --ca-bundle ${tls.certPath}, AWS_CA_BUNDLE=${tls.certPath}, or boto3 ` +
        `verify="${tls.certPath}"\n`,
    );
  process.on('SIGHUP', () => {
    try {
      const renewed = loadTlsMaterial(source);
      reload(renewed);
      io.err(`coffer: TLS certificate reloaded, SHA-256 fingerprint ${renewed.fingerprint256}\n`);
    } catch (error) {
      io.err(
        `coffer: TLS certificate not reloaded: ` +
          `${(error as NodeJS.ErrnoException).code ?? (error as Error).name}; still serving the previous one\n`,
      );
    }
  });
}

/**
 * Ends the process as soon as the command has returned its code: everything is closed and
 * written, and a second SIGTERM arriving while Node would tear down what is left (the ledger's
 * thread, handles) must not end it by the signal instead of the exit code.
 */
function leaveOnceStopped(): void {
  setImmediate(() => process.exit());
}

/** One process serving everything (--workers 1). */
async function serveAlone(session: CliSession, config: ServeConfig, io: CliIo): Promise<number> {
  const tls = config.tlsSource ? loadTlsMaterial(config.tlsSource) : undefined;
  const coffer = await session.openLocal({ auditLedger: 'thread', logRotations: true });
  applyClockOffset(coffer, config);
  const node = new ServingNode(coffer, { ...config.node, ...(tls ? { tls } : {}) }, (text) => io.err(text));
  // The port first: a start that cannot bind it makes no credentials it would never show.
  const bound = await node.server.listen(config.host, config.port);
  const { initDone } = await announce(coffer, config, tls, bound, io, {
    rootFile: (file) => {
      node.rootFile = file;
    },
    reloadTls: (renewed) => node.server.reloadTls(renewed),
    beforeListening: () => node.startBackground(),
  });
  await stopSignal();
  io.err('coffer: stopping: finishing in-flight requests\n');
  removeServerState(coffer.settings.dataDir, process.pid);
  await node.stop(initDone);
  leaveOnceStopped();
  return 0;
}

/**
 * The primary of --workers N: opens (and migrates) the store before any worker does, forks the
 * workers, and speaks for the server; it serves no request itself.
 */
async function servePrimary(session: CliSession, config: ServeConfig, io: CliIo): Promise<number> {
  const tls = config.tlsSource ? loadTlsMaterial(config.tlsSource) : undefined;
  const coffer = await session.openLocal({ auditLedger: 'thread', logRotations: true });
  // --seed writes here while the workers already serve: keys they change hold here too.
  coffer.keyring.followOtherProcesses(0);
  applyClockOffset(coffer, config);
  const pool = new WorkerPool(config.workers, coffer.clock, (text) => io.err(text));
  let bound: number;
  try {
    bound = await pool.start();
  } catch (error) {
    await pool.stop();
    await coffer.audit.stop();
    throw error;
  }
  const { initDone } = await announce(coffer, config, tls, bound, io, {
    rootFile: (file) => pool.setRootFile(file),
    // Each worker reloads its own copy of the certificate (and says so only if it cannot).
    reloadTls: () => pool.signal('SIGHUP'),
    beforeListening: () => {},
  });
  await stopSignal();
  io.err('coffer: stopping: finishing in-flight requests\n');
  removeServerState(coffer.settings.dataDir, process.pid);
  await pool.stop();
  await initDone;
  await coffer.audit.stop();
  leaveOnceStopped();
  return 0;
}

/** A worker of --workers N: serves requests until its primary says stop (or a signal does). */
async function serveAsWorker(session: CliSession, config: ServeConfig, io: CliIo): Promise<number> {
  const tls = config.tlsSource ? loadTlsMaterial(config.tlsSource) : undefined;
  const coffer = await session.openLocal({ auditLedger: 'thread', logRotations: true, worker: true });
  applyClockOffset(coffer, config);
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  let node: ServingNode | undefined;
  const primary = new PrimaryChannel(coffer.clock, {
    rootFile: (file) => {
      if (node) node.rootFile = file;
    },
    changed: () => node?.feed.wake(),
    stop: () => stop(),
  });
  const options = { ...config.node, ...(tls ? { tls } : {}), advanceClock: (ms: number) => primary.advanceClock(ms) };
  node = new ServingNode(coffer, options, (text) => io.err(text));
  // SQLite tells only this process of its commits; PostgreSQL's notices reach every process.
  if (coffer.storage.kind === 'sqlite') coffer.storage.watchChanges(() => primary.changed());
  const serving = node;
  if (config.tlsSource) {
    const source = config.tlsSource;
    process.on('SIGHUP', () => {
      try {
        serving.server.reloadTls(loadTlsMaterial(source));
      } catch (error) {
        io.err(
          `coffer: worker ${process.pid}: TLS certificate not reloaded: ` +
            `${(error as NodeJS.ErrnoException).code ?? (error as Error).name}; still serving the previous one\n`,
        );
      }
    });
  }
  // A worker that cannot listen closes its channel too, so that it ends and the primary hears of it.
  const bound = await node.server.listen(config.host, config.port).catch((error: unknown) => {
    primary.leave();
    throw error;
  });
  node.startBackground();
  primary.ready(bound);
  await Promise.race([stopped, stopSignal()]);
  await node.stop();
  primary.leave();
  return 0;
}

export const serveCommand: CliCommand = {
  name: 'serve',
  summary:
    'run the AWS-compatible server: SSM, Secrets Manager, IAM, STS, KMS and CloudTrail wire APIs, SigV4, IAM policies',
  usage:
    'coffer serve [--host HOST] [--port PORT] [--tls-cert FILE --tls-key FILE | --tls-self-signed] [--insecure-http] ' +
    '[--dev] [--quiet]\n' +
    '             [--init DIR] [--seed FILE] [--workers N]',
  options: OPTIONS,
  examples: [
    'coffer serve',
    'coffer serve --dev --port 4566 --init ./init --seed seed.yaml',
    'coffer serve --host 0.0.0.0 --tls-self-signed',
    'coffer serve --workers 4   # four processes on one port (one per core by default)',
    'COFFER_DATA_DIR=/tmp/second coffer serve --port 4567   # a second server, with a store of its own',
  ],
  async run(args, session, io) {
    const { values, positionals } = parseOptions(args, OPTIONS);
    if (positionals.length > 0) throw new UsageError('serve takes no arguments');
    const host = values.host ?? session.env.COFFER_HOST ?? '127.0.0.1';
    const tlsSource = tlsSourceFrom(values, session.env, dataDirectory(session.env), host);
    const config: ServeConfig = {
      host,
      port: portFrom(values.port ?? session.env.COFFER_PORT ?? '4566'),
      workers: workerCount(values.workers, session.env),
      initDir: values.init ?? (session.env.COFFER_INIT_DIR || undefined),
      // Workers need no seed: the primary loads it.
      seed:
        values.seed === undefined || cluster.isWorker
          ? undefined
          : { file: values.seed, content: readSeed(values.seed) },
      tlsSource,
      node: {
        env: session.env,
        dev: values.dev === true,
        quiet: values.quiet === true,
        insecureHttp: values['insecure-http'] === true,
      },
    };
    if (cluster.isWorker) return serveAsWorker(session, config, io);
    return config.workers > 1 ? servePrimary(session, config, io) : serveAlone(session, config, io);
  },
};
