/**
 * Chooses the storage backend in one place: PostgreSQL for a postgres:// URL, else SQLite; and
 * the audit trail's storage beside it (audit-storage.ts).
 */
import { join } from 'node:path';
import type { AuditStorage } from './audit-storage.js';
import { PostgresAuditStorage } from './postgres-audit-storage.js';
import { PostgresStorage } from './postgres-storage.js';
import { SqliteAuditStorage } from './sqlite-audit-storage.js';
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

/** Where a server's audit journals go (audit-journal.ts), beside the store. */
export function auditJournalDir(dataDir: string): string {
  return join(dataDir, 'audit-journal');
}

/** The embedded store's audit trail, a file of its own beside it. */
export function auditPath(dataDir: string): string {
  return join(dataDir, 'coffer-audit.db');
}

function postgresUrl(location: StorageLocation): string | undefined {
  const url = location.databaseUrl;
  if (url && /^postgres(ql)?:\/\//.test(url)) return url;
  if (url) throw new Error('COFFER_DATABASE_URL must be a postgres:// URL (leave it unset for the embedded store)');
  return undefined;
}

/** Opens the backend the location names, without migrating it. */
export async function openStorage(location: StorageLocation): Promise<Storage> {
  const url = postgresUrl(location);
  return url ? PostgresStorage.open(url) : SqliteStorage.open(sqlitePath(location.dataDir));
}

/** Opens the audit trail's storage for the store at `location`, without migrating it. */
export async function openAuditStorage(location: StorageLocation): Promise<AuditStorage> {
  const url = postgresUrl(location);
  return url
    ? PostgresAuditStorage.open(url)
    : SqliteAuditStorage.open(auditPath(location.dataDir), sqlitePath(location.dataDir));
}
