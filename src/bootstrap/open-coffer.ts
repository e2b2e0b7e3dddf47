/**
 * The composition root: opens storage, proves the master key, migrates, and builds the engine.
 *
 * Order matters: the master key is checked against the store before any migration runs, so a
 * wrong key fails at start with a clear error and changes nothing. A key rotation interrupted
 * after the keyring was re-wrapped but before the key file was replaced is finished here.
 */
import { DEFAULT_SSM_KEY_ALIAS, Keyring } from '../crypto/keyring.js';
import { loadMasterKey, MasterKeyFile, type MasterKey } from '../crypto/master-key.js';
import { TokenSealer } from '../crypto/token-sealer.js';
import { ValueBarrier } from '../crypto/value-barrier.js';
import { WrongMasterKeyError } from '../crypto/errors.js';
import { AccessKeyStore } from '../engine/identity/access-key-store.js';
import { ParameterStore } from '../engine/ssm/parameter-store.js';
import { LATEST_SCHEMA_VERSION } from '../storage/migrations.js';
import { openStorage } from '../storage/open-storage.js';
import type { Storage } from '../storage/storage.js';
import type { CofferSettings } from './settings.js';

/** An open store with its engines. */
export interface Coffer {
  readonly settings: CofferSettings;
  readonly storage: Storage;
  readonly keyring: Keyring;
  readonly parameters: ParameterStore;
  readonly accessKeys: AccessKeyStore;
  close(): Promise<void>;
}

async function provenMasterKey(storage: Storage, settings: CofferSettings, env: NodeJS.ProcessEnv): Promise<MasterKey> {
  const master = loadMasterKey(env, settings.dataDir);
  if ((await storage.schemaVersion()) === 0) return master;
  if ((await Keyring.checkMaster(storage, master)) !== 'wrong') return master;
  if (!env.COFFER_MASTER_KEY) {
    const file = new MasterKeyFile(settings.dataDir);
    const staged = file.staged();
    if (staged && (await Keyring.checkMaster(storage, staged)) === 'ok') {
      file.commit();
      return staged;
    }
  }
  throw new WrongMasterKeyError(master.source);
}

/** Opens the store the settings name. */
export async function openCoffer(settings: CofferSettings, env: NodeJS.ProcessEnv = process.env): Promise<Coffer> {
  const storage = await openStorage(settings);
  try {
    const schema = await storage.schemaVersion();
    if (schema > LATEST_SCHEMA_VERSION) {
      throw new Error(`this store has schema version ${schema}, newer than this Coffer understands (${LATEST_SCHEMA_VERSION}); upgrade Coffer`);
    }
    const master = await provenMasterKey(storage, settings, env);
    await storage.migrate();
    const keyring = await Keyring.open(storage, master);
    // alias/aws/ssm exists from the start for the configured account and region (AWS creates
    // its managed keys on first use; other scopes still get theirs that way).
    await keyring.resolve({ account: settings.account, region: settings.region }, undefined, DEFAULT_SSM_KEY_ALIAS);
    const barrier = new ValueBarrier(keyring);
    const parameters = new ParameterStore(storage, keyring, barrier, new TokenSealer(keyring));
    const accessKeys = new AccessKeyStore(storage, keyring, barrier, { account: settings.account, region: settings.region });
    return { settings, storage, keyring, parameters, accessKeys, close: () => storage.close() };
  } catch (error) {
    await storage.close();
    throw error;
  }
}
