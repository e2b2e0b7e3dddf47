/**
 * The client layer's own rule, on the source: it imports no other layer of Coffer (the
 * architecture test checks that too) and, of packages, only the AWS SDK clients, the SigV4
 * signer, yaml, dotenv and Node's own modules: never a database driver. Every file counts,
 * sub-folders (profiles/, sync/) included.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

const CLIENT = resolve(import.meta.dirname, '..', '..', 'src', 'client');
const PACKAGES = ['@aws-sdk/client-ssm', '@aws-sdk/client-secrets-manager', '@smithy/signature-v4', 'yaml', 'dotenv'];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('src/client imports', () => {
  it('stay in the layer and in the allowed packages', () => {
    const refused: string[] = [];
    for (const file of sources(CLIENT)) {
      const text = readFileSync(file, 'utf8');
      for (const [, specifier] of text.matchAll(/from '([^']+)'/g)) {
        const inside =
          specifier!.startsWith('.') && !relative(CLIENT, resolve(dirname(file), specifier!)).startsWith('..');
        if (!inside && !specifier!.startsWith('node:') && !PACKAGES.includes(specifier!)) {
          refused.push(`${relative(CLIENT, file)}: ${specifier}`);
        }
      }
    }
    assert.deepEqual(refused, []);
  });
});
