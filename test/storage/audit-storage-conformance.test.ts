/** Runs the audit storage conformance suite against every backend, each case on a fresh store. */
import { openAuditStorage, openStorage } from '../../src/storage/open-storage.js';
import { testRowAuthenticator } from '../helpers/row-authenticator.js';
import { BACKENDS, rawAuditSql, testLocation, type BackendName } from '../helpers/test-stores.js';
import { exerciseAuditStorage } from './audit-storage-conformance.js';
import type { FreshAuditStore } from './conformance/exercise.js';

async function openFresh(backend: BackendName): Promise<FreshAuditStore> {
  const location = testLocation(backend);
  if (backend === 'postgres') {
    // The trail's tables on PostgreSQL are the store's: its migrations make them.
    const store = await openStorage(location.settings());
    store.useIntegrity(testRowAuthenticator());
    await store.migrate();
    await store.close();
  }
  return {
    storage: await openAuditStorage(location.settings()),
    raw: (sql) => rawAuditSql(location, sql),
    remove: () => location.destroy(),
  };
}

for (const backend of BACKENDS) exerciseAuditStorage(backend, () => openFresh(backend));
