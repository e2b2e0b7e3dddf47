/**
 * The README's quick starts, run as written: the shell blocks are taken from README.md, so this
 * fails when the README drifts from what Coffer does. Each runs in a temporary HOME (so the data
 * directory is the default one under it) with nothing of the caller's AWS or Coffer settings,
 * driving the real `npm start`, `npx coffer`, the aws CLI and boto3.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readSeed } from '../../src/cli/seed-file.js';
import { until } from '../helpers/until.js';

const ROOT = join(import.meta.dirname, '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The text under a heading (`## Quick start: the CLI`), up to the next heading of any level. */
function section(heading: string): string {
  const start = README.indexOf(`\n${heading}\n`);
  assert.ok(start >= 0, `README has no heading "${heading}"`);
  const rest = README.slice(start + heading.length + 2);
  const next = rest.search(/\n#{1,6} /);
  return next < 0 ? rest : rest.slice(0, next);
}

/** The fenced blocks of a language in some README text, as written. */
function blocks(text: string, language: string): string[] {
  return [...text.matchAll(new RegExp(`^ *\`\`\`${language}\\n([\\s\\S]*?)^ *\`\`\`$`, 'gm'))].map((m) => m[1]!);
}

/** Scratch directories under the clone, so that `npx coffer` finds this package. */
const SCRATCH = join(ROOT, '.coffer-test');
const scratch: string[] = [];
after(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});
function scratchDir(name: string): string {
  mkdirSync(SCRATCH, { recursive: true });
  const dir = mkdtempSync(join(SCRATCH, `readme-${name}-`));
  scratch.push(dir);
  return dir;
}

/** A reader's shell: a fresh HOME, and none of the caller's AWS_* or COFFER_* or XDG settings. */
function readerEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(AWS_|COFFER_|XDG_)/.test(k)) env[k] = v;
  return { ...env, HOME: home, npm_config_update_notifier: 'false', ...extra };
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

function bash(script: string, env: NodeJS.ProcessEnv, cwd: string) {
  return spawnSync('bash', ['-e', '-o', 'pipefail', '-c', script], { env, cwd, encoding: 'utf8', timeout: 180_000 });
}

