/**
 * `coffer/client` as a package consumer gets it: the built entry point imported by the package's
 * own name (self-reference through package.json "exports") in a fresh process that refuses to
 * load a database driver, its import graph confined to dist/client, and its type declarations
 * emitted. Needs the build (`npm test` builds first; alone: `npm run build`).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = resolve(import.meta.dirname, '..', '..');
const DIST = join(ROOT, 'dist', 'client');
const ALLOWED_PACKAGES = [
  '@aws-sdk/client-ssm',
  '@aws-sdk/client-secrets-manager',
  '@smithy/signature-v4',
  'yaml',
  'dotenv',
];

/** A resolve hook that refuses the database drivers, registered before anything else loads. */
const REFUSE_DRIVERS = `
export async function resolve(specifier, context, next) {
  if (/^(better-sqlite3|pg)(\\/|$)/.test(specifier)) throw new Error('refused to load ' + specifier);
  return next(specifier, context);
}`;

const CONSUMER = `
import { register, createRequire } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(REFUSE_DRIVERS)}));
const sdk = await import('coffer/client');
const client = sdk.createClient({ store: 'env:PKG_', env: { PKG_GREETING: 'hello' } });
const value = await client.getParameter('/greeting');
await client.close();
const loaded = Object.keys(createRequire(import.meta.url).cache);
const drivers = loaded.filter((p) => /node_modules\\/(better-sqlite3|pg)\\//.test(p));
console.log(JSON.stringify({ exports: Object.keys(sdk).sort(), value, drivers }));
`;

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g)].map((m) => m[1]!);
}

describe('the coffer/client package entry point', () => {
  it('imports by package name in a fresh process, and loads no database driver', () => {
    assert.ok(existsSync(join(DIST, 'index.js')), 'dist/client/index.js is missing: run `npm run build` first');
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', CONSUMER], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    const result = JSON.parse(output.trim().split('\n').at(-1)!);
    assert.equal(result.value, 'hello');
    assert.deepEqual(result.drivers, []);
    for (const name of ['createClient', 'CofferClient', 'CofferClientError', 'ValueCache', 'FileProvider']) {
      assert.ok(result.exports.includes(name), `exports ${name}`);
    }
  });

  it('reaches only dist/client and the allowed packages from its entry point', () => {
    const seen = new Set<string>();
    const outside: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const specifier of importsOf(file)) {
        if (specifier.startsWith('.')) {
          const target = resolve(dirname(file), specifier);
          if (relative(DIST, target).startsWith('..')) outside.push(`${relative(ROOT, file)} -> ${specifier}`);
          else visit(target);
        } else if (!specifier.startsWith('node:') && !ALLOWED_PACKAGES.includes(specifier)) {
          outside.push(`${relative(ROOT, file)} -> ${specifier}`);
        }
      }
    };
    visit(join(DIST, 'index.js'));
    assert.deepEqual(outside, []);
    assert.ok(seen.size > 10);
  });

  it('emits type declarations for every module (tsconfig.client.json, which npm run build runs)', () => {
    const out = mkdtempSync(join(tmpdir(), 'coffer-client-types-'));
    try {
      const tsc = join(ROOT, 'node_modules', '.bin', 'tsc');
      execFileSync(tsc, ['-p', join(ROOT, 'tsconfig.client.json'), '--outDir', out], { cwd: ROOT, stdio: 'pipe' });
      const declarations = readdirSync(join(out, 'client')).filter((f) => f.endsWith('.d.ts'));
      const sources = readdirSync(join(ROOT, 'src', 'client')).filter((f) => f.endsWith('.ts'));
      assert.equal(declarations.length, sources.length);
      assert.match(readFileSync(join(out, 'client', 'index.d.ts'), 'utf8'), /export declare function createClient/);
      const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
      assert.deepEqual(pkg.exports['./client'], {
        types: './dist/client/index.d.ts',
        default: './dist/client/index.js',
      });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
