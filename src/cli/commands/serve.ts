/**
 * `coffer serve`: the AWS wire API on one port (what `npm start` runs). Stops on SIGTERM or
 * SIGINT after in-flight requests finish.
 */
import { AccessLog } from '../../api/access-log.js';
import { CofferServer } from '../../api/coffer-server.js';
import { cofferServices } from '../../api/coffer-services.js';
import { faultLine } from '../../api/fault-report.js';
import { allowedRegions } from '../../api/models/regions.js';
import { RequestPipeline } from '../../api/request-pipeline.js';
import { ServiceRouter } from '../../api/service-router.js';
import { ensureRootCredentials } from '../../bootstrap/root-credentials.js';
import { sqlitePath } from '../../storage/open-storage.js';
import { UsageError, type CliCommand } from '../cli-command.js';
import { parseOptions } from '../parse-options.js';

function portFrom(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0-65535, not ${text}`);
  return port;
}

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'run the AWS-compatible server (SSM, IAM, STS and KMS wire APIs with SigV4 and IAM policies)',
  usage: 'coffer serve [--host HOST] [--port PORT] [--dev] [--quiet]',
  async run(args, session, io) {
    const { values, positionals } = parseOptions(args, {
      host: { type: 'string' }, port: { type: 'string' }, dev: { type: 'boolean' }, quiet: { type: 'boolean' },
    });
    if (positionals.length > 0) throw new UsageError('serve takes no arguments');
    const host = values.host ?? session.env.COFFER_HOST ?? '127.0.0.1';
    const port = portFrom(values.port ?? session.env.COFFER_PORT ?? '4566');
    const dev = values.dev === true;
    const coffer = await session.openLocal();
    // --dev only: start with the clock moved forward (tests of schedules across restarts).
    if (dev && session.env.COFFER_DEV_CLOCK_OFFSET_SECONDS) coffer.clock.advance(Number(session.env.COFFER_DEV_CLOCK_OFFSET_SECONDS) * 1000);
    const root = await ensureRootCredentials(coffer, session.env);
    const router = new ServiceRouter(cofferServices(coffer));
    const pipeline = new RequestPipeline(router, (id, token) => coffer.credentials(id, token), coffer.iam.callers, { dev, account: coffer.settings.account, regions: allowedRegions(coffer.settings) });
    const server = new CofferServer({
      pipeline, storage: coffer.storage, clock: coffer.clock, recorder: new AccessLog(process.stdout, values.quiet === true), dev,
      onFault: (error, requestId) => io.err(faultLine(error, requestId)),
    });
    const bound = await server.listen(host, port);
    // Rotations run on every node; the store's leases let exactly one run each due rotation.
    coffer.rotation.scheduler.start(Number(session.env.COFFER_ROTATION_TICK_MS ?? 30_000));
    // Secrets past their recovery window are purged here, never by the reads that find them.
    coffer.secrets.sweeper.start(Number(session.env.COFFER_SWEEP_TICK_MS ?? 60_000));
    // Before the "listening" line, so nobody who waits for that line can miss it.
    if (dev) io.err('coffer: WARNING: --dev mode: ANY well-formed signature is accepted as root. Never expose this port.\n');

    const where = coffer.settings.databaseUrl ? 'PostgreSQL' : sqlitePath(coffer.settings.dataDir);
    io.err(`coffer: listening on http://${host.includes(':') ? `[${host}]` : host}:${bound} (account ${coffer.settings.account}, store ${where})\n`);
    if (root.generatedSecret) {
      io.err(`coffer: root credentials (shown once, also saved to ${root.file}):\n` +
        `  AWS_ACCESS_KEY_ID=${root.accessKeyId}\n  AWS_SECRET_ACCESS_KEY=${root.generatedSecret}\n`);
    } else {
      io.err(`coffer: root access key ${root.accessKeyId}\n`);
    }
    // Handlers stay installed: a second signal during the drain must not kill the process.
    await new Promise<void>((resolve) => {
      process.on('SIGTERM', () => resolve());
      process.on('SIGINT', () => resolve());
    });
    io.err('coffer: stopping: finishing in-flight requests\n');
    await server.close();
    return 0;
  },
};
