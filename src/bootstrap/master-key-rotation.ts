/**
 * `keys rotate-master`: re-wraps the keyring under a new master key, then replaces the key
 * file. The new key is staged beside the old one first, so a crash at any point leaves a key
 * on disk that opens the store (open-coffer finishes an interrupted rotation).
 */
import { decodeMasterKey, generateMasterKeyText, MasterKeyFile } from '../crypto/master-key.js';
import type { Coffer } from './open-coffer.js';

/** What a rotation did; `newKeyText` is set only when the key lives in the environment. */
export interface MasterKeyRotation {
  readonly rewrapped: number;
  readonly keyFile?: string;
  readonly newKeyText?: string;
}

/** Rotates the master key of an open store. */
export async function rotateMasterKey(coffer: Coffer, env: NodeJS.ProcessEnv): Promise<MasterKeyRotation> {
  const text = generateMasterKeyText();
  const next = decodeMasterKey(text, 'the new master key');
  if (env.COFFER_MASTER_KEY) {
    // The key lives outside Coffer's reach: hand the new one to the operator to store.
    return { rewrapped: await coffer.keyring.rotateMaster(next), newKeyText: text };
  }
  const file = new MasterKeyFile(coffer.settings.dataDir);
  file.stage(text);
  try {
    const rewrapped = await coffer.keyring.rotateMaster(next);
    file.commit();
    return { rewrapped, keyFile: file.path };
  } catch (error) {
    file.discardStaged();
    throw error;
  }
}
