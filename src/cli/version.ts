/** Coffer's version, from its package.json (two folders up, from src/cli or dist/cli alike). */
import { readFileSync } from 'node:fs';

export const COFFER_VERSION: string = (() => {
  try {
    return (
      (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string })
        .version ?? 'unknown'
    );
  } catch {
    return 'unknown';
  }
})();
