/**
 * Seed files (`coffer serve --seed FILE`, and `*.json` files in the init directory): parameters
 * and secrets to create, in JSON or YAML (by the file's extension), with their types, tags and
 * descriptions. Written through the engines as the account's root, so every rule a PutParameter
 * or CreateSecret obeys holds; an error names the entry, never its value.
 *
 *     parameters:
 *       - name: /dev/app/db-url
 *         value: postgres://db:5432/app
 *         type: String              # String (default), StringList or SecureString
 *         description: the app's database
 *         tags: { team: payments }  # or [{ Key: team, Value: payments }]
 *     secrets:
 *       - name: prod/db
 *         value: { username: app, password: s3cr3t }   # an object is stored as its JSON
 *         description: the app's database login
 *         tags: { team: payments }
 *
 * Either list may be a map instead: of name to value (`/dev/app/flag: "on"`, a String), or of
 * name to an entry without its name.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { Coffer } from '../bootstrap/open-coffer.js';
import type { RequestContext } from '../engine/request-context.js';

type Tags = { Key: string; Value: string }[];

interface SeedParameter {
  name: string;
  value: string;
  type: 'String' | 'StringList' | 'SecureString';
  description?: string;
  tags?: Tags;
  keyId?: string;
  tier?: string;
}

interface SeedSecret {
  name: string;
  value?: string;
  binary?: Buffer;
  description?: string;
  tags?: Tags;
  kmsKeyId?: string;
}

/** What a seed file asks for. */
export interface Seed {
  readonly parameters: readonly SeedParameter[];
  readonly secrets: readonly SeedSecret[];
}

/** A seed file that is not one; says where, never what value. */
export class SeedFileError extends Error {
  constructor(file: string, where: string) {
    super(`${file}: ${where}`);
    this.name = 'SeedFileError';
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function tagsOf(value: unknown, bad: (why: string) => never): Tags | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) {
    return value.map((t) =>
      isObject(t) && typeof t.Key === 'string'
        ? { Key: t.Key, Value: String(t.Value ?? '') }
        : bad('tags are a map or a list of {Key, Value}'),
    );
  }
  if (isObject(value)) return Object.entries(value).map(([Key, v]) => ({ Key, Value: String(v) }));
  return bad('tags are a map or a list of {Key, Value}');
}

const text = (v: unknown) =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;

function parameterOf(entry: unknown, at: string, bad: (why: string) => never): SeedParameter {
  if (!isObject(entry) || typeof entry.name !== 'string') return bad(`${at}: needs a name`);
  const value = Array.isArray(entry.value) ? entry.value.map(String).join(',') : text(entry.value);
  if (value === undefined) return bad(`${at} (${entry.name}): needs a value (a string, number, boolean or list)`);
  const type = entry.type ?? (Array.isArray(entry.value) ? 'StringList' : 'String');
  if (type !== 'String' && type !== 'StringList' && type !== 'SecureString')
    return bad(`${at} (${entry.name}): type is String, StringList or SecureString`);
  const tags = tagsOf(entry.tags, (why) => bad(`${at} (${entry.name}): ${why}`));
  return {
    name: entry.name,
    value,
    type,
    ...(typeof entry.description === 'string' ? { description: entry.description } : {}),
    ...(tags ? { tags } : {}),
    ...(typeof entry.keyId === 'string' ? { keyId: entry.keyId } : {}),
    ...(typeof entry.tier === 'string' ? { tier: entry.tier } : {}),
  };
}

function secretOf(entry: unknown, at: string, bad: (why: string) => never): SeedSecret {
  if (!isObject(entry) || typeof entry.name !== 'string') return bad(`${at}: needs a name`);
  const value = isObject(entry.value) || Array.isArray(entry.value) ? JSON.stringify(entry.value) : text(entry.value);
  const binary = typeof entry.binary === 'string' ? Buffer.from(entry.binary, 'base64') : undefined;
  if (value === undefined && binary === undefined)
    return bad(`${at} (${entry.name}): needs a value (or binary, base64)`);
  const tags = tagsOf(entry.tags, (why) => bad(`${at} (${entry.name}): ${why}`));
  return {
    name: entry.name,
    ...(value !== undefined ? { value } : {}),
    ...(binary ? { binary } : {}),
    ...(typeof entry.description === 'string' ? { description: entry.description } : {}),
    ...(tags ? { tags } : {}),
    ...(typeof entry.kmsKeyId === 'string' ? { kmsKeyId: entry.kmsKeyId } : {}),
  };
}

