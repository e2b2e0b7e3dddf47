/**
 * The container image, tested without Docker: the Dockerfile's build stage copies sources and
 * runs container/build-steps.sh; this test does the same on a fresh directory, then starts the
 * output as the image's ENTRYPOINT and CMD would, with the image's ENV and the compose file's
 * credentials, runs the image's HEALTHCHECK, and checks that the example init folder ran.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { parse as parseYaml } from 'yaml';
import { until } from '../helpers/until.js';

const ROOT = join(import.meta.dirname, '..', '..');
const DOCKERFILE = readFileSync(join(ROOT, 'container', 'Dockerfile'), 'utf8');

/** The Dockerfile's instructions, continuation lines joined, comments dropped. */
function instructions(): { op: string; args: string }[] {
  return DOCKERFILE.replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const space = line.indexOf(' ');
      return { op: line.slice(0, space), args: line.slice(space + 1).trim() };
    });
}

/** The final stage's instructions (after the last FROM). */
function finalStage() {
  const all = instructions();
  const last = all.map((i) => i.op).lastIndexOf('FROM');
  return all.slice(last + 1);
}

/** The final stage's ENV, as a map. */
function imageEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { op, args } of finalStage())
    if (op === 'ENV') for (const [, k, v] of args.matchAll(/(\w+)=(\S+)/g)) env[k!] = v!;
  return env;
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

