/**
 * Where the 32-byte master key comes from: `COFFER_MASTER_KEY` (base64), or a key file in the
 * data directory created with mode 0600 on first use.
 *
 * The key file is replaced in two steps during `keys rotate-master` (see MasterKeyFile.stage
 * and commit), so a crash between re-wrapping the keyring and replacing the file leaves both
 * keys on disk and the next start picks the one that opens the store.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ensurePrivateDirectory } from '../storage/private-files.js';

export const MASTER_KEY_BYTES = 32;

/** Raw key bytes plus where they came from (for error messages; never the bytes). */
export interface MasterKey {
  readonly bytes: Buffer;
  readonly source: string;
}

/** Decodes a base64 master key, insisting on exactly 32 bytes. */
export function decodeMasterKey(text: string, source: string): MasterKey {
  const bytes = Buffer.from(text.trim(), 'base64');
  if (bytes.length !== MASTER_KEY_BYTES || bytes.toString('base64') !== text.trim()) {
    throw new Error(
      `${source} must hold ${MASTER_KEY_BYTES} bytes in base64 (44 characters); generate one with: openssl rand ` +
        `-base64 32`,
    );
  }
  return { bytes, source };
}

/** A fresh random master key, base64. */
export function generateMasterKeyText(): string {
  return randomBytes(MASTER_KEY_BYTES).toString('base64');
}

/** The key file `<data-dir>/master.key` and its staged successor. */
export class MasterKeyFile {
  readonly path: string;
  readonly stagedPath: string;

  constructor(dataDir: string) {
    this.path = join(dataDir, 'master.key');
    this.stagedPath = `${this.path}.next`;
  }

  /** Reads the key, creating it (mode 0600) when absent; safe against a concurrent creator. */
  loadOrCreate(): MasterKey {
    if (!existsSync(this.path)) this.create();
    return decodeMasterKey(readFileSync(this.path, 'utf8'), this.path);
  }

  /** The staged key left by an interrupted rotation, if any. */
  staged(): MasterKey | undefined {
    return existsSync(this.stagedPath)
      ? decodeMasterKey(readFileSync(this.stagedPath, 'utf8'), this.stagedPath)
      : undefined;
  }

  /** Writes a successor key beside the current one (step 1 of rotation). */
  stage(text: string): void {
    writeFileSync(this.stagedPath, `${text}\n`, { mode: 0o600 });
    chmodSync(this.stagedPath, 0o600);
  }

  /** Makes the staged key the current one (step 2, after the keyring is re-wrapped). */
  commit(): void {
    renameSync(this.stagedPath, this.path);
  }

  /** Forgets a staged key that never took effect. */
  discardStaged(): void {
    if (existsSync(this.stagedPath)) unlinkSync(this.stagedPath);
  }

  private create(): void {
    ensurePrivateDirectory(dirname(this.path));
    // Write to a private temporary name, then link: the key appears whole or not at all, and a
    // concurrent creator loses the link race instead of overwriting the winner's key.
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, `${generateMasterKeyText()}\n`, { mode: 0o600 });
    chmodSync(temporary, 0o600);
    try {
      linkSync(temporary, this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(temporary);
    }
  }
}

/** Loads the master key from the environment or the data directory's key file. */
export function loadMasterKey(env: NodeJS.ProcessEnv, dataDir: string): MasterKey {
  const fromEnv = env.COFFER_MASTER_KEY;
  if (fromEnv) return decodeMasterKey(fromEnv, 'COFFER_MASTER_KEY');
  return new MasterKeyFile(dataDir).loadOrCreate();
}
