/**
 * Coffer's settings from the environment, read in one place: data directory, database URL,
 * account, region, and the regions requests may name beyond AWS's.
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
  /** Regions a request may name besides AWS's own (COFFER_REGIONS, comma-separated). */
  readonly extraRegions?: readonly string[];
}

const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d$/;

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
  if (!REGION_NAME.test(region)) throw new Error(`the region ${region} is not a valid AWS region name`);
  const extraRegions = (env.COFFER_REGIONS ?? '')
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '');
  const bad = extraRegions.find((r) => !REGION_NAME.test(r));
  if (bad !== undefined) throw new Error(`COFFER_REGIONS: ${bad} is not a region name (like eu-west-1)`);
  return {
    dataDir: dataDirectory(env),
    databaseUrl: env.COFFER_DATABASE_URL || undefined,
    account,
    region,
    extraRegions,
  };
}
