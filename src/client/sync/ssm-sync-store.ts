/**
 * A Parameter Store path as a sync store (`ssm:/app/local`): every parameter below it, with its
 * value (decrypted), type, description, tier, KMS key and tags. It works over the few SSM
 * actions it needs, so the same store serves a Coffer server, AWS (sdk-operations.ts) and the
 * CLI's embedded engine. An update writes the value only when the value or type changed (a new
 * version only when there is something new) and moves tags with the tagging actions.
 */
import type {
  AddTagsToResourceRequest,
  DeleteParameterRequest,
  DescribeParametersRequest,
  DescribeParametersResult,
  GetParametersByPathRequest,
  GetParametersByPathResult,
  ListTagsForResourceRequest,
  ListTagsForResourceResult,
  PutParameterRequest,
  RemoveTagsFromResourceRequest,
} from '@aws-sdk/client-ssm';
import { fromAwsError } from '../aws-error.js';
import { CofferClientError } from '../client-error.js';
import { relativeName, underRoot, type SyncCapabilities, type SyncEntry, type SyncStore } from './sync-entry.js';

/** The SSM actions the store uses, request to result, as @aws-sdk/client-ssm shapes them. */
export interface SsmSyncOperations {
  getParametersByPath(request: GetParametersByPathRequest): Promise<GetParametersByPathResult>;
  describeParameters(request: DescribeParametersRequest): Promise<DescribeParametersResult>;
  listTagsForResource(request: ListTagsForResourceRequest): Promise<ListTagsForResourceResult>;
  putParameter(request: PutParameterRequest): Promise<unknown>;
  deleteParameter(request: DeleteParameterRequest): Promise<unknown>;
  addTagsToResource(request: AddTagsToResourceRequest): Promise<unknown>;
  removeTagsFromResource(request: RemoveTagsFromResourceRequest): Promise<unknown>;
}

const CAPABILITIES: SyncCapabilities = {
  binary: false,
  encrypted: true,
  types: true,
  description: true,
  tags: true,
  tier: true,
  keyId: true,
};

/** How many parameters' tags are read at once while listing. */
const TAG_READERS = 8;

/** The store of the parameters below one path. */
export class SsmSyncStore implements SyncStore {
  readonly capabilities = CAPABILITIES;
  readonly label: string;
  private readonly root: string;