/** A list of entries, or a map of name to value (or to an entry without its name: an object with a value). */
function entries(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  if (isObject(value))
    return Object.entries(value).map(([name, v]) =>
      isObject(v) && 'value' in v ? { name, ...v } : { name, value: v },
    );
  return [null];
}

/** Reads and checks a seed file (JSON, or YAML for .yaml/.yml), before anything is written. */
export function readSeed(file: string): Seed {
  const bad = (why: string): never => {
    throw new SeedFileError(file, why);
  };
  let data: unknown;
  try {
    const source = readFileSync(file, 'utf8');
    data = /\.ya?ml$/i.test(file) ? parseYaml(source) : JSON.parse(source);
  } catch (error) {
    if (error instanceof SeedFileError) throw error;
    return bad(
      `cannot be read as ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'} ` +
        `(${(error as NodeJS.ErrnoException).code ?? (error as Error).name})`,
    );
  }
  if (!isObject(data)) return bad('a seed file is an object with parameters and/or secrets');
  const unknown = Object.keys(data).filter((k) => k !== 'parameters' && k !== 'secrets');
  if (unknown.length > 0) bad(`unknown section ${unknown[0]} (parameters and secrets are)`);
  return {
    parameters: entries(data.parameters).map((e, i) => parameterOf(e, `parameters[${i}]`, bad)),
    secrets: entries(data.secrets).map((e, i) => secretOf(e, `secrets[${i}]`, bad)),
  };
}

/** Whether the store holds no parameter and no secret in the context's scope. */
export async function storeIsEmpty(coffer: Coffer, ctx: RequestContext): Promise<boolean> {
  const parameters = await coffer.parameters.describeParameters(ctx, { MaxResults: 1 });
  if ((parameters.Parameters ?? []).length > 0) return false;
  return (await coffer.storage.listSecrets(ctx)).length === 0;
}

/** Creates what the seed holds; returns how many parameters and secrets. Stops at the first error, naming the entry. */
export async function applySeed(
  coffer: Coffer,
  ctx: RequestContext,
  seed: Seed,
  file: string,
): Promise<{ parameters: number; secrets: number }> {
  for (const p of seed.parameters) {
    try {
      await coffer.parameters.putParameter(ctx, {
        Name: p.name,
        Value: p.value,
        Type: p.type,
        ...(p.description ? { Description: p.description } : {}),
        ...(p.tags ? { Tags: p.tags } : {}),
        ...(p.keyId ? { KeyId: p.keyId } : {}),
        ...(p.tier ? { Tier: p.tier as never } : {}),
      });
    } catch (error) {
      throw new SeedFileError(
        file,
        `parameter ${p.name}: ${(error as { code?: string }).code ?? (error as Error).name}: ` +
          `${(error as Error).message}`,
      );
    }
  }
  for (const s of seed.secrets) {
    try {
      await coffer.secrets.store.createSecret(ctx, {
        Name: s.name,
        ...(s.value !== undefined ? { SecretString: s.value } : {}),
        ...(s.binary ? { SecretBinary: s.binary } : {}),
        ...(s.description ? { Description: s.description } : {}),
        ...(s.tags ? { Tags: s.tags } : {}),
        ...(s.kmsKeyId ? { KmsKeyId: s.kmsKeyId } : {}),
      });
    } catch (error) {
      throw new SeedFileError(
        file,
        `secret ${s.name}: ${(error as { code?: string }).code ?? (error as Error).name}: ${(error as Error).message}`,
      );
    }
  }
  return { parameters: seed.parameters.length, secrets: seed.secrets.length };
}

/** "2 parameters and 1 secret": what a seed created, for the log. */
export function seededCounts(seeded: { parameters: number; secrets: number }): string {
  const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
  return `${count(seeded.parameters, 'parameter')} and ${count(seeded.secrets, 'secret')}`;
}
