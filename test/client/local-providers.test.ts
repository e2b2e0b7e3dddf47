/**
 * The conformance suite on every local provider: JSON, YAML and dotenv files, a directory tree,
 * the environment, and a fallback chain whose first provider holds nothing.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { environmentName } from '../../src/client/environment-provider.js';
import { FallbackProvider } from '../../src/client/fallback-provider.js';
import { MemoryProvider } from '../../src/client/memory-provider.js';
import { providerFromStoreUrl } from '../../src/client/store-url.js';
import { BINARY_SECRET, exerciseProvider, fixtureTree, PARAMETERS, SECRETS } from './provider-conformance.js';

const TEXT = { ...PARAMETERS, ...SECRETS };

function scratch(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-client-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function jsonFile(): { path: string; cleanup(): void } {
  const { dir, cleanup } = scratch();
  const tree = fixtureTree((bytes) => ({ $binary: Buffer.from(bytes).toString('base64') }));
  // One secret as a `$json` object rather than text, and one parameter as a whole name.
  (tree.vault as Record<string, unknown>).json = { $json: JSON.parse(SECRETS['/vault/json']!) };
  const conformance = tree.conformance as Record<string, unknown>;
  delete conformance.top;
  const path = join(dir, 'secrets.json');
  writeFileSync(path, JSON.stringify({ '/conformance/top': PARAMETERS['/conformance/top'], ...tree }));
  return { path, cleanup };
}

exerciseProvider('file: JSON', async () => {
  const { path, cleanup } = jsonFile();
  return { provider: providerFromStoreUrl(`file:${path}`).provider, binary: true, cleanup };
});

exerciseProvider('file: YAML', async () => {
  const { dir, cleanup } = scratch();
  const path = join(dir, 'secrets.yaml');
  // YAML's own tag for bytes: `!!binary <base64>`.
  const text = stringify(fixtureTree(() => 'BYTES')).replace(
    'BYTES',
    `!!binary ${Buffer.from(BINARY_SECRET.value).toString('base64')}`,
  );
  writeFileSync(path, text);
  return { provider: providerFromStoreUrl(`file:${path}`).provider, binary: true, cleanup };
});

exerciseProvider('file: dotenv', async () => {
  const { dir, cleanup } = scratch();
  const path = join(dir, 'app.env');
  const lines = Object.entries(TEXT).map(([name, value]) => `${environmentName(name)}='${value}'`);
  writeFileSync(path, `# the fixture\n${lines.join('\n')}\n`);
  return { provider: providerFromStoreUrl(`file:${path}`).provider, binary: false, cleanup };
});

exerciseProvider('file: directory tree', async () => {
  const { dir, cleanup } = scratch();
  for (const [name, value] of Object.entries(TEXT)) {
    mkdirSync(join(dir, dirname(name)), { recursive: true });
    writeFileSync(join(dir, name), `${value}\n`);
  }
  writeFileSync(join(dir, BINARY_SECRET.name), BINARY_SECRET.value);
  mkdirSync(join(dir, '..data'));
  writeFileSync(join(dir, '..data', 'hidden'), 'never listed');
  return { provider: providerFromStoreUrl(`file:${dir}`).provider, binary: true, cleanup };
});

exerciseProvider('env: with a prefix', async () => {
  const env = Object.fromEntries(Object.entries(TEXT).map(([name, value]) => [`CONF_${environmentName(name)}`, value]));
  return { provider: providerFromStoreUrl('env:CONF_', { env: { ...env, OTHER: 'unseen' } }).provider, binary: false };
});

exerciseProvider('fallback: an empty store, then a JSON file', async () => {
  const { path, cleanup } = jsonFile();
  const chain = new FallbackProvider([new MemoryProvider('empty', {}), providerFromStoreUrl(`file:${path}`).provider]);
  return { provider: chain, binary: true, cleanup };
});
