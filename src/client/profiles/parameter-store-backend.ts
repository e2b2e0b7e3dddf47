/**
 * Profiles in Parameter Store: one SecureString parameter per profile at `{prefix}/{app}/{profile}`
 * holding the document's JSON, read decrypted and never cached. A document over 4096 bytes is
 * written in the Advanced tier; over 8192 bytes it is ProfileTooLarge.
 *
 * Compare-and-set: the version read is checked before writing, and sent as the header
 * `x-coffer-expected-version` (signed: it is added in the `build` step, before signing), which a
 * Coffer server enforces atomically (`ParameterVersionConflict`). AWS itself ignores the header:
 * there the check is only the read before the write, and two writers racing can both succeed.
 */
import {
  DeleteParameterCommand,
  GetParameterCommand,
  type GetParameterCommandOutput,
  GetParametersByPathCommand,
  PutParameterCommand,
  SSMClient,
  type SSMClientConfig,
} from '@aws-sdk/client-ssm';
import { fromAwsError } from '../aws-error.js';
import type { ProfileBackend, StoredProfile } from './backend.js';
import { type ProfileDocument, parseDocument } from './documents.js';
import { checkExpectedVersion, conflictError, ProfileError, type ProfileVersion } from './profile-error.js';

/** The largest value of a Standard parameter, and of an Advanced one (bytes). */
export const STANDARD_LIMIT = 4096;
export const ADVANCED_LIMIT = 8192;

/** The header a Coffer server checks on PutParameter: the version the writer read (0: must not exist). */
export const EXPECTED_VERSION_HEADER = 'x-coffer-expected-version';

export interface ParameterStoreBackendOptions {
  /** A name prefix before `/{app}` ('' or `/team`). */
  prefix?: string;
  endpoint?: string;
  region?: string;
  credentials?: SSMClientConfig['credentials'];
  requestTimeoutMs?: number;
}

/** Adds the expected-version header to one command, before signing. */
export function withExpectedVersion<C extends { middlewareStack: PutParameterCommand['middlewareStack'] }>(
  command: C,
  version: number,
): C {
  command.middlewareStack.add(
    (next) => async (args) => {
      (args.request as { headers: Record<string, string> }).headers[EXPECTED_VERSION_HEADER] = String(version);
      return next(args);
    },
    { step: 'build', name: 'cofferExpectedVersion' },
  );
  return command;
}

function normalizePrefix(prefix: string | undefined): string {
  const trimmed = (prefix ?? '').replace(/\/+$/, '');
  if (trimmed === '') return '';
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

function codeOf(error: unknown): string | undefined {
  return (error as { name?: string }).name;
}

export class ParameterStoreProfileBackend implements ProfileBackend {
  readonly kind = 'parameter-store' as const;
  readonly label: string;
  private readonly prefix: string;
  private readonly ssm: SSMClient;

  constructor(options: ParameterStoreBackendOptions = {}) {
    this.prefix = normalizePrefix(options.prefix);
    this.label = `parameter-store:${this.prefix || '/'}`;
    this.ssm = new SSMClient({
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.region ? { region: options.region } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      requestHandler: { requestTimeout: options.requestTimeoutMs ?? 10_000, connectionTimeout: 5_000 },
    });
  }

  /** The parameter holding a profile (or, without `profile`, the app's path). */
  parameterName(app: string, profile?: string): string {
    return profile === undefined ? `${this.prefix}/${app}` : `${this.prefix}/${app}/${profile}`;
  }

  async read(app: string, profile: string): Promise<StoredProfile | undefined> {
    const name = this.parameterName(app, profile);
    let output: GetParameterCommandOutput;
    try {
      output = await this.ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    } catch (error) {
      if (codeOf(error) === 'ParameterNotFound') return undefined;
      throw this.storeError('read', profile, name, error);
    }
    return {
      document: parseDocument(output.Parameter?.Value ?? '', `profile ${profile} (${name})`),
      version: output.Parameter?.Version ?? 0,
    };
  }

  async write(
    app: string,
    profile: string,
    build: (current: StoredProfile | undefined) => ProfileDocument,
    expected: ProfileVersion | null | undefined,
  ): Promise<ProfileVersion> {
    const name = this.parameterName(app, profile);
    const current = await this.read(app, profile);
    checkExpectedVersion(profile, expected, current?.version);
    const value = JSON.stringify(build(current));
    const bytes = Buffer.byteLength(value, 'utf8');
    if (bytes > ADVANCED_LIMIT) {
      throw new ProfileError(
        'ProfileTooLarge',
        `profile ${profile} is ${bytes} bytes as JSON: Parameter Store holds at most ${ADVANCED_LIMIT} (Advanced tier)`,
      );
    }
    const wanted = expected === undefined ? undefined : expected === null ? 0 : Number(expected);
    if (wanted !== undefined && !Number.isInteger(wanted)) {
      throw new ProfileError('ProfileInvalid', `profile ${profile}: expectedVersion must be a version number`);
    }
    const command = new PutParameterCommand({
      Name: name,
      Value: value,
      Type: 'SecureString',
      Overwrite: wanted !== 0,
      ...(bytes > STANDARD_LIMIT ? { Tier: 'Advanced' as const } : {}),
    });
    if (wanted !== undefined) withExpectedVersion(command, wanted);
    try {
      const output = await this.ssm.send(command);
      return output.Version ?? 0;
    } catch (error) {
      const code = codeOf(error);
      if (code === 'ParameterVersionConflict') {
        const found = /found version (\d+)/.exec((error as Error).message ?? '');
        throw conflictError(
          profile,
          wanted ?? 0,
          found ? Number(found[1]) : ((await this.read(app, profile))?.version ?? 0),
        );
      }
      if (code === 'ParameterAlreadyExists' && wanted === 0) {
        throw conflictError(profile, 0, (await this.read(app, profile))?.version ?? 0);
      }
      throw this.storeError('write', profile, name, error);
    }
  }

  async delete(app: string, profile: string): Promise<boolean> {
    const name = this.parameterName(app, profile);
    try {
      await this.ssm.send(new DeleteParameterCommand({ Name: name }));
      return true;
    } catch (error) {
      if (codeOf(error) === 'ParameterNotFound') return false;
      throw this.storeError('delete', profile, name, error);
    }
  }

  async list(app: string): Promise<string[]> {
    const path = this.parameterName(app);
    const names: string[] = [];
    let next: string | undefined;
    try {
      do {
        const output = await this.ssm.send(
          new GetParametersByPathCommand({ Path: path, Recursive: false, WithDecryption: false, NextToken: next }),
        );
        for (const parameter of output.Parameters ?? []) {
          const full = parameter.Name ?? '';
          if (full.startsWith(`${path}/`)) names.push(full.slice(path.length + 1));
        }
        next = output.NextToken;
      } while (next);
    } catch (error) {
      throw this.storeError('list', app, path, error);
    }
    return names.sort();
  }

  close(): void {
    this.ssm.destroy();
  }

  private storeError(action: string, profile: string, name: string, error: unknown): ProfileError {
    const wrapped = fromAwsError(error, `${action} profile ${profile} (${name})`);
    return new ProfileError('ProfileStoreError', wrapped.message, { storeCode: wrapped.code, cause: error });
  }
}
