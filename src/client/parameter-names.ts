/**
 * Names as callers spell them: `name`, `name:3`, `name:label`, parameter and secret ARNs, and
 * the path prefixes a listing covers. Pure string work, shared by the cache's invalidation and
 * the local providers.
 */

const PARAMETER_ARN = /^arn:aws[a-z-]*:ssm:[^:]*:[^:]*:parameter\/(.*)$/;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[^:]*:[^:]*:secret:(.+)$/;

/** A reference split into the parameter it names and the `:version`/`:label` after it. */
export interface SplitSelector {
  name: string;
  /** `:3` or `:label`, with its colon; absent for the latest version. */
  selector?: string;
}

/** Splits `name:selector` (an ARN's own colons are not selectors). */
export function splitSelector(reference: string): SplitSelector {
  const arn = PARAMETER_ARN.exec(reference);
  const from = arn ? reference.length - arn[1]!.length : 0;
  const colon = reference.indexOf(':', from);
  if (colon === -1) return { name: reference };
  return { name: reference.slice(0, colon), selector: reference.slice(colon) };
}

/**
 * The parameter name an SSM ARN denotes, always with a leading slash: `parameter/a/b` is `/a/b`,
 * and `parameter/foo` is `/foo` (AWS treats `/foo` and `foo` as one parameter, and a local file
 * keys it as `/foo`). A selector after the name is kept. Undefined for anything else.
 */
export function parameterNameFromArn(arn: string): string | undefined {
  const match = PARAMETER_ARN.exec(arn);
  return match ? `/${match[1]}` : undefined;
}

/** Whether `reference` is a Secrets Manager ARN (full, or partial without the random suffix). */
export function isSecretArn(reference: string): boolean {
  return SECRET_ARN.test(reference);
}

/**
 * The secret names a SecretId may denote: the id itself, or for an ARN the name after
 * `secret:` both with and without what may be AWS's `-xxxxxx` suffix (a partial ARN has none).
 */
export function secretNameCandidates(id: string): string[] {
  const match = SECRET_ARN.exec(id);
  if (!match) return [id];
  const rest = match[1]!;
  const unsuffixed = /^(.+)-[A-Za-z0-9]{6}$/.exec(rest)?.[1];
  return unsuffixed ? [unsuffixed, rest] : [rest];
}

/** The other spelling AWS accepts for a one-level name (`/foo` and `foo`); undefined otherwise. */
export function alternateSpelling(name: string): string | undefined {
  if (name.startsWith('/')) return name.indexOf('/', 1) === -1 ? name.slice(1) : undefined;
  return name.includes('/') ? undefined : `/${name}`;
}

/** A name and its other one-level spelling, if it has one. */
export function nameSpellings(name: string): string[] {
  const other = alternateSpelling(name);
  return other === undefined ? [name] : [name, other];
}

/**
 * Every name whose entries a change to `reference` touches: the parameter without its selector
 * (in both spellings, and as named by its ARN), and the secret names a SecretId may denote.
 */
export function namesToInvalidate(reference: string): Set<string> {
  const base = splitSelector(reference).name;
  const names = new Set([...nameSpellings(base), ...secretNameCandidates(reference)]);
  const fromArn = parameterNameFromArn(base);
  if (fromArn) names.add(fromArn);
  return names;
}

/** A listing path without its trailing slash (`/` stays `/`). */
export function normalizePath(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed;
}

/** Every path whose listing could hold `name`: `/a/b/c` is under `/a/b`, `/a` and `/`. */
export function enclosingPaths(name: string): string[] {
  const paths = ['/'];
  for (let slash = name.indexOf('/', 1); slash !== -1; slash = name.indexOf('/', slash + 1)) {
    paths.push(name.slice(0, slash));
  }
  return paths;
}

/** Whether `name` is in the listing of `path` (directly, or anywhere below with `recursive`). */
export function isListedUnder(name: string, path: string, recursive: boolean): boolean {
  const prefix = path === '/' ? '/' : `${path}/`;
  if (!name.startsWith(prefix) || name.length === prefix.length) return false;
  return recursive || !name.slice(prefix.length).includes('/');
}
