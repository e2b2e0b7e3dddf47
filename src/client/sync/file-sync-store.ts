/**
 * One file as a sync store, in the SDK's file formats (file-provider.ts): JSON or YAML, a tree
 * of names (value-tree.ts: nested objects are paths, `{"$binary": ...}` is bytes), or dotenv,
 * whose keys are the environment spelling of names (`db/url` is `DB_URL`, listed back as
 * `db/url`; environment-provider.ts). The file is read by `list` and written once by `flush`,
 * atomically (a temporary file renamed over it, mode 0600), so an interrupted sync leaves the
 * old file or the new one. A file holds no types, descriptions or tags, and nothing encrypted:
 * the plan says so for each entry that had any. Comments and layout of an existing file are not
 * kept.
 */
import { mkdir, readFile, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { CofferClientError } from '../client-error.js';
import { environmentName, nameOfVariable } from '../environment-provider.js';
import { formatOfFile, type FileFormat } from '../file-provider.js';
import { flattenTree } from '../value-tree.js';
import type { SyncCapabilities, SyncEntry, SyncStore } from './sync-entry.js';
import { temporaryName, writeNew } from './private-write.js';

const TEXT_ONLY: SyncCapabilities = {
  binary: false,
  encrypted: false,
  types: false,
  description: false,
  tags: false,
  tier: false,
  keyId: false,
};

/** A dotenv quoting that dotenv's parser reads back to exactly `value`; undefined when none can. */
function quoteDotenv(value: string): string | undefined {
  if (!value.includes("'") && !value.includes('\n') && !value.includes('\r')) return `'${value}'`;
  if (!value.includes('`')) return `\`${value}\``;
  if (!value.includes('"') && !value.includes('\\n')) return `"${value}"`;
  return undefined;
}

/** A tree for JSON or YAML: nested by path, a name whose place is taken written whole at the top. */
function toTree(entries: ReadonlyMap<string, string | Uint8Array>): Record<string, unknown> {
  const tree: Record<string, unknown> = {};
  const leaf = (value: string | Uint8Array) =>
    typeof value === 'string' ? value : { $binary: Buffer.from(value).toString('base64') };
  const leaves = new Set<object>();
  for (const [name, value] of [...entries].sort(([a], [b]) => a.localeCompare(b))) {
    const parts = name.split('/');
    // Never walk into a prototype, whatever a file or a source holds.
    if (parts.some((part) => part === '__proto__' || part === 'constructor' || part === 'prototype')) continue;
    let node: Record<string, unknown> | undefined = tree;
    for (const part of parts.slice(0, -1)) {
      const next: unknown = node[part];
      if (next === undefined) node[part] = {};
      else if (typeof next !== 'object' || leaves.has(next as object)) {
        node = undefined;
        break;
      }
      node = node[part] as Record<string, unknown>;
    }
    const last = parts.at(-1)!;
    if (node && node[last] === undefined) {
      node[last] = leaf(value);
      if (typeof node[last] === 'object') leaves.add(node[last] as object);
    } else tree[`/${name}`] = leaf(value);
  }
  return tree;
}

/** The store of one file. */
export class FileSyncStore implements SyncStore {
  readonly label: string;
  readonly capabilities: SyncCapabilities;
  private readonly format: FileFormat;
  private entries = new Map<string, string | Uint8Array>();
  /** The keys the dotenv file spelled its names with, kept when it is written again. */
  private keys = new Map<string, string>();
  private dirty = false;

  constructor(
    private readonly path: string,
    options: { label?: string; format?: FileFormat } = {},
  ) {
    this.label = options.label ?? `file:${path}`;
    const format = options.format ?? formatOfFile(path);
    if (!format)
      throw new CofferClientError('ValidationException', `${this.label}: the name does not say .json, .yaml or .env`);
    this.format = format;
    this.capabilities = { ...TEXT_ONLY, binary: format !== 'dotenv' };
  }

  /** A dotenv name as its key lists back; a key the file already spells as `name` (`db.port`) stays. */
  nameFor(name: string): string {
    if (this.format !== 'dotenv' || this.keys.has(name)) return name;
    return nameOfVariable(environmentName(name)).slice(1);
  }

  refuses(entry: SyncEntry): string | undefined {
    if (this.format !== 'dotenv' || typeof entry.value !== 'string') return undefined;
    if (environmentName(entry.name) === '') return 'no dotenv key can spell this name';
    return quoteDotenv(entry.value) === undefined ? 'the value mixes quotes in a way dotenv cannot hold' : undefined;
  }

  async list(): Promise<SyncEntry[]> {
    const text = await readFile(this.path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw new CofferClientError('ValidationException', `${this.label} cannot be read (${error.code ?? 'error'})`);
    });
    this.entries = new Map();
    this.keys = new Map();
    if (text !== undefined) {
      if (this.format === 'dotenv') {
        for (const [key, value] of Object.entries(parseDotenv(text))) {
          this.entries.set(this.keyName(key), value);
          this.keys.set(this.keyName(key), key);
        }
      } else {
        for (const [name, value] of flattenTree(this.parse(text), this.label)) this.entries.set(name.slice(1), value);
      }
    }
    return [...this.entries].map(([name, value]) => ({ name, value }));
  }

  async put(entry: SyncEntry): Promise<void> {
    this.entries.set(this.nameFor(entry.name), entry.value);
    this.dirty = true;
  }

  async remove(name: string): Promise<void> {
    this.entries.delete(name);
    this.dirty = true;
  }

  async flush(): Promise<void> {
    if (!this.dirty) return;
    await mkdir(dirname(this.path), { recursive: true });
    const temporary = join(dirname(this.path), temporaryName());
    await writeNew(temporary, this.render());
    await rename(temporary, this.path);
    this.dirty = false;
  }

  private keyName(key: string): string {
    return key.startsWith('/') ? key.slice(1) : nameOfVariable(key).slice(1);
  }

  private parse(text: string): unknown {
    try {
      return this.format === 'json' ? JSON.parse(text) : parseYaml(text);
    } catch {
      // The parsers' messages quote the text around the fault: a value, perhaps.
      throw new CofferClientError('ValidationException', `${this.label} is not valid ${this.format.toUpperCase()}`);
    }
  }

  private render(): string {
    if (this.format === 'dotenv') {
      return [...this.entries]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, value]) => `${this.keys.get(name) ?? environmentName(name)}=${quoteDotenv(value as string)}\n`)
        .join('');
    }
    const tree = toTree(this.entries);
    return this.format === 'json' ? `${JSON.stringify(tree, null, 2)}\n` : stringifyYaml(tree);
  }
}
