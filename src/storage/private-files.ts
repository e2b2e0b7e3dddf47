/**
 * Files that hold a store, its keys or its credentials are the owner's alone, whatever the
 * umask: directories Coffer creates are 0700, files 0600.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';

/** Creates `dir` (and missing parents) 0700; an existing directory is left as it is. */
export function ensurePrivateDirectory(dir: string): void {
  if (existsSync(dir)) return;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/** Creates `path` empty if missing; either way leaves it 0600. */
export function ensurePrivateFile(path: string): void {
  closeSync(openSync(path, 'a', 0o600));
  chmodSync(path, 0o600);
}
