/**
 * `coffer profile ...`: seed 002's configuration profiles from the command line, over the SDK's
 * profiles (files by default; Parameter Store with COFFER_PROFILE_STORE=parameter-store and a
 * server in COFFER_ENDPOINT, or AWS). Secure fields print as ******** unless --reveal; every
 * write is compare-and-set against the version read, so a concurrent change is refused, never
 * overwritten; history, diff --version and rollback use Parameter Store's versions.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetParameterHistoryCommand, SSMClient, type ParameterHistory } from '@aws-sdk/client-ssm';
import { profiles, type ProfileDocument, type ProfileStore } from '../../client/index.js';
import { UsageError, type CliCommand, type CliIo, type OptionSpecs } from '../cli-command.js';
import { parseOptions, toJson } from '../parse-options.js';
import type { CliSession } from '../cli-session.js';

const USAGE =
  'coffer profile ls APP | get APP PROFILE [--raw] [--reveal] [--json] | set APP PROFILE KEY=VALUE... | ' +
  'set APP PROFILE --file F | edit APP PROFILE | rm APP PROFILE | diff APP A B | diff APP PROFILE --version N | ' +
  'inherit APP PROFILE PARENT | history APP PROFILE | rollback APP PROFILE --version N';

const OPTIONS = {
  raw: { type: 'boolean', description: 'get: the profile as stored, without resolving _inherits' },
  reveal: { type: 'boolean', description: 'get, diff: show secure fields instead of ********' },
  json: { type: 'boolean', description: 'get, ls, history: print JSON' },
  file: { type: 'string', value: 'FILE', description: 'set: the whole document from a JSON file' },
  version: { type: 'string', value: 'N', description: 'diff, rollback: a Parameter Store version of the profile' },
} as const satisfies OptionSpecs;

type Values = ReturnType<typeof parseOptions<typeof OPTIONS>>['values'];

/** A document from JSON text; the parser's own message quotes the text (a value, perhaps), so it is not passed on. */
function parseDocument(text: string, what: string): ProfileDocument {
  try {
    return JSON.parse(text) as ProfileDocument;
  } catch {
    throw new UsageError(`${what} is not valid JSON`);
  }
}

/** `a.b` = 1 style lines of a document, in key order (metadata last). */
function flatten(document: unknown, prefix = ''): [string, unknown][] {
  if (document === null || typeof document !== 'object' || Array.isArray(document))
    return prefix ? [[prefix, document]] : [];
  return Object.keys(document as object)
    .sort()
    .flatMap((key) => flatten((document as Record<string, unknown>)[key], prefix ? `${prefix}.${key}` : key));
}

const shown = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/** Sets `a.b.c` in a copy of `document`; the value is JSON when it parses as JSON, else text. */
function withField(document: ProfileDocument, path: string, text: string): ProfileDocument {
  let value: unknown = text;
  try {
    value = JSON.parse(text);
  } catch {}
  const copy = structuredClone(document) as Record<string, unknown>;
  const parts = path.split('.');
  if (parts.some((p) => p === '' || p === '__proto__' || p === 'constructor' || p === 'prototype'))
    throw new UsageError(`not a field path: ${path}`);
  let node = copy;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    node[part] = next !== null && typeof next === 'object' && !Array.isArray(next) ? next : {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts.at(-1)!] = value;
  return copy;
}

function withoutMetadata(document: ProfileDocument): ProfileDocument {
  const { _metadata: _, ...rest } = document as Record<string, unknown>;
  return rest as ProfileDocument;
}

