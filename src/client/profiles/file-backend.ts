/**
 * Profiles as files: `{configHome}/{app}/{profile}/config.json` (configHome: XDG_CONFIG_HOME, or
 * ~/.config), files 0600 and the app's directories 0700, each write a temp file renamed into
 * place. Every write and delete holds `config.json.lock` (created exclusively, removed after;
 * one older than 30 s is taken to be left by a crashed writer and broken), so the version check
 * of a compare-and-set and the write are one step: of two processes writing from the same
 * version, one wins and the other gets ProfileConflict. The version is a hash of the content.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readdir, readFile, rename, rmdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProfileBackend, StoredProfile } from './backend.js';
import { type ProfileDocument, parseDocument } from './documents.js';
import { checkExpectedVersion, ProfileError, type ProfileVersion } from './profile-error.js';

const FILE = 'config.json';
const STALE_LOCK_MS = 30_000;
const LOCK_WAIT_MS = 15_000;

function versionOf(text: string): string {
  return `sha256-${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
}

function storeError(action: string, profile: string, error: unknown): ProfileError {
  const code = (error as NodeJS.ErrnoException).code ?? 'UnknownError';
  return new ProfileError('ProfileStoreError', `${action} profile ${profile} failed: ${code}`, {
    storeCode: code,
    cause: error,
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class FileProfileBackend implements ProfileBackend {
  readonly kind = 'file' as const;
  readonly label: string;

  constructor(private readonly configHome: string) {
    this.label = configHome;
  }

  private directory(app: string, profile?: string): string {
    return profile === undefined ? join(this.configHome, app) : join(this.configHome, app, profile);
  }

  async read(app: string, profile: string): Promise<StoredProfile | undefined> {
    let text: string;
    try {
      text = await readFile(join(this.directory(app, profile), FILE), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw storeError('read', profile, error);
    }
    return { document: parseDocument(text, `profile ${profile} (${FILE})`), version: versionOf(text) };
  }

  async write(
    app: string,
    profile: string,
    build: (current: StoredProfile | undefined) => ProfileDocument,
    expected: ProfileVersion | null | undefined,
  ): Promise<ProfileVersion> {
    await this.makeDirectories(app, profile);
    return this.locked(app, profile, async () => {
      const current = await this.read(app, profile);
      checkExpectedVersion(profile, expected, current?.version);
      const text = `${JSON.stringify(build(current), null, 2)}\n`;
      const target = join(this.directory(app, profile), FILE);
      const temp = `${target}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        const handle = await open(temp, 'wx', 0o600);
        try {
          await handle.writeFile(text, 'utf8');
          await handle.sync();
        } finally {
          await handle.close();
        }
        await chmod(temp, 0o600);
        await rename(temp, target);
      } catch (error) {
        await unlink(temp).catch(() => {});
        throw storeError('write', profile, error);
      }
      return versionOf(text);
    });
  }

  async delete(app: string, profile: string): Promise<boolean> {
    const directory = this.directory(app, profile);
    try {
      await stat(join(directory, FILE));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw storeError('delete', profile, error);
    }
    const existed = await this.locked(app, profile, async () => {
      try {
        await unlink(join(directory, FILE));
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw storeError('delete', profile, error);
      }
    });
    await rmdir(directory).catch(() => {}); // only when empty: another writer may be at work
    return existed;
  }

  async list(app: string): Promise<string[]> {
    let entries: string[];
    try {
      entries = await readdir(this.directory(app));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw storeError('list', app, error);
    }
    const names: string[] = [];
    for (const entry of entries) {
      if (entry.startsWith('.')) continue;
      const found = await stat(join(this.directory(app, entry), FILE)).then(
        (s) => s.isFile(),
        () => false,
      );
      if (found) names.push(entry);
    }
    return names.sort();
  }

  private async makeDirectories(app: string, profile: string): Promise<void> {
    try {
      await mkdir(this.directory(app, profile), { recursive: true, mode: 0o700 });
      await chmod(this.directory(app), 0o700);
      await chmod(this.directory(app, profile), 0o700);
    } catch (error) {
      throw storeError('write', profile, error);
    }
  }

  /** Runs `fn` holding the profile's lock file. */
  private async locked<T>(app: string, profile: string, fn: () => Promise<T>): Promise<T> {
    const lock = join(this.directory(app, profile), `${FILE}.lock`);
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        const handle = await open(lock, 'wx', 0o600);
        await handle.writeFile(`${process.pid}\n`).finally(() => handle.close());
        break;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') {
          await this.makeDirectories(app, profile); // deleted meanwhile
          continue;
        }
        if (code !== 'EEXIST') throw storeError('lock', profile, error);
        const age = await stat(lock).then(
          (s) => Date.now() - s.mtimeMs,
          () => 0,
        );
        if (age > STALE_LOCK_MS) {
          await unlink(lock).catch(() => {});
          continue;
        }
        if (Date.now() > deadline) {
          throw new ProfileError('ProfileLocked', `profile ${profile} is locked by another writer (${FILE}.lock)`);
        }
        await sleep(Math.min(5 + attempt * 5, 50) + Math.random() * 10);
      }
    }
    try {
      return await fn();
    } finally {
      await unlink(lock).catch(() => {});
    }
  }
}
