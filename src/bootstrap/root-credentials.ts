/**
 * Root credentials, MinIO's way: `COFFER_ROOT_ACCESS_KEY_ID` and `COFFER_ROOT_SECRET_ACCESS_KEY`
 * set them; when unset and the store has no root key yet, a pair is generated, handed back once
 * to be printed, and written to `<data-dir>/root-credentials` (mode 0600). The store keeps the
 * secret sealed, never in plaintext.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateAccessKeyId, generateSecretAccessKey } from '../engine/identity/access-key-store.js';
import { rootPrincipal } from '../engine/request-context.js';
import type { Coffer } from './open-coffer.js';

/** What start-up should tell the operator, and what init scripts are given. */
export interface RootCredentialsOutcome {
  readonly accessKeyId: string;
  /** The secret (for init scripts; printed only when generated now). */
  readonly secretAccessKey: string;
  /** Set only when the pair was generated now: print it once. */
  readonly generated: boolean;
  /** Where the pair is kept: the credentials file, or the environment. */
  readonly source: { readonly file: string } | { readonly environment: true };
}

/** Where a generated pair is kept. */
export function rootCredentialsFile(dataDir: string): string {
  return join(dataDir, 'root-credentials');
}

/** Makes sure the root principal has the configured (or a generated) key. */
export async function ensureRootCredentials(coffer: Coffer, env: NodeJS.ProcessEnv): Promise<RootCredentialsOutcome> {
  const { account, dataDir } = coffer.settings;
  const root = rootPrincipal(account);
  const existing = await coffer.accessKeys.idsOf(root);
  const id = env.COFFER_ROOT_ACCESS_KEY_ID;
  const secret = env.COFFER_ROOT_SECRET_ACCESS_KEY;
  if (id || secret) {
    if (!id || !secret)
      throw new Error('set both COFFER_ROOT_ACCESS_KEY_ID and COFFER_ROOT_SECRET_ACCESS_KEY, or neither');
    const current = await coffer.accessKeys.find(id);
    const outcome = {
      accessKeyId: id,
      secretAccessKey: secret,
      generated: false,
      source: { environment: true as const },
    };
    if (current?.principalArn === root && current.secretAccessKey === secret) return outcome;
    // The environment is authoritative: replace whatever root key the store had.
    for (const old of existing) await coffer.accessKeys.remove(old);
    if (current) await coffer.accessKeys.remove(id);
    await coffer.accessKeys.add(account, root, account, { accessKeyId: id, secretAccessKey: secret });
    return outcome;
  }
  const file = rootCredentialsFile(dataDir);
  const kept = existing.length > 0 ? await coffer.accessKeys.find(existing[0]!) : undefined;
  if (kept)
    return { accessKeyId: kept.accessKeyId, secretAccessKey: kept.secretAccessKey, generated: false, source: { file } };
  const pair = { accessKeyId: generateAccessKeyId(), secretAccessKey: generateSecretAccessKey() };
  await coffer.accessKeys.add(account, root, account, pair);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(
    file,
    `[default]\naws_access_key_id = ${pair.accessKeyId}\naws_secret_access_key = ${pair.secretAccessKey}\n`,
    { mode: 0o600 },
  );
  chmodSync(file, 0o600);
  return { ...pair, generated: true, source: { file } };
}
