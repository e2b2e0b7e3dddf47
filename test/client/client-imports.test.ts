/**
 * The client layer's own rule, on the source: it imports no other layer of Coffer (the
 * architecture test checks that too) and, of packages, only the AWS SDK clients, the SigV4
 * signer, yaml, dotenv and Node's own modules: never a database driver.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';

const CLIENT = resolve(import.meta.dirname, '..', '..', 'src', 'client');
const PACKAGES = ['@aws-sdk/client-ssm', '@aws-sdk/client-secrets-manager', '@smithy/signature-v4', 'yaml', 'dotenv'];

describe('src/client imports', () => {
  it('stay in the layer and in the allowed packages', () => {
    const refused: string[] = [];
    for (const file of readdirSync(CLIENT).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(join(CLIENT, file), 'utf8');
      for (const [, specifier] of text.matchAll(/from '([^']+)'/g)) {
        const local = specifier!.startsWith('./') && !specifier!.includes('/', 2);
        if (!local && !specifier!.startsWith('node:') && !PACKAGES.includes(specifier!)) {
          refused.push(`${file}: ${specifier}`);
        }
      }
    }
    assert.deepEqual(refused, []);
  });
});
