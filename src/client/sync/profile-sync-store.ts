/**
 * A profile as a sync store (`profile:APP/PROFILE`): its fields are the entries, `db.host` named
 * `db/host`. Listed resolved (inherited fields count, as the application sees them); written to
 * the profile's own document, once, by `flush`, compare-and-set against the version listed, so a
 * profile edited during the sync is refused (ProfileConflict), never overwritten. A field that
 * holds a number, a boolean, a list or null is its JSON text here, and goes back as that type.
 */
import { CofferClientError } from '../client-error.js';
import type { ProfileDocument, ProfileStore } from '../profiles/index.js';
import type { SyncCapabilities, SyncEntry, SyncStore } from './sync-entry.js';

const RESERVED = new Set(['_inherits', '_metadata']);

type Tree = Record<string, unknown>;

const isTree = (value: unknown): value is Tree => value !== null && typeof value === 'object' && !Array.isArray(value);

function leaves(tree: Tree, prefix = ''): [string, unknown][] {
  return Object.entries(tree).flatMap(([key, value]) => {
    if (!prefix && RESERVED.has(key)) return [];
    const name = prefix ? `${prefix}/${key}` : key;
    return isTree(value) ? leaves(value, name) : [[name, value] as [string, unknown]];
  });
}

/** The profile's fields as sync entries. */
export class ProfileSyncStore implements SyncStore {
  readonly capabilities: SyncCapabilities;
  private document: Tree | undefined;
  private version: string | number | null = 0;
  /** Fields whose JSON type is not text, so what comes back as text is parsed again. */
  private readonly typed = new Set<string>();
  private dirty = false;

  constructor(
    private readonly store: ProfileStore,
    private readonly profile: string,
    readonly label: string,
  ) {
    const encrypted = store.kind === 'parameter-store';
    this.capabilities = {
      binary: false,
      encrypted,
      types: false,
      description: false,
      tags: false,
      tier: false,
      keyId: false,
    };
  }

  async list(): Promise<SyncEntry[]> {
    const raw = await this.store.readRaw(this.profile).catch((error: { code?: string }) => {
      if (error.code !== 'ProfileNotFound') throw error;
      return undefined;
    });
    this.document = structuredClone((raw?.document ?? {}) as Tree);
    this.version = raw?.version ?? 0;
    const resolved = raw ? ((await this.store.read(this.profile)) as Tree) : {};
    return leaves(resolved).map(([name, value]) => {
      if (typeof value !== 'string') this.typed.add(name);
      return { name, value: typeof value === 'string' ? value : JSON.stringify(value) };
    });
  }

  refuses(entry: SyncEntry): string | undefined {
    if (typeof entry.value !== 'string') return 'a profile holds text, not bytes';
    if (
      entry.name
        .split('/')
        .some(
          (part) =>
            part === '' || part === '__proto__' || part === 'constructor' || part === 'prototype' || RESERVED.has(part),
        )
    )
      return 'not a field name a profile can hold';
    return undefined;
  }

  async put(entry: SyncEntry): Promise<void> {
    const why = this.refuses(entry);
    if (why) throw new CofferClientError('ValidationException', `${entry.name}: ${why}`);
    const tree = this.tree();
    const parts = entry.name.split('/');
    let node = tree;
    for (const part of parts.slice(0, -1)) {
      if (node[part] === undefined) node[part] = {};
      // A field that holds a value is not a group of fields: writing under it would lose it.
      if (!isTree(node[part]))
        throw new CofferClientError('ValidationException', `${entry.name}: ${part} holds a value, not fields`);
      node = node[part] as Tree;
    }
    const last = parts.at(-1)!;
    if (isTree(node[last]))
      throw new CofferClientError(
        'ValidationException',
        `${entry.name}: holds fields; writing a value would lose them`,
      );
    let value: unknown = entry.value;
    if (this.typed.has(entry.name)) {
      try {
        value = JSON.parse(entry.value as string);
      } catch {}
    }
    node[last] = value;
    this.dirty = true;
  }

  async remove(name: string): Promise<void> {
    const parts = name.split('/');
    let node: unknown = this.tree();
    for (const part of parts.slice(0, -1)) node = isTree(node) ? node[part] : undefined;
    if (isTree(node)) delete node[parts.at(-1)!];
    this.dirty = true;
  }

  async flush(): Promise<void> {
    if (!this.dirty) return;
    const { _metadata: _, ...document } = this.tree();
    await this.store.write(this.profile, document as ProfileDocument, { expectedVersion: this.version });
    this.dirty = false;
  }

  close(): void {
    this.store.close();
  }

  private tree(): Tree {
    if (!this.document) throw new CofferClientError('ValidationException', `${this.label}: list it before writing`);
    return this.document;
  }
}
