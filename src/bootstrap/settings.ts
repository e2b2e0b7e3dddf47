/**
 * Coffer's settings from the environment, read in one place: data directory, database URL,
 * account and region.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_ACCOUNT, DEFAULT_REGION } from '../engine/request-context.js';

/** Everything needed to open a store. */
export interface CofferSettings {
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly account: string;
  readonly region: string;
}

/** `$COFFER_DATA_DIR`, else `$XDG_DATA_HOME/coffer`, else `~/.local/share/coffer`. */
export function dataDirectory(env: NodeJS.ProcessEnv): string {
  if (env.COFFER_DATA_DIR) return env.COFFER_DATA_DIR;
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'coffer');
}

/** Reads the settings, refusing malformed ones with a clear message. */
export function settingsFromEnv(env: NodeJS.ProcessEnv): CofferSettings {
  const account = env.COFFER_ACCOUNT_ID || DEFAULT_ACCOUNT;
  if (!/^\d{12}$/.test(account)) throw new Error('COFFER_ACCOUNT_ID must be 12 digits');
  const region = env.COFFER_REGION || env.AWS_REGION || env.AWS_DEFAULT_REGION || DEFAULT_REGION;
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) throw new Error(`the region ${region} is not a valid AWS region name`);
  return { dataDir: dataDirectory(env), databaseUrl: env.COFFER_DATABASE_URL || undefined, account, region };
}