/** The Parameter Store name and client behind the store, for versions (history, rollback). */
function versionsOf(store: ProfileStore, session: CliSession, profile: string) {
  const env = session.env;
  if (store.kind !== 'parameter-store')
    throw new UsageError('history, diff --version and rollback need COFFER_PROFILE_STORE=parameter-store');
  const prefix = (env.COFFER_PROFILE_PREFIX ?? '').replace(/^\/*/, '/').replace(/\/+$/, '');
  const name = `${prefix === '/' ? '' : prefix}/${store.app}/${profile}`;
  const { endpoint, region, credentials } = session.clientConfig();
  const client = new SSMClient({
    region,
    ...(endpoint ? { endpoint } : env.AWS_ENDPOINT_URL ? { endpoint: env.AWS_ENDPOINT_URL } : {}),
    ...(credentials ? { credentials } : {}),
  });
  const history = async (): Promise<ParameterHistory[]> => {
    const all: ParameterHistory[] = [];
    let next: string | undefined;
    do {
      const page = await client.send(
        new GetParameterHistoryCommand({ Name: name, WithDecryption: true, NextToken: next }),
      );
      all.push(...(page.Parameters ?? []));
      next = page.NextToken;
    } while (next);
    return all;
  };
  const at = async (version: number): Promise<ProfileDocument> => {
    const found = (await history()).find((h) => h.Version === version);
    if (!found?.Value) throw new UsageError(`profile ${store.app}/${profile} has no version ${version}`);
    return parseDocument(found.Value, `version ${version}`);
  };
  return { name, client, history, at };
}

function versionOption(values: Values): number {
  const version = Number(values.version);
  if (!Number.isInteger(version) || version < 1) throw new UsageError('--version takes a version number');
  return version;
}

/** Prints `-`, `+` and `~` lines between two documents; secure fields as ******** unless revealed. */
async function printDiff(store: ProfileStore, a: ProfileDocument, b: ProfileDocument, reveal: boolean, io: CliIo) {
  const [left, right] = reveal ? [a, b] : [await store.redact(a), await store.redact(b)];
  // Compared as they are, printed as redacted: two secrets that differ still show as a change.
  const [plainBefore, plainAfter] = [new Map(flatten(withoutMetadata(a))), new Map(flatten(withoutMetadata(b)))];
  const before = new Map(flatten(withoutMetadata(left)));
  const after = new Map(flatten(withoutMetadata(right)));
  let differ = false;
  for (const key of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const [x, y] = [before.get(key), after.get(key)];
    if (JSON.stringify(plainBefore.get(key)) === JSON.stringify(plainAfter.get(key))) continue;
    differ = true;
    if (!after.has(key)) io.out(`- ${key} = ${shown(x)}\n`);
    else if (!before.has(key)) io.out(`+ ${key} = ${shown(y)}\n`);
    else io.out(`~ ${key} = ${shown(x)} -> ${shown(y)}\n`);
  }
  return differ ? 1 : 0;
}

/** Writes `change(document)` over the version read; prints the new version and any warnings. */
async function update(
  store: ProfileStore,
  profile: string,
  change: (document: ProfileDocument) => ProfileDocument,
  io: CliIo,
  ifAbsent: ProfileDocument | undefined = {},
): Promise<number> {
  const current = await store.readRaw(profile).catch((error: { code?: string }) => {
    if (error.code !== 'ProfileNotFound' || ifAbsent === undefined) throw error;
    return { document: ifAbsent, version: 0 };
  });
  const result = await store.write(profile, change(current.document), { expectedVersion: current.version });
  for (const warning of result.warnings) io.err(`coffer: warning: ${warning}\n`);
  io.out(`${store.app}/${profile}: version ${result.version}\n`);
  return 0;
}

function edit(store: ProfileStore, profile: string, io: CliIo, env: NodeJS.ProcessEnv): Promise<number> {
  return update(
    store,
    profile,
    (document) => {
      // A directory of its own (0700) and a file only its owner reads (0600), removed whatever happens.
      const dir = mkdtempSync(join(tmpdir(), 'coffer-profile-'));
      try {
        const file = join(dir, `${profile}.json`);
        writeFileSync(file, `${JSON.stringify(withoutMetadata(document), null, 2)}\n`, { mode: 0o600 });
        const editor = env.VISUAL || env.EDITOR || 'vi';
        // Ctrl-C in the editor reaches this process too: it must not die before removing the file.
        const hold = () => {};
        process.on('SIGINT', hold);
        process.on('SIGTERM', hold);
        let ran: ReturnType<typeof spawnSync>;
        try {
          ran = spawnSync(editor, [file], { stdio: 'inherit', shell: /\s/.test(editor) });
        } finally {
          process.off('SIGINT', hold);
          process.off('SIGTERM', hold);
        }
        if (ran.status !== 0) throw new UsageError(`${editor} did not finish cleanly: the profile is unchanged`);
        try {
          return JSON.parse(readFileSync(file, 'utf8')) as ProfileDocument;
        } catch {
          throw new UsageError('the edited profile is not valid JSON: the profile is unchanged');
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    io,
  );
}

export const profileCommand: CliCommand = {
  name: 'profile',
  summary: 'configuration profiles with inheritance: ls, get, set, edit, rm, diff, inherit, history, rollback',
  usage: USAGE,
  options: OPTIONS,
  examples: [
    'coffer profile set myapp dev db.host=localhost db.password=s3cr3t',
    'coffer profile inherit myapp dev base',
    'coffer profile get myapp dev --json',
    'coffer profile get myapp dev --raw --reveal',
    'coffer profile diff myapp dev prod',
    'COFFER_PROFILE_STORE=parameter-store coffer profile history myapp dev',
    'COFFER_PROFILE_STORE=parameter-store coffer profile rollback myapp dev --version 2',
  ],
  async run(args, session, io) {
    const [action, ...rest] = args;
    const { values, positionals } = parseOptions(rest, OPTIONS);
    const [app, profile, ...more] = positionals;
    if (!action || !app) throw new UsageError(`profile needs an action and an APP: ${USAGE}`);
    const { endpoint, region, credentials } = session.clientConfig();
    const store = profiles(app, {
      env: session.env,
      region,
      ...(endpoint ? { endpoint } : {}),
      ...(credentials ? { credentials } : {}),
    });
    try {
      const need = (count: number) => {
        if (positionals.length !== count) throw new UsageError(`profile ${action} takes ${count} arguments`);
      };
      switch (action) {
        case 'ls': {
          need(1);
          const names = await store.list();
          io.out(values.json ? `${toJson(names)}\n` : names.map((n) => `${n}\n`).join(''));
          return 0;
        }
        case 'get': {
          need(2);
          const document = values.raw ? (await store.readRaw(profile!)).document : await store.read(profile!);
          const printed = values.reveal ? document : await store.redact(document);
          if (values.json) io.out(`${JSON.stringify(printed, null, 2)}\n`);
          else for (const [key, value] of flatten(printed)) io.out(`${key} = ${shown(value)}\n`);
          return 0;
        }
        case 'set': {
          if (positionals.length < 2 || (values.file === undefined) === (more.length === 0))
            throw new UsageError('profile set takes APP PROFILE and KEY=VALUE pairs, or --file FILE');
          if (values.file !== undefined) {
            const whole = parseDocument(readFileSync(values.file, 'utf8'), values.file);
            return update(store, profile!, () => whole, io);
          }
          const pairs = more.map((pair) => {
            const eq = pair.indexOf('=');
            if (eq < 1) throw new UsageError(`not KEY=VALUE: ${pair.slice(0, 40)}`);
            return [pair.slice(0, eq), pair.slice(eq + 1)] as const;
          });
          return update(store, profile!, (d) => pairs.reduce((doc, [k, v]) => withField(doc, k, v), d), io);
        }
        case 'edit':
          need(2);
          return edit(store, profile!, io, session.env);
        case 'rm':
          need(2);
          if (!(await store.delete(profile!))) throw new UsageError(`no profile ${app}/${profile}`);
          io.out(`${app}/${profile}: removed\n`);
          return 0;
        case 'inherit':
          need(3);
          return update(store, profile!, (d) => ({ ...d, _inherits: more[0]! }), io, undefined);
        case 'diff': {
          if (values.version !== undefined) {
            need(2);
            const old = await versionsOf(store, session, profile!).at(versionOption(values));
            return printDiff(store, old, (await store.readRaw(profile!)).document, values.reveal === true, io);
          }
          need(3);
          return printDiff(store, await store.read(profile!), await store.read(more[0]!), values.reveal === true, io);
        }
        case 'history': {
          need(2);
          const versions = await versionsOf(store, session, profile!).history();
          // Versions, times and who wrote them: never the documents.
          const rows = versions.map((h) => ({
            Version: h.Version,
            LastModifiedDate: h.LastModifiedDate?.toISOString(),
            LastModifiedUser: h.LastModifiedUser,
          }));
          if (values.json) io.out(`${toJson(rows)}\n`);
          else for (const r of rows) io.out(`${r.Version}\t${r.LastModifiedDate}\t${r.LastModifiedUser}\n`);
          return 0;
        }
        case 'rollback': {
          need(2);
          const old = await versionsOf(store, session, profile!).at(versionOption(values));
          return update(store, profile!, () => withoutMetadata(old), io, undefined);
        }
        default:
          throw new UsageError(`unknown profile action ${action}: ${USAGE}`);
      }
    } finally {
      store.close();
    }
  },
};
