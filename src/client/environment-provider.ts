/**
 * Values from environment variables. A name maps to a variable as `/a/b-c` to `A_B_C`: the
 * leading slash dropped, every character other than a letter or digit made `_`, upper case,
 * after an optional prefix (`env:APP_` reads `/db/url` from `APP_DB_URL`). Listings map back the
 * other way (`APP_DB_URL` is listed as `/db/url`), so a name holding `-` or `.` is found by
 * name but listed with `/` in their place. A dotenv file is served the same way, and there a
 * key can also be asked for exactly as written (`exactKeys`).
 */
import { LocalProvider } from './local-provider.js';
import type { LocalOrigin, LocalValue } from './local-records.js';

/** The variable (without prefix) a name maps to. */
export function environmentName(name: string): string {
  return name
    .replace(/^\//, '')
    .replace(/[^A-Za-z0-9]/g, '_')
    .toUpperCase();
}

/** The name a variable (without prefix) is listed as. */
export function nameOfVariable(variable: string): string {
  return `/${variable.toLowerCase().replace(/_/g, '/')}`;
}

/** Where the variables come from and how they are named. */
export interface EnvironmentProviderOptions {
  /** Only variables starting with this are seen (`APP_`); none by default. */
  prefix?: string;
  /** The variables: process.env by default. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Whether a name is also looked up as a variable exactly as written (dotenv keys). */
  exactKeys?: boolean;
  /** The provider's label in events; `env:` and the prefix by default. */
  label?: string;
  origin?: LocalOrigin;
}

/** A provider over environment variables. */
export class EnvironmentProvider extends LocalProvider {
  readonly name: string;
  private readonly prefix: string;
  private readonly env: Readonly<Record<string, string | undefined>>;
  private readonly exactKeys: boolean;

  constructor(options: EnvironmentProviderOptions = {}) {
    super(options.origin);
    this.prefix = options.prefix ?? '';
    this.env = options.env ?? process.env;
    this.exactKeys = options.exactKeys ?? false;
    this.name = options.label ?? `env:${this.prefix}`;
  }

  protected async read(name: string): Promise<LocalValue | undefined> {
    if (this.exactKeys && Object.hasOwn(this.env, name)) return this.env[name];
    const mapped = environmentName(name);
    if (mapped === '') return undefined;
    const variable = `${this.prefix}${mapped}`;
    return Object.hasOwn(this.env, variable) ? this.env[variable] : undefined;
  }

  protected async listNames(): Promise<string[]> {
    return Object.keys(this.env)
      .filter((key) => key.startsWith(this.prefix) && key.length > this.prefix.length && this.env[key] !== undefined)
      .map((key) => (key.startsWith('/') ? key : nameOfVariable(key.slice(this.prefix.length))));
  }
}
