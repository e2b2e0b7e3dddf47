/**
 * Runs the storage conformance suite (storage-conformance.ts) against every backend, each case
 * on a store of its own: a fresh SQLite file, or a fresh PostgreSQL schema, removed afterwards.
 */
import { openStorage } from '../../src/storage/open-storage.js';
import { postgresExecutor, sqliteExecutor } from '../helpers/raw-executors.js';
import { BACKENDS, rawSql, testLocation, type BackendName } from '../helpers/test-stores.js';
import { exerciseStorage, type FreshStore } from './storage-conformance.js';

async function openFresh(backend: BackendName): Promise<FreshStore> {
  const location = testLocation(backend);
  return {
    storage: await openStorage(location.settings()),
    raw: (sql) => rawSql(location, sql),
    executor: () => (backend === 'sqlite' ? sqliteExecutor(location) : postgresExecutor(location)),
    remove: () => location.destroy(),
  };
}

for (const backend of BACKENDS) exerciseStorage(backend, () => openFresh(backend));
