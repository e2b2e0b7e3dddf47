/**
 * Values as a directory tree (Kubernetes and Docker secret mounts, `/run/secrets`): the path of
 * a file below the directory is the name (`dir/lee/ha/access_token` is `/lee/ha/access_token`)
 * and its content the value, text when it is UTF-8 (one trailing newline dropped, which
 * `echo token > file` adds) and bytes otherwise. Names are never paths out of the tree: a
 * segment that is empty, or starts with a dot (`..`, and the `..data` links of Kubernetes
 * mounts), names nothing.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CofferClientError } from './client-error.js';
import { LocalProvider } from './local-provider.js';
import type { LocalOrigin, LocalValue } from './local-records.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A file's content as a value: text if it decodes as UTF-8, bytes otherwise. */
export function valueOfFile(content: Uint8Array): LocalValue {
  try {
    return utf8.decode(content).replace(/\r?\n$/, '');
  } catch {
    return content;
  }
}

/** The segments of a name that may be a file below the root; undefined for any other name. */
function safeSegments(name: string): string[] | undefined {
  const segments = name.replace(/^\//, '').split('/');
  const safe = segments.every((s) => s !== '' && !s.startsWith('.') && !/[\\\0]/.test(s));
  return safe ? segments : undefined;
}

/** A provider over a directory tree. */
export class DirectoryProvider extends LocalProvider {
  readonly name: string;
  private readonly root: string;

  constructor(root: string, label?: string, origin?: LocalOrigin) {
    super(origin);
    this.root = resolve(root);
    this.name = label ?? `file:${root}`;
  }

  protected async read(name: string): Promise<LocalValue | undefined> {
    const segments = safeSegments(name);
    if (!segments) return undefined;
    try {
      return valueOfFile(await readFile(join(this.root, ...segments)));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return undefined;
      const denied = code === 'EACCES' || code === 'EPERM';
      throw new CofferClientError(
        denied ? 'AccessDeniedException' : 'UnknownError',
        `${this.name}: the file for ${name} cannot be read (${code ?? 'error'})`,
      );
    }
  }

  protected async listNames(): Promise<string[]> {
    return this.walk(this.root, '');
  }

  private async walk(dir: string, prefix: string): Promise<string[]> {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    const names: string[] = [];
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const name = `${prefix}/${entry.name}`;
      const path = join(dir, entry.name);
      const isDirectory = entry.isSymbolicLink()
        ? (await stat(path).catch(() => undefined))?.isDirectory()
        : entry.isDirectory();
      if (isDirectory) names.push(...(await this.walk(path, name)));
      else names.push(name);
    }
    return names;
  }
}