  constructor(
    private readonly ops: SsmSyncOperations,
    root: string,
    label?: string,
  ) {
    if (!root.startsWith('/')) throw new CofferClientError('ValidationException', `ssm:${root}: a path starts with /`);
    this.root = root.replace(/\/+$/, '');
    this.label = label ?? `ssm:${root}`;
  }

  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw fromAwsError(error, what);
    }
  }

  private hidden: string[] = [];

  unreadable(): string[] {
    return this.hidden;
  }

  async list(): Promise<SyncEntry[]> {
    const path = this.root === '' ? '/' : this.root;
    const values = new Map<string, { type?: string; value: string }>();
    let token: string | undefined;
    do {
      const page = await this.call(`GetParametersByPath ${path}`, () =>
        this.ops.getParametersByPath({ Path: path, Recursive: true, WithDecryption: true, NextToken: token }),
      );
      for (const p of page.Parameters ?? []) values.set(p.Name!, { type: p.Type, value: p.Value ?? '' });
      token = page.NextToken;
    } while (token);
    const metadata = new Map<string, { Description?: string; Tier?: string; KeyId?: string }>();
    const filters = path === '/' ? [] : [{ Key: 'Path', Option: 'Recursive', Values: [path] }];
    do {
      const page = await this.call(`DescribeParameters ${path}`, () =>
        this.ops.describeParameters({ ParameterFilters: filters, NextToken: token, MaxResults: 50 }),
      );
      for (const p of page.Parameters ?? []) metadata.set(p.Name!, p);
      token = page.NextToken;
    } while (token);
    // DescribeParameters names what exists; a name it lists that the value listing left out is one
    // this identity may not read: a sync must not take it for missing (and delete its copy).
    this.hidden = [...metadata.keys()].flatMap((fullName) => {
      if (values.has(fullName)) return [];
      const name = relativeName(this.root, fullName);
      return name === undefined ? [] : [name];
    });
    const entries: SyncEntry[] = [];
    const named = [...values].flatMap(([fullName, found]) => {
      const name = relativeName(this.root, fullName);
      return name === undefined ? [] : [{ fullName, name, ...found }];
    });
    // Tags come one parameter at a time (AWS has no batch call): eight at once, in order.
    const tagLists: Record<string, string>[] = new Array(named.length);
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(TAG_READERS, named.length) }, async () => {
        while (next < named.length) {
          const i = next++;
          const fullName = named[i]!.fullName;
          const tags = await this.call(`ListTagsForResource ${fullName}`, () =>
            this.ops.listTagsForResource({ ResourceType: 'Parameter', ResourceId: fullName }),
          );
          tagLists[i] = Object.fromEntries((tags.TagList ?? []).map((t) => [t.Key!, t.Value ?? '']));
        }
      }),
    );
    named.forEach(({ fullName, name, type, value }, i) => {
      const meta = metadata.get(fullName);
      entries.push({
        name,
        value,
        ...(type ? { type: type as SyncEntry['type'] } : {}),
        ...(meta?.Description !== undefined ? { description: meta.Description } : {}),
        tags: tagLists[i]!,
        ...(meta?.Tier ? { tier: meta.Tier } : {}),
        ...(meta?.KeyId && type === 'SecureString' ? { keyId: meta.KeyId } : {}),
      });
    });
    return entries;
  }

  async put(entry: SyncEntry, existing: SyncEntry | undefined): Promise<void> {
    const name = underRoot(this.root, entry.name);
    if (typeof entry.value !== 'string') {
      throw new CofferClientError('ValidationException', `${name}: Parameter Store cannot hold a binary value`);
    }
    const valueChanged =
      !existing ||
      existing.value !== entry.value ||
      (entry.type !== undefined && entry.type !== existing.type) ||
      (entry.description !== undefined && entry.description !== (existing.description ?? '')) ||
      (entry.tier !== undefined && existing.tier !== undefined && entry.tier !== existing.tier) ||
      (entry.keyId !== undefined && existing.keyId !== undefined && entry.keyId !== existing.keyId);
    const tags = Object.entries(entry.tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
    if (valueChanged) {
      await this.call(`PutParameter ${name}`, () =>
        this.ops.putParameter({
          Name: name,
          Value: entry.value as string,
          Type: entry.type ?? 'SecureString',
          Overwrite: existing !== undefined,
          ...(entry.description !== undefined ? { Description: entry.description } : {}),
          ...(entry.tier ? { Tier: entry.tier as PutParameterRequest['Tier'] } : {}),
          ...(entry.keyId && (entry.type ?? 'SecureString') === 'SecureString' ? { KeyId: entry.keyId } : {}),
          ...(!existing && tags.length > 0 ? { Tags: tags } : {}),
        }),
      );
    }
    if (!existing || !entry.tags) return;
    const stale = Object.keys(existing.tags ?? {}).filter((k) => !(k in entry.tags!));
    const moved = tags.filter((t) => existing.tags?.[t.Key] !== t.Value);
    if (stale.length > 0)
      await this.call(`RemoveTagsFromResource ${name}`, () =>
        this.ops.removeTagsFromResource({ ResourceType: 'Parameter', ResourceId: name, TagKeys: stale }),
      );
    if (moved.length > 0)
      await this.call(`AddTagsToResource ${name}`, () =>
        this.ops.addTagsToResource({ ResourceType: 'Parameter', ResourceId: name, Tags: moved }),
      );
  }

  async remove(name: string): Promise<void> {
    const full = underRoot(this.root, name);
    await this.call(`DeleteParameter ${full}`, async () => {
      try {
        await this.ops.deleteParameter({ Name: full });
      } catch (error) {
        // Gone already (an earlier, interrupted run deleted it): what was wanted.
        const code = (error as { name?: string; code?: string }).name;
        if (code !== 'ParameterNotFound' && (error as { code?: string }).code !== 'ParameterNotFound') throw error;
      }
    });
  }
}
