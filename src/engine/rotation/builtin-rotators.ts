/**
 * Rotators built into Coffer, for the common cases that need no function of your own:
 * - `random-password`: a fresh random password, as one field of a JSON object (the `field` option;
 *   `password` when unset) or, for a value that is not a JSON object, as the whole value;
 * - `postgres`: a real PostgreSQL password change for a JSON value holding host, port, username and
 *   password (createSecret generates, setSecret runs ALTER ROLE as the user, testSecret connects
 *   with the new password, finishSecret promotes it).
 * Each runs the four steps of AWS's rotation template against a RotationTarget.
 */
import pg from 'pg';
import { ServiceError } from '../service-error.js';
import { randomPassword, type PasswordRules } from '../secrets/random-password.js';

/** What a rotator works on: a secret (with AWSPENDING) or a parameter (pending held by the run). */
export interface RotationTarget {
  current(): Promise<string>;
  pending(): Promise<string | undefined>;
  setPending(value: string): Promise<void>;
  /** Makes the pending value current. */
  promote(): Promise<void>;
}

export type RotationStep = 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret';
export const ROTATION_STEPS: readonly RotationStep[] = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];

export interface BuiltinRotator {
  checkOptions(options: Record<string, unknown>): void;
  run(step: RotationStep, target: RotationTarget, options: Record<string, unknown>): Promise<void>;
}

function invalid(message: string): never {
  throw new ServiceError('InvalidParameterException', message);
}

function passwordRules(options: Record<string, unknown>, safeForSql = false): PasswordRules {
  const length = options.length === undefined ? 32 : Number(options.length);
  if (!Number.isInteger(length) || length < 8 || length > 4096) invalid('length must be between 8 and 4096.');
  const exclude = typeof options.excludeCharacters === 'string' ? options.excludeCharacters : '';
  return {
    PasswordLength: length,
    // Quotes, backslashes and spaces never reach a connection string or SQL literal.
    ExcludeCharacters: safeForSql ? `${exclude}'"\\\` :@/?#%&` : exclude,
    ExcludePunctuation: options.excludePunctuation === true,
  };
}

function parseJson(text: string, what: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below, without the text
  }
  throw new Error(`the ${what} value is not a JSON object`);
}

/** A JSON object's members, or undefined for any other text (a plain password, a list). */
function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The new value: the whole value for plain text, the named field (or `password`) of a JSON
 * object. A JSON object is never replaced whole: its other fields (username, host) are what the
 * app needs beside the password.
 */
function withNewPassword(current: string, field: string | undefined, password: string): string {
  const object = jsonObject(current);
  if (object === undefined) {
    if (field !== undefined) throw new Error('the current value is not a JSON object');
    return password;
  }
  const name = field ?? 'password';
  if (field === undefined && typeof object.password !== 'string')
    throw new Error('the current value is a JSON object without a password field: register the function with --field');
  return JSON.stringify({ ...object, [name]: password });
}

const randomPasswordRotator: BuiltinRotator = {
  checkOptions(options) {
    if (options.field !== undefined && (typeof options.field !== 'string' || options.field === ''))
      invalid('field must be a non-empty string.');
    passwordRules(options);
  },
  async run(step, target, options) {
    const field = options.field as string | undefined;
    if (step === 'createSecret') {
      if ((await target.pending()) !== undefined) return; // a retried run keeps the value it made
      const password = randomPassword(passwordRules(options));
      await target.setPending(withNewPassword(await target.current(), field, password));
    } else if (step === 'testSecret') {
      const pending = await target.pending();
      if (pending === undefined) throw new Error('no pending value to test');
      const object = jsonObject(pending);
      const name = field ?? 'password';
      if (object !== undefined && typeof object[name] !== 'string')
        throw new Error(`the pending value has no ${name} field`);
      if (object === undefined && field !== undefined) throw new Error('the pending value is not a JSON object');
    } else if (step === 'finishSecret') {
      await target.promote();
    }
  },
};

interface PgCredentials {
  host: string;
  port: number;
  username: string;
  password: string;
  dbname?: string;
}

function pgCredentials(text: string, what: string): PgCredentials {
  const value = parseJson(text, what);
  const { host, port, username, password } = value;
  if (typeof host !== 'string' || typeof username !== 'string' || typeof password !== 'string') {
    throw new Error(`the ${what} value needs string host, username and password fields`);
  }
  const dbname =
    typeof value.dbname === 'string' ? value.dbname : typeof value.database === 'string' ? value.database : undefined;
  return { host, port: Number(port ?? 5432), username, password, ...(dbname ? { dbname } : {}) };
}

async function withConnection<T>(c: PgCredentials, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({
    host: c.host,
    port: c.port,
    user: c.username,
    password: c.password,
    database: c.dbname ?? 'postgres',
    connectionTimeoutMillis: 10_000,
  });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}

const postgresRotator: BuiltinRotator = {
  checkOptions(options) {
    passwordRules(options, true);
  },
  async run(step, target, options) {
    if (step === 'createSecret') {
      if ((await target.pending()) !== undefined) return;
      const current = parseJson(await target.current(), 'current');
      pgCredentials(JSON.stringify(current), 'current');
      await target.setPending(JSON.stringify({ ...current, password: randomPassword(passwordRules(options, true)) }));
      return;
    }
    const pending = await target.pending();
    if (pending === undefined) throw new Error('no pending value');
    const next = pgCredentials(pending, 'pending');
    if (step === 'setSecret') {
      const current = pgCredentials(await target.current(), 'current');
      const alter = (client: pg.Client) =>
        client.query(
          `ALTER ROLE ${client.escapeIdentifier(next.username)} WITH PASSWORD ${client.escapeLiteral(next.password)}`,
        );
      try {
        await withConnection(current, alter);
      } catch (error) {
        // An earlier attempt may have set it already: then only the new password logs in.
        const alreadySet = await withConnection(next, async () => true).catch(() => false);
        if (!alreadySet) throw error;
      }
    } else if (step === 'testSecret') {
      await withConnection(next, async (client) => {
        await client.query('SELECT 1');
      });
    } else {
      await target.promote();
    }
  },
};

export const BUILTIN_ROTATORS: Readonly<Record<string, BuiltinRotator>> = {
  'random-password': randomPasswordRotator,
  postgres: postgresRotator,
};
