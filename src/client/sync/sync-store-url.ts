/**
 * The one place a sync URL becomes a store: `ssm:/PATH`, `secretsmanager:PREFIX`,
 * `profile:APP/PROFILE` (profile-sync-store.ts), or `file:PATH` (a directory tree when PATH is a
 * directory or ends with `/`, otherwise a file in the format its extension says). Parameter Store
 * and Secrets Manager need operations to work over, which the caller supplies (SDK clients:
 * sdk-operations.ts; the CLI: its own store).
 */
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CofferClientError } from '../client-error.js';
import { DirectorySyncStore } from './directory-sync-store.js';
import { FileSyncStore } from './file-sync-store.js';
import { SecretsSyncStore, type SecretsSyncOperations } from './secrets-sync-store.js';
import { SsmSyncStore, type SsmSyncOperations } from './ssm-sync-store.js';
import type { SyncStore } from './sync-entry.js';
import { ProfileSyncStore } from './profile-sync-store.js';
import { profiles, type ProfileStore } from '../profiles/index.js';

/** The kind of store a URL names, and the rest of it. */
export type SyncUrl =
  | { kind: 'ssm'; path: string }
  | { kind: 'secretsmanager'; prefix: string }
  | { kind: 'file'; path: string }
  | { kind: 'profile'; app: string; profile: string };

/** Parses a sync URL; a ValidationException names the URL (which never holds a value). */
export function parseSyncUrl(url: string): SyncUrl {
  const colon = url.indexOf(':');
  const scheme = colon === -1 ? '' : url.slice(0, colon);
  const rest = url.slice(colon + 1);
  if (scheme === 'ssm') {
    if (!rest.startsWith('/')) throw new CofferClientError('ValidationException', `${url}: an SSM path starts with /`);
    return { kind: 'ssm', path: rest };
  }
  if (scheme === 'secretsmanager') return { kind: 'secretsmanager', prefix: rest };
  if (scheme === 'file') {
    const path = rest.startsWith('//') ? fileURLToPath(`file:${rest}`) : rest;
    if (path === '') throw new CofferClientError('ValidationException', `${url} names no file`);
    return { kind: 'file', path };
  }
  if (scheme === 'profile') {
    const match = /^([A-Za-z0-9_][A-Za-z0-9_.-]*)\/([A-Za-z0-9_][A-Za-z0-9_.-]*)$/.exec(rest);
    if (!match) throw new CofferClientError('ValidationException', `${url}: a profile is profile:APP/PROFILE`);
    return { kind: 'profile', app: match[1]!, profile: match[2]! };
  }
  throw new CofferClientError(
    'ValidationException',
    `${url} is not one of ssm:/PATH, secretsmanager:PREFIX, file:PATH or profile:APP/PROFILE`,
  );
}

/** What stores over services are built with. */
export interface SyncServices {
  ssm?: () => SsmSyncOperations | Promise<SsmSyncOperations>;
  secrets?: () => SecretsSyncOperations | Promise<SecretsSyncOperations>;
  /** The profiles of an app (profiles(app) with the environment's store by default). */
  profiles?: (app: string) => ProfileStore;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return path.endsWith('/');
  }
}

/** The store a URL names. */
export async function syncStoreFromUrl(url: string, services: SyncServices = {}): Promise<SyncStore> {
  const parsed = parseSyncUrl(url);
  switch (parsed.kind) {
    case 'ssm':
      if (!services.ssm) throw new CofferClientError('ValidationException', `${url}: no Parameter Store to use`);
      return new SsmSyncStore(await services.ssm(), parsed.path, url);
    case 'secretsmanager':
      if (!services.secrets) throw new CofferClientError('ValidationException', `${url}: no Secrets Manager to use`);
      return new SecretsSyncStore(await services.secrets(), parsed.prefix, url);
    case 'file':
      return isDirectory(parsed.path)
        ? new DirectorySyncStore(parsed.path, url)
        : new FileSyncStore(parsed.path, { label: url });
    case 'profile':
      return new ProfileSyncStore((services.profiles ?? profiles)(parsed.app), parsed.profile, url);
  }
}
