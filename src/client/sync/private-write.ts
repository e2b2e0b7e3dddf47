/**
 * How the file stores write before they rename into place: a temporary file with an unguessable
 * name, created exclusively (an existing file or a planted symbolic link there is an error, never
 * followed), readable by its owner alone, and removed if the write fails.
 */
import { randomBytes } from 'node:crypto';
import { unlink, writeFile } from 'node:fs/promises';

/** A dot-file name no one can guess ahead (directory listings skip dot-files). */
export function temporaryName(): string {
  return `.coffer-sync-${randomBytes(12).toString('hex')}`;
}

/** Writes a new 0600 file at `path`, refusing to follow or reuse anything already there. */
export async function writeNew(path: string, content: string | Uint8Array): Promise<void> {
  try {
    await writeFile(path, content, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') await unlink(path).catch(() => {});
    throw error;
  }
}
