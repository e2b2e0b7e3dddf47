/**
 * Values from one file: JSON (`.json`), YAML (`.yaml`, `.yml`) or dotenv (`.env`, `x.env`,
 * `.env.local`). A JSON or YAML file is a tree of names (value-tree.ts); a dotenv file is served
 * like the environment (environment-provider.ts), its keys found as written too. The file is
 * read on first use and again whenever its modification time or size changes, so editing it
 * takes effect without a restart (reads are cached above the provider all the same). A file
 * that does not parse is an error that says where, never what the line held.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { parse as parseYaml } from 'yaml';
import { CofferClientError } from './client-error.js';
import { EnvironmentProvider } from './environment-provider.js';
import type { LocalOrigin } from './local-records.js';
import type { LocalProvider } from './local-provider.js';
import { MemoryProvider } from './memory-provider.js';
import type { ParameterRecord, SecretDescription, SecretRecord, ValueProvider } from './value-provider.js';
import { flattenTree } from './value-tree.js';

/** The formats a file can be in. */
export type FileFormat = 'json' | 'yaml' | 'dotenv';

/** The format a file's name says it is in; undefined when it says nothing. */
export function formatOfFile(path: string): FileFormat | undefined {
  const extension = extname(path).toLowerCase();
  if (extension === '.json') return 'json';
  if (extension === '.yaml' || extension === '.yml') return 'yaml';
  if (extension === '.env' || basename(path).startsWith('.env')) return 'dotenv';
  return undefined;
}

function parseJson(text: string, label: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text around the fault: a value, perhaps. Say only where.
    throw new CofferClientError('ValidationException', `${label} is not valid JSON`);
  }
}

function parseYamlText(text: string, label: string): unknown {
  try {
    return parseYaml(text);
  } catch (error) {
    // yaml's message quotes the offending line; the position is enough.
    const line = (error as { linePos?: { line: number }[] }).linePos?.[0]?.line;
    throw new CofferClientError('ValidationException', `${label} is not valid YAML${line ? ` (line ${line})` : ''}`);
  }
}

/** A provider over one file. */
export class FileProvider implements ValueProvider {
  readonly name: string;
  private readonly format: FileFormat;
  private readonly origin: LocalOrigin | undefined;
  private loaded: { provider: LocalProvider; mtimeMs: number; size: number } | undefined;

  constructor(
    private readonly path: string,
    options: { format?: FileFormat; label?: string; origin?: LocalOrigin } = {},
  ) {
    this.name = options.label ?? `file:${path}`;
    const format = options.format ?? formatOfFile(path);
    if (!format) {
      throw new CofferClientError(
        'ValidationException',
        `${this.name}: the file's name does not say its format (.json, .yaml, .yml or .env)`,
      );
    }
    this.format = format;
    this.origin = options.origin;
  }

  async getParameter(selector: string): Promise<ParameterRecord> {
    return (await this.current()).getParameter(selector);
  }

  async getParametersByPath(
    path: string,
    options: { recursive: boolean; decrypt: boolean },
  ): Promise<ParameterRecord[]> {
    return (await this.current()).getParametersByPath(path, options);
  }

  async getSecretValue(id: string, options?: { versionId?: string; versionStage?: string }): Promise<SecretRecord> {
    return (await this.current()).getSecretValue(id, options);
  }

  async describeSecret(id: string): Promise<SecretDescription> {
    return (await this.current()).describeSecret(id);
  }

  /** The parsed file, read again if it changed. */
  private async current(): Promise<LocalProvider> {
    const stats = await stat(this.path).catch((error: NodeJS.ErrnoException) => {
      throw new CofferClientError('ValidationException', `${this.name} cannot be read (${error.code ?? 'error'})`);
    });
    if (this.loaded && this.loaded.mtimeMs === stats.mtimeMs && this.loaded.size === stats.size) {
      return this.loaded.provider;
    }
    const text = await readFile(this.path, 'utf8');
    this.loaded = { provider: this.parse(text), mtimeMs: stats.mtimeMs, size: stats.size };
    return this.loaded.provider;
  }

  private parse(text: string): LocalProvider {
    if (this.format === 'dotenv') {
      return new EnvironmentProvider({
        env: parseDotenv(text),
        exactKeys: true,
        label: this.name,
        origin: this.origin,
      });
    }
    const tree = this.format === 'json' ? parseJson(text, this.name) : parseYamlText(text, this.name);
    return new MemoryProvider(this.name, flattenTree(tree, this.name), this.origin);
  }
}
