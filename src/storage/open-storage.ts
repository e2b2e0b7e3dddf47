/**
 * Chooses the storage backend in one place: PostgreSQL for a postgres:// URL, else SQLite.
 */
import { join } from 'node:path';
import { PostgresStorage } from './postgres-storage.js';
import { SqliteStorage } from './sqlite-storage.js';
import type { Storage } from './storage.js';

/** Where the store lives: a database URL, or the data directory for the embedded file. */
export interface StorageLocation {
  databaseUrl?: string;
  dataDir: string;
}

/** The embedded database file inside a data directory. */
export function sqlitePath(dataDir: string): string {
  return join(dataDir, 'coffer.db');
}

/** Opens the backend the location names, without migrating it. */
export async function openStorage(location: StorageLocation): Promise<Storage> {
  const url = location.databaseUrl;
  if (url && /^postgres(ql)?:\/\//.test(url)) return PostgresStorage.open(url);
  if (url) throw new Error('COFFER_DATABASE_URL must be a postgres:// URL (leave it unset for the embedded store)');
  return SqliteStorage.open(sqlitePath(location.dataDir));
}
