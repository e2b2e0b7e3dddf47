/**
 * A directory tree as a sync store, in the SDK's layout (directory-provider.ts): the entry
 * `x/y` is the file `DIR/x/y`, its content the value (text or bytes). Each write is a file
 * written to a temporary name and renamed (mode 0600), so a reader never sees half a value and
 * an interrupted sync leaves whole files. Names with an empty segment or one starting with a
 * dot are refused (they are not files below the directory).
 */
import { mkdir, rename, rmdir, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { DirectoryProvider } from '../directory-provider.js';
import type { LocalValue } from '../local-records.js';
import type { SyncCapabilities, SyncEntry, SyncStore } from './sync-entry.js';
import { temporaryName, writeNew } from './private-write.js';

/** The directory provider's reading, opened up to list names and read values as they are. */
class DirectoryReader extends DirectoryProvider {
  names(): Promise<string[]> {
    return this.listNames();
  }
  value(name: string): Promise<LocalValue | undefined> {
    return this.read(name);
  }
}

const CAPABILITIES: SyncCapabilities = {
  binary: true,
  encrypted: false,
  types: false,
  description: false,
  tags: false,
  tier: false,
  keyId: false,
};

/** The store of one directory tree. */
export class DirectorySyncStore implements SyncStore {
  readonly capabilities = CAPABILITIES;
  readonly label: string;
  private readonly root: string;
  private readonly reader: DirectoryReader;

  constructor(root: string, label?: string) {
    this.root = resolve(root);
    this.label = label ?? `file:${root}`;
    this.reader = new DirectoryReader(this.root, this.label);
  }

  refuses(entry: SyncEntry): string | undefined {
    const safe = entry.name.split('/').every((s) => s !== '' && !s.startsWith('.') && !/[\\\0]/.test(s));
    return safe ? undefined : 'the name is not a file below the directory (an empty or dot segment)';
  }

  async list(): Promise<SyncEntry[]> {
    const entries: SyncEntry[] = [];
    for (const name of (await this.reader.names()).sort()) {
      const value = await this.reader.value(name);
      if (value !== undefined) entries.push({ name: name.slice(1), value });
    }
    return entries;
  }

  async put(entry: SyncEntry): Promise<void> {
    const path = join(this.root, ...entry.name.split('/'));
    await mkdir(dirname(path), { recursive: true });
    // The reader drops one trailing newline (which `echo` adds): a value ending in one gets one more.
    const content =
      typeof entry.value === 'string' ? (entry.value.endsWith('\n') ? `${entry.value}\n` : entry.value) : entry.value;
    const temporary = join(dirname(path), temporaryName());
    await writeNew(temporary, content);
    await rename(temporary, path);
  }

  async remove(name: string): Promise<void> {
    const path = join(this.root, ...name.split('/'));
    await unlink(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    // Folders the removal emptied go too (rmdir refuses one that is not empty).
    for (let dir = dirname(path); dir.startsWith(`${this.root}/`); dir = dirname(dir)) {
      if (
        !(await rmdir(dir).then(
          () => true,
          () => false,
        ))
      )
        break;
    }
  }
}
