/**
 * What the conformance suite leaves out: how each store URL is read, the environment's name
 * mapping, dotenv keys as written, names that would leave a directory tree, a file edited while
 * in use, selectors and secret ids on local stores, and durations in settings.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DirectoryProvider } from '../../src/client/directory-provider.js';
import { parseDuration } from '../../src/client/duration.js';
import { EnvironmentProvider, environmentName } from '../../src/client/environment-provider.js';
import { FileProvider } from '../../src/client/file-provider.js';
import { MemoryProvider } from '../../src/client/memory-provider.js';
import { parameterNameFromArn, secretNameCandidates, splitSelector } from '../../src/client/parameter-names.js';
import { providerFromStoreUrl } from '../../src/client/store-url.js';

const dir = mkdtempSync(join(tmpdir(), 'coffer-store-urls-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('store URLs', () => {
  it('choose the provider, and the feed only for coffer: with an endpoint', () => {
    writeFileSync(join(dir, 'a.json'), '{}');
    const choices = {
      coffer: providerFromStoreUrl('coffer:', { endpoint: 'http://127.0.0.1:4566', env: {} }),
      cofferInUrl: providerFromStoreUrl('coffer:http://127.0.0.1:4566', { env: {} }),
      cofferFromEnv: providerFromStoreUrl('coffer:', { env: { COFFER_ENDPOINT: 'http://127.0.0.1:9' } }),
      cofferToAws: providerFromStoreUrl('coffer:', { env: {} }),
      aws: providerFromStoreUrl('aws:', { endpoint: 'http://127.0.0.1:4566', env: {} }),
      file: providerFromStoreUrl(`file:${join(dir, 'a.json')}`),
      fileUrl: providerFromStoreUrl(`file://${join(dir, 'a.json')}`),
      directory: providerFromStoreUrl(`file:${dir}`),
      env: providerFromStoreUrl('env:APP_'),
    };
    const summary = Object.fromEntries(
      Object.entries(choices).map(([k, c]) => [k, `${c.provider.constructor.name} ${c.changesByDefault}`]),
    );
    assert.deepEqual(summary, {
      coffer: 'AwsProvider true',
      cofferInUrl: 'AwsProvider true',
      cofferFromEnv: 'AwsProvider true',
      cofferToAws: 'AwsProvider false',
      aws: 'AwsProvider false',
      file: 'FileProvider false',
      fileUrl: 'FileProvider false',
      directory: 'DirectoryProvider false',
      env: 'EnvironmentProvider false',
    });
    for (const choice of Object.values(choices)) void choice.provider.close?.();
    assert.throws(() => providerFromStoreUrl('vault:secret/x'), { code: 'ValidationException' });
    assert.throws(() => providerFromStoreUrl(`file:${join(dir, 'notes.txt')}`), { code: 'ValidationException' });
  });
});

describe('local providers', () => {
  it('map names to variables as /a/b-c to A_B_C, after the prefix', async () => {
    assert.equal(environmentName('/a/b-c.d'), 'A_B_C_D');
    const env = new EnvironmentProvider({
      prefix: 'APP_',
      env: { APP_DB_URL: 'u', APP_LEE_HA_ACCESS_TOKEN: 't', HOME: 'h' },
    });
    assert.equal((await env.getParameter('/db-url', { decrypt: true })).Value, 'u');
    assert.equal((await env.getParameter('/lee/ha/access_token', { decrypt: true })).Value, 't');
    await assert.rejects(env.getParameter('/home', { decrypt: true }), { code: 'ParameterNotFound' });
    const listed = await env.getParametersByPath('/', { recursive: true, decrypt: true });
    assert.deepEqual(listed.map((r) => r.Name).sort(), ['/db/url', '/lee/ha/access/token']);
  });

  it('find dotenv keys as written too', async () => {
    writeFileSync(join(dir, 'legacy.env'), 'PORTAL_PASSWORD="p w"\nexport API_KEY=k\n');
    const file = new FileProvider(join(dir, 'legacy.env'));
    assert.equal((await file.getParameter('PORTAL_PASSWORD')).Value, 'p w');
    assert.equal((await file.getParameter('/portal/password')).Value, 'p w');
    assert.equal((await file.getSecretValue('API_KEY')).SecretString, 'k');
  });

  it('never read outside a directory tree, nor its dot-files', async () => {
    const root = join(dir, 'tree');
    mkdirSync(join(root, 'a'), { recursive: true });
    writeFileSync(join(root, 'a', 'b'), 'inside\n');
    writeFileSync(join(dir, 'outside'), 'outside');
    writeFileSync(join(root, '.hidden'), 'hidden');
    const tree = new DirectoryProvider(root);
    assert.equal((await tree.getParameter('/a/b')).Value, 'inside');
    for (const name of ['/../outside', '/a/../../outside', '/.hidden', '/a//b', '/a']) {
      await assert.rejects(tree.getParameter(name), { code: 'ParameterNotFound' }, name);
    }
  });

  it('read a file again once it changes', async () => {
    const path = join(dir, 'live.json');
    writeFileSync(path, JSON.stringify({ app: { mode: 'one' } }));
    const file = new FileProvider(path);
    assert.equal((await file.getParameter('/app/mode')).Value, 'one');
    writeFileSync(path, JSON.stringify({ app: { mode: 'two!' } }));
    utimesSync(path, new Date(), new Date(Date.now() + 5_000));
    assert.equal((await file.getParameter('/app/mode')).Value, 'two!');
  });

  it('answer selectors and secret ids as AWS would, for their one version', async () => {
    const memory = new MemoryProvider('m', { '/a': '1', foo: 'bar', 'prod/db': 's' });
    assert.equal((await memory.getParameter('/a:1')).Selector, ':1');
    await assert.rejects(memory.getParameter('/a:2'), { code: 'ParameterVersionNotFound' });
    await assert.rejects(memory.getParameter('/a:label'), { code: 'ParameterNotFound' });
    assert.equal((await memory.getParameter('/foo')).Name, 'foo', 'one-level names in either spelling');
    const secret = await memory.getSecretValue('prod/db');
    assert.equal((await memory.getSecretValue(secret.ARN)).SecretString, 's');
    assert.equal(
      (await memory.getSecretValue('arn:aws:secretsmanager:local:000000000000:secret:prod/db')).Name,
      'prod/db',
    );
    await assert.rejects(memory.getSecretValue('prod/db', { versionStage: 'AWSPREVIOUS' }), {
      code: 'ResourceNotFoundException',
    });
  });
});

describe('names and durations', () => {
  it('split selectors and ARNs', () => {
    assert.deepEqual(splitSelector('/a/b:3'), { name: '/a/b', selector: ':3' });
    assert.deepEqual(splitSelector('arn:aws:ssm:us-east-1:123456789012:parameter/a/b:prod'), {
      name: 'arn:aws:ssm:us-east-1:123456789012:parameter/a/b',
      selector: ':prod',
    });
    assert.equal(parameterNameFromArn('arn:aws:ssm:us-east-1:123456789012:parameter/a/b'), '/a/b');
    assert.equal(parameterNameFromArn('arn:aws:ssm:us-east-1:123456789012:parameter/foo'), '/foo');
    assert.equal(parameterNameFromArn('arn:aws:secretsmanager:us-east-1:1:secret:x'), undefined);
    assert.deepEqual(secretNameCandidates('arn:aws:secretsmanager:r:1:secret:prod/db-AbCdEf'), [
      'prod/db',
      'prod/db-AbCdEf',
    ]);
  });

  it('parse durations with units', () => {
    assert.deepEqual(
      ['300000', '250ms', '30s', '5m', '1h', '1.5s'].map((d) => parseDuration(d, 'X')),
      [300_000, 250, 30_000, 300_000, 3_600_000, 1_500],
    );
    assert.throws(() => parseDuration('5 minutes', 'COFFER_CACHE_MAX_AGE'), /COFFER_CACHE_MAX_AGE/);
  });
});
