/**
 * Secrets Manager secrets below a prefix as a sync store (`secretsmanager:app/prod`): the
 * prefix is a folder, so `app/prod` and `app/prod/` both mean the secrets named `app/prod/...`,
 * and `app/prod/db` is the entry `db`; an empty prefix means every secret. Values are the
 * current version's SecretString or SecretBinary; description, tags and KMS key come with
 * them. An update puts a new version only when the value changed.
 */
import type {
  CreateSecretRequest,
  DeleteSecretRequest,
  GetSecretValueRequest,
  ListSecretsRequest,
  ListSecretsResponse,
  PutSecretValueRequest,
  TagResourceRequest,
  UntagResourceRequest,
  UpdateSecretRequest,
} from '@aws-sdk/client-secrets-manager';
import { fromAwsError } from '../aws-error.js';
import { sameValue, type SyncCapabilities, type SyncEntry, type SyncStore } from './sync-entry.js';

/** A value as the actions carry it: SecretBinary as bytes (or base64, as Coffer's engine may hand it back). */
export interface SecretValueResult {
  SecretString?: string;
  SecretBinary?: Uint8Array | string;
}

/** The Secrets Manager actions the store uses. */
export interface SecretsSyncOperations {
  listSecrets(request: ListSecretsRequest): Promise<ListSecretsResponse>;
  getSecretValue(request: GetSecretValueRequest): Promise<SecretValueResult>;
  createSecret(request: CreateSecretRequest): Promise<unknown>;
  putSecretValue(request: PutSecretValueRequest): Promise<unknown>;
  updateSecret(request: UpdateSecretRequest): Promise<unknown>;
  tagResource(request: TagResourceRequest): Promise<unknown>;
  untagResource(request: UntagResourceRequest): Promise<unknown>;
  deleteSecret(request: DeleteSecretRequest): Promise<unknown>;
}

const CAPABILITIES: SyncCapabilities = {
  binary: true,
  encrypted: true,
  types: false,
  description: true,
  tags: true,
  tier: false,
  keyId: true,
};

/** The days a deleted secret can be restored in (AWS's shortest window). */
const RECOVERY_DAYS = 7;

/** The store of the secrets below one prefix. */
export class SecretsSyncStore implements SyncStore {
  readonly capabilities = CAPABILITIES;
  readonly label: string;
  private readonly prefix: string;

  constructor(
    private readonly ops: SecretsSyncOperations,
    prefix: string,
    label?: string,
  ) {
    this.prefix = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
    this.label = label ?? `secretsmanager:${prefix}`;
  }

  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw fromAwsError(error, what);
    }
  }

  async list(): Promise<SyncEntry[]> {
    const entries: SyncEntry[] = [];
    let token: string | undefined;
    const filters = this.prefix ? [{ Key: 'name' as const, Values: [this.prefix] }] : undefined;
    do {
      const page = await this.call(`ListSecrets ${this.prefix}`, () =>
        this.ops.listSecrets({ Filters: filters, MaxResults: 100, NextToken: token }),
      );
      for (const secret of page.SecretList ?? []) {
        const fullName = secret.Name ?? '';
        if (!fullName.startsWith(this.prefix) || fullName.length === this.prefix.length) continue;
        const value = await this.call(`GetSecretValue ${fullName}`, () =>
          this.ops.getSecretValue({ SecretId: fullName }),
        );
        const binary = value.SecretBinary;
        entries.push({
          name: fullName.slice(this.prefix.length),
          value:
            value.SecretString ??
            (typeof binary === 'string' ? new Uint8Array(Buffer.from(binary, 'base64')) : (binary ?? '')),
          ...(secret.Description !== undefined ? { description: secret.Description } : {}),
          tags: Object.fromEntries((secret.Tags ?? []).map((t) => [t.Key!, t.Value ?? ''])),
          ...(secret.KmsKeyId ? { keyId: secret.KmsKeyId } : {}),
        });
      }
      token = page.NextToken;
    } while (token);
    return entries;
  }

  async put(entry: SyncEntry, existing: SyncEntry | undefined): Promise<void> {
    const id = `${this.prefix}${entry.name}`;
    const value = typeof entry.value === 'string' ? { SecretString: entry.value } : { SecretBinary: entry.value };
    const tags = Object.entries(entry.tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
    if (!existing) {
      await this.call(`CreateSecret ${id}`, () =>
        this.ops.createSecret({
          Name: id,
          ...value,
          ...(entry.description !== undefined ? { Description: entry.description } : {}),
          ...(entry.keyId ? { KmsKeyId: entry.keyId } : {}),
          ...(tags.length > 0 ? { Tags: tags } : {}),
        }),
      );
      return;
    }
    const describe =
      (entry.description !== undefined && entry.description !== (existing.description ?? '')) ||
      (entry.keyId !== undefined && entry.keyId !== existing.keyId);
    if (describe)
      await this.call(`UpdateSecret ${id}`, () =>
        this.ops.updateSecret({
          SecretId: id,
          ...(entry.description !== undefined ? { Description: entry.description } : {}),
          ...(entry.keyId !== undefined ? { KmsKeyId: entry.keyId } : {}),
        }),
      );
    if (!sameValue(entry.value, existing.value))
      await this.call(`PutSecretValue ${id}`, () => this.ops.putSecretValue({ SecretId: id, ...value }));
    if (!entry.tags) return;
    const stale = Object.keys(existing.tags ?? {}).filter((k) => !(k in entry.tags!));
    const moved = tags.filter((t) => existing.tags?.[t.Key] !== t.Value);
    if (stale.length > 0)
      await this.call(`UntagResource ${id}`, () => this.ops.untagResource({ SecretId: id, TagKeys: stale }));
    if (moved.length > 0)
      await this.call(`TagResource ${id}`, () => this.ops.tagResource({ SecretId: id, Tags: moved }));
  }

  /** Schedules the secret's deletion with the shortest recovery window, so a mistaken --delete can be undone. */
  async remove(name: string): Promise<void> {
    const id = `${this.prefix}${name}`;
    await this.call(`DeleteSecret ${id}`, () =>
      this.ops.deleteSecret({ SecretId: id, RecoveryWindowInDays: RECOVERY_DAYS }),
    );
  }
}
