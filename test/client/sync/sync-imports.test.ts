/**
 * The sync module is part of the SDK: it imports only the client layer (no server code), Node's
 * own modules and the packages the client may use, so it loads without a database driver.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

const CLIENT = resolve(import.meta.dirname, '..', '..', '..', 'src', 'client');
const SYNC = join(CLIENT, 'sync');
const PACKAGES = ['@aws-sdk/client-ssm', '@aws-sdk/client-secrets-manager', 'yaml', 'dotenv'];

describe('src/client/sync imports', () => {
  it('stay in the client layer and its allowed packages', () => {
    const refused: string[] = [];
    for (const file of readdirSync(SYNC).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(join(SYNC, file), 'utf8');
      for (const [, specifier] of text.matchAll(/from '([^']+)'/g)) {
        // Anywhere in src/client (profiles/ included), never above it.
        const inClient = specifier!.startsWith('.') && !relative(CLIENT, resolve(SYNC, specifier!)).startsWith('..');
        if (!inClient && !specifier!.startsWith('node:') && !PACKAGES.includes(specifier!))
          refused.push(`${file}: ${specifier}`);
      }
    }
    assert.deepEqual(refused, []);
  });

  it('loads on its own', async () => {
    const sync = await import('../../../src/client/sync/index.js');
    assert.equal(typeof sync.planSync, 'function');
  });
});
