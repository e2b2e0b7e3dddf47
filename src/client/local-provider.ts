/**
 * What every local source (a file, a directory, the environment, a map) shares: a local source
 * only says which names it holds and what is under one (template method), and this class answers
 * the provider's questions in AWS's terms. One namespace serves both parameters and secrets;
 * there is one version (`name:1` works, other versions and labels are not found); and, as AWS
 * does for one-level names, `/foo` and `foo` are one name.
 */
import { CofferClientError } from './client-error.js';
import { LOCAL_ORIGIN, localParameter, localSecret, type LocalOrigin, type LocalValue } from './local-records.js';
import {
  alternateSpelling,
  isListedUnder,
  normalizePath,
  secretNameCandidates,
  splitSelector,
} from './parameter-names.js';
import type { ParameterRecord, SecretDescription, SecretRecord, ValueProvider } from './value-provider.js';

const notFound = (name: string) =>
  new CofferClientError('ParameterNotFound', `Parameter ${name} not found.`, { status: 400 });
const secretNotFound = (id: string) =>
  new CofferClientError('ResourceNotFoundException', `Secrets Manager can't find the specified secret: ${id}`, {
    status: 400,
  });

/** A provider over values held locally. */
export abstract class LocalProvider implements ValueProvider {
  abstract readonly name: string;

  constructor(protected readonly origin: LocalOrigin = LOCAL_ORIGIN) {}

  /** The value stored under exactly `name`, if any. */
  protected abstract read(name: string): Promise<LocalValue | undefined>;

  /** Every name the source holds, as listings show them. */
  protected abstract listNames(): Promise<string[]>;

  /** One parameter; a local value is plain text, so `decrypt` changes nothing. */
  async getParameter(selector: string, _options?: { decrypt: boolean }): Promise<ParameterRecord> {
    const split = splitSelector(selector);
    const found = await this.lookup([split.name]);
    if (!found) throw notFound(split.name);
    if (split.selector !== undefined) {
      const version = /^:(\d+)$/.exec(split.selector)?.[1];
      if (version === undefined) throw notFound(selector);
      if (version !== '1') {
        throw new CofferClientError(
          'ParameterVersionNotFound',
          `Systems Manager could not find version ${version} of ${split.name}.`,
          { status: 400 },
        );
      }
    }
    return localParameter(this.origin, found.name, found.value, split.selector);
  }

  async getParametersByPath(
    path: string,
    options: { recursive: boolean; decrypt?: boolean },
  ): Promise<ParameterRecord[]> {
    if (!path.startsWith('/')) {
      throw new CofferClientError('ValidationException', `The path ${path} must start with a slash.`, { status: 400 });
    }
    const under = normalizePath(path);
    const names = (await this.listNames()).filter((n) => isListedUnder(n, under, options.recursive)).sort();
    const records: ParameterRecord[] = [];
    for (const name of names) {
      const value = await this.read(name);
      if (value !== undefined) records.push(localParameter(this.origin, name, value));
    }
    return records;
  }

  async getSecretValue(id: string, options: { versionId?: string; versionStage?: string } = {}): Promise<SecretRecord> {
    const found = await this.lookup(secretNameCandidates(id));
    if (!found) throw secretNotFound(id);
    const record = localSecret(this.origin, found.name, found.value);
    const stageMissing = options.versionStage !== undefined && options.versionStage !== 'AWSCURRENT';
    if (stageMissing || (options.versionId !== undefined && options.versionId !== record.VersionId)) {
      throw secretNotFound(id);
    }
    return record;
  }

  async describeSecret(id: string): Promise<SecretDescription> {
    const found = await this.lookup(secretNameCandidates(id));
    if (!found) throw secretNotFound(id);
    const { ARN, Name } = localSecret(this.origin, found.name, found.value);
    return { ARN, Name, RotationEnabled: false };
  }

  /** The first candidate name (or its other one-level spelling) that holds a value. */
  private async lookup(candidates: string[]): Promise<{ name: string; value: LocalValue } | undefined> {
    for (const candidate of candidates) {
      for (const name of [candidate, alternateSpelling(candidate)]) {
        if (name === undefined) continue;
        const value = await this.read(name);
        if (value !== undefined) return { name, value };
      }
    }
    return undefined;
  }
}