describe('README quick starts, as written', { timeout: 400_000 }, () => {
  it('the server: npm start, coffer env, the aws CLI, boto3, then Secrets Manager with rotation', async () => {
    const start = blocks(section('## Quick start: the server'), 'sh');
    assert.equal(start.length, 3, 'start, client commands, boto3');
    // The install is what brought this suite here; a second `npm install` under a running suite
    // would rewrite its node_modules, so only `npm start` runs.
    assert.equal(start[0], 'npm install && npm start\n');
    const home = scratchDir('home');
    // The README's port is 4566; the suite takes a free one through the documented COFFER_PORT
    // (coffer env follows the server wherever it listens).
    const env = readerEnv(home, { COFFER_PORT: String(await freePort()) });
    const server: ChildProcess = spawn('sh', ['-c', 'npm start'], {
      cwd: ROOT,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    server.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    server.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    const exited = new Promise<number | null>((resolve) => server.on('exit', resolve));
    const dataDir = join(home, '.local', 'share', 'coffer');
    try {
      await until(
        'the server to start',
        async () => (/root credentials \(shown once/.test(log) ? true : undefined),
        60,
      );
      assert.ok(log.includes(join(dataDir, 'root-credentials')), 'says where the credentials are, as the README does');

      const secrets = blocks(section('## Secrets Manager and rotation'), 'sh');
      assert.equal(secrets.length, 2);
      const work = scratchDir('server');
      const run = bash([start[1], start[2], ...secrets].join(''), env, work);
      assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}\n${log}`);
      const out = run.stdout;
      assert.match(out, /"Name": "\/dev\/app\/key"/);
      assert.match(out, /"Type": "SecureString"/);
      assert.match(out, /"Value": "v"/);
      assert.match(out, /^v$/m, 'boto3 read the value');
      assert.match(out, /^\{"username":"app","password":"initial"\}$/m);
      // The secret's values as get-secret-value printed them, one JSON line each (a password may hold any character).
      const passwords = out
        .split('\n')
        .filter((line) => line.startsWith('{"username":'))
        .map((line) => (JSON.parse(line) as { username: string; password: string }).password);
      assert.equal(passwords.length, 2, out);
      assert.equal(passwords[0], 'initial');
      assert.equal(passwords[1]!.length, 32, 'a new 32-character password');
      assert.match(out, /succeeded/);
      assert.match(out, /"ARN": "arn:aws:secretsmanager:us-east-1:000000000000:secret:prod\/db-/);
      assert.ok(!log.includes('initial') && !log.includes(passwords[1]!), 'no value in the server log');
    } finally {
      // npm start's process group: npm, its shell and coffer serve (a signal to npm alone may not reach coffer).
      try {
        process.kill(-server.pid!, 'SIGTERM');
      } catch {}
    }
    await exited;
    await until('coffer serve to stop', async () => (existsSync(join(dataDir, 'server.json')) ? undefined : true));
  });

  it('the CLI: put, get with selectors, label, ls with folders, history, exec, export and import', () => {
    const [script] = blocks(section('## Quick start: the CLI'), 'sh');
    assert.ok(script);
    const home = scratchDir('cli-home');
    const run = bash(script, readerEnv(home), scratchDir('cli'));
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    const lines = run.stdout.split('\n');
    assert.equal(lines.filter((l) => l === 's3cr3t').length, 3, 'latest, :1 and :stable');
    assert.equal(lines.filter((l) => l === 'n3w').length, 2, 'exec and the imported copy');
    assert.ok(lines.includes('  api/  (1 parameter)'), run.stdout);
    assert.ok(existsSync(join(home, '.local', 'share', 'coffer', 'coffer.db')), 'the default data directory');
  });

  it('coffer from any folder: npm install -g . puts coffer on the PATH; npm pack ships only what runs', () => {
    const [script] = blocks(section('### `coffer` from any folder'), 'sh');
    assert.equal(script, 'npm install -g .     # or: npm link\ncoffer --version\n');
    const prefix = scratchDir('prefix');
    // ignore-scripts: `prepare` would rebuild dist/ under the suite that is running from it.
    const env = readerEnv(scratchDir('g-home'), {
      npm_config_prefix: prefix,
      npm_config_ignore_scripts: 'true',
      PATH: `${join(prefix, 'bin')}:${process.env.PATH}`,
    });
    const install = bash(script.split('\n')[0]!, env, ROOT);
    assert.equal(install.status, 0, install.stderr);
    const elsewhere = mkdtempSync(join(tmpdir(), 'coffer-app-'));
    try {
      const version = bash('coffer --version', env, elsewhere);
      assert.equal(version.status, 0, version.stderr);
      const { version: expected } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
      assert.equal(version.stdout, `coffer ${expected}\n`);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
    const pack = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: ROOT,
      env,
      encoding: 'utf8',
    });
    assert.equal(pack.status, 0, pack.stderr);
    const files = (JSON.parse(pack.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    const outside = files.filter(
      (f) => !/^(bin|dist)\//.test(f) && !['package.json', 'README.md', 'LICENSE'].includes(f),
    );
    assert.deepEqual(outside, [], 'only bin/, dist/, package.json, README.md and LICENSE are shipped');
    assert.ok(files.includes('bin/coffer.js') && files.includes('dist/cli/main.js'));
  });

  it('the seed file example is a seed file Coffer reads', () => {
    const [yaml] = blocks(section('### Coming from LocalStack'), 'yaml');
    assert.ok(yaml);
    const file = join(scratchDir('seed'), 'seed.yaml');
    writeFileSync(file, yaml.replace(/^ {2}/gm, ''));
    const seed = readSeed(file);
    assert.deepEqual(
      seed.parameters.map((p) => [p.name, p.type]),
      [['/dev/app/db-url', 'String']],
    );
    assert.equal(seed.secrets[0]?.name, 'dev/app/db');
  });

  it('every relative link and anchor in the README leads somewhere', () => {
    const anchors = new Set(
      [...README.matchAll(/^#{1,6} (.+)$/gm)].map((m) =>
        m[1]!
          .toLowerCase()
          .replace(/[^a-z0-9 -]/g, '')
          .replace(/ /g, '-'),
      ),
    );
    for (const [, target] of README.matchAll(/\]\(([^)]+)\)/g)) {
      if (/^https?:/.test(target!)) continue;
      if (target!.startsWith('#')) assert.ok(anchors.has(target!.slice(1)), `no heading for ${target}`);
      else assert.ok(existsSync(join(ROOT, target!)), `${target} does not exist`);
    }
  });
});