describe('the container image build steps', { timeout: 600_000 }, () => {
  it('build a production tree from a fresh directory that serves, passes its healthcheck and runs init', async () => {
    const work = mkdtempSync(join(tmpdir(), 'coffer-image-'));
    try {
      // The build stage: every COPY into the WORKDIR, then the RUN of the build steps.
      const build = instructions().slice(
        0,
        instructions()
          .map((i) => i.op)
          .lastIndexOf('FROM'),
      );
      assert.ok(build.some((i) => i.op === 'WORKDIR' && i.args === '/src'));
      const context = join(work, 'src');
      mkdirSync(context);
      for (const { op, args } of build) {
        if (op !== 'COPY' || args.startsWith('--')) continue;
        const parts = args.split(/\s+/);
        const destination = parts.pop()!;
        if (!destination.startsWith('./')) continue;
        for (const source of parts) {
          const target = destination === './' ? join(context, source) : join(context, destination);
          cpSync(join(ROOT, source), target, { recursive: true });
        }
      }
      assert.ok(build.some((i) => i.op === 'RUN' && i.args === 'coffer-build-steps /src /opt/coffer'));
      const output = join(work, 'opt-coffer');
      const run = spawnSync('sh', [join(ROOT, 'container', 'build-steps.sh'), context, output], {
        encoding: 'utf8',
        timeout: 540_000,
      });
      assert.equal(run.status, 0, `build steps failed:\n${run.stdout}\n${run.stderr}`);

      // Only what runs the server: no sources, tests, compiler or linter.
      assert.deepEqual(readdirSync(output).sort(), ['bin', 'dist', 'node_modules', 'package.json']);
      for (const dev of ['typescript', 'tsx', '@biomejs', '@types', 'esbuild'])
        assert.equal(existsSync(join(output, 'node_modules', dev)), false, `${dev} shipped`);
      assert.ok(existsSync(join(output, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node')));

      // The final stage: `coffer` on the PATH, the image's ENV, ENTRYPOINT and CMD.
      const stage = finalStage();
      assert.ok(stage.some((i) => i.op === 'USER' && i.args !== 'root'));
      assert.ok(stage.some((i) => i.op === 'VOLUME' && i.args === imageEnv().COFFER_DATA_DIR));
      const pathDir = join(work, 'usr-local-bin');
      mkdirSync(pathDir);
      symlinkSync(join(output, 'bin', 'coffer.js'), join(pathDir, 'coffer'));
      const entrypoint = JSON.parse(stage.find((i) => i.op === 'ENTRYPOINT')!.args) as string[];
      const cmd = JSON.parse(stage.find((i) => i.op === 'CMD')!.args) as string[];
      assert.deepEqual(entrypoint, ['coffer']);

      const compose = parseYaml(readFileSync(join(ROOT, 'container', 'docker-compose.yml'), 'utf8'));
      const service = compose.services.coffer;
      // Compose's interpolation of ${NAME:?message} from container/.env, made from .env.example as the file says.
      const dotenv = Object.fromEntries(
        readFileSync(join(ROOT, 'container', '.env.example'), 'utf8')
          .split('\n')
          .filter((line) => /^\w+=/.test(line))
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      );
      const environment: Record<string, string> = Object.fromEntries(
        Object.entries(service.environment as Record<string, string>).map(([k, v]) => {
          const required = /^\$\{(\w+):\?[^}]*\}$/.exec(v);
          return [k, required ? dotenv[required[1]!]! : v];
        }),
      );
      assert.ok(environment.COFFER_ROOT_ACCESS_KEY_ID, 'the compose file takes the root key from .env');
      assert.ok(
        service.ports.every((p: string) => p.startsWith('127.0.0.1:')),
        'compose publishes on loopback only',
      );
      const initMount = (service.volumes as string[]).find((v) => v.includes(imageEnv().COFFER_INIT_DIR!))!;
      const initDir = join(ROOT, 'container', initMount.split(':')[0]!);
      const port = await freePort();
      const env = {
        ...process.env,
        ...imageEnv(),
        ...environment,
        // Test traffic stays on loopback: the image's 0.0.0.0 becomes 127.0.0.1 here.
        COFFER_HOST: '127.0.0.1',
        COFFER_PORT: String(port),
        COFFER_DATA_DIR: join(work, 'var-lib-coffer'),
        COFFER_INIT_DIR: initDir,
        PATH: `${pathDir}:${process.env.PATH}`,
      };
      const server = spawn(join(pathDir, entrypoint[0]!), cmd, { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let log = '';
      server.stdout.on('data', (d: Buffer) => (log += d.toString()));
      server.stderr.on('data', (d: Buffer) => (log += d.toString()));
      const exited = new Promise<number | null>((resolve) => server.on('exit', resolve));
      try {
        const check = JSON.parse(stage.find((i) => i.op === 'HEALTHCHECK')!.args.replace(/^.*?CMD\s+/, '')) as string[];
        const probe = check.map((arg) => arg.replace('127.0.0.1:4566', `127.0.0.1:${port}`));
        await until(
          'the healthcheck to pass',
          async () => (spawnSync(probe[0]!, probe.slice(1), { env }).status === 0 ? true : undefined),
          60,
        );
        const credentials = {
          accessKeyId: environment.COFFER_ROOT_ACCESS_KEY_ID!,
          secretAccessKey: environment.COFFER_ROOT_SECRET_ACCESS_KEY!,
        };
        const options = { endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials };
        const ssm = new SSMClient(options);
        const flags = await until(
          'the init script to run',
          async () =>
            ssm.send(new GetParameterCommand({ Name: '/dev/app/feature-flags' })).then(
              (r) => r.Parameter,
              () => undefined,
            ),
          60,
        );
        assert.equal(flags.Type, 'StringList');
        assert.equal(flags.Value, 'checkout,search');
        const url = await ssm.send(new GetParameterCommand({ Name: '/dev/app/db-url' }));
        assert.equal(url.Parameter?.Value, 'postgres://db:5432/app');
        const secrets = new SecretsManagerClient(options);
        const secret = await secrets.send(new GetSecretValueCommand({ SecretId: 'dev/app/db' }));
        assert.deepEqual(JSON.parse(secret.SecretString!), { username: 'app', password: 'change-me' });
        ssm.destroy();
        secrets.destroy();
      } catch (error) {
        throw new Error(`${(error as Error).message}\nserver output:\n${log}`, { cause: error });
      } finally {
        server.kill('SIGTERM');
      }
      assert.equal(await exited, 0, log);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
