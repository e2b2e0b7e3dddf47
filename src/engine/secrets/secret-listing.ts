/**
 * ListSecrets (filters, sorting, paging up to 100) and BatchGetSecretValue (by id list or
 * filters, each secret authorized on its own exactly as GetSecretValue is, with its resource
 * policy and tags; refusals become entries in Errors).
 */
import type {
  BatchGetSecretValueRequest,
  BatchGetSecretValueResponse,
  ListSecretsRequest,
  ListSecretsResponse,
  SecretValueEntry,
} from '@aws-sdk/client-secrets-manager';
import type { TokenSealer } from '../../crypto/token-sealer.js';
import type { RequestContext } from '../request-context.js';
import { ServiceError } from '../service-error.js';
import { InvalidParameterException, outOfBounds, SecretsValidationException } from './errors.js';
import { checkFilters, matchesFilter, type FilteredSecret } from './secret-filters.js';
import type { SecretRecord } from './secret-records.js';
import { listEntryShape } from './secret-shapes.js';
import { replicationShape } from './secret-replication.js';
import type { SecretStore } from './secret-store.js';
import type { SecretsPermissions } from './secrets-permissions.js';

const SORT_FIELDS: Record<string, (r: SecretRecord) => number | string> = {
  'created-date': (r) => r.row.createdAt,
  'last-accessed-date': (r) => r.attributes.lastAccessedDate ?? 0,
  'last-changed-date': (r) => r.attributes.lastChangedDate,
  name: (r) => r.row.name,
};

type Listed = FilteredSecret;

/** The listing actions. */
export class SecretListing {
  constructor(
    private readonly store: SecretStore,
    private readonly tokens: TokenSealer,
    private readonly permissions: SecretsPermissions,
  ) {}

  async listSecrets(
    ctx: RequestContext,
    request: ListSecretsRequest & { SortBy?: string },
  ): Promise<ListSecretsResponse> {
    const max = request.MaxResults ?? 100;
    if (!Number.isInteger(max) || max < 1 || max > 100)
      throw outOfBounds('maxResults', max, { min: 1, max: 100, measure: 'value' });
    const filters = checkFilters(request.Filters);
    const sortBy = request.SortBy ?? 'created-date';
    if (!SORT_FIELDS[sortBy])
      throw new SecretsValidationException(
        `1 validation error detected: Value '${sortBy}' at 'sortBy' failed to satisfy constraint: Member must ` +
          `satisfy enum value set: [${Object.keys(SORT_FIELDS).join(', ')}]`,
      );
    const order = request.SortOrder ?? 'asc';
    const items = (await this.all(ctx, request.IncludePlannedDeletion === true)).filter((item) =>
      filters.every((f) => matchesFilter(item, f)),
    );
    const key = SORT_FIELDS[sortBy]!;
    items.sort((a, b) => {
      const [x, y] = [key(a.record), key(b.record)];
      const c = x < y ? -1 : x > y ? 1 : a.record.row.name < b.record.row.name ? -1 : 1;
      return order === 'desc' ? -c : c;
    });
    const query = JSON.stringify([filters, sortBy, order, request.IncludePlannedDeletion === true]);
    const binding = ['ListSecrets', ctx.account, ctx.region, query].join('\u0000');
    let start = 0;
    if (request.NextToken !== undefined) {
      const cursor = this.tokens.open<{ i: number }>(String(request.NextToken), binding);
      if (!cursor) throw new InvalidParameterException('The NextToken value is not valid.');
      start = cursor.i;
    }
    const page = items.slice(start, start + max);
    const next = start + max < items.length ? this.tokens.seal({ i: start + max }, binding) : undefined;
    const storage = this.store.records.storage;
    const list = await Promise.all(
      page.map(async (i) => ({
        ...listEntryShape(i.record, i.tags),
        ...(await replicationShape(storage, ctx, i.record)),
      })),
    );
    return { SecretList: list, ...(next ? { NextToken: next } : {}) };
  }

  async batchGetSecretValue(
    ctx: RequestContext,
    request: BatchGetSecretValueRequest,
  ): Promise<BatchGetSecretValueResponse> {
    const ids = request.SecretIdList;
    if ((ids === undefined) === (request.Filters === undefined))
      throw new InvalidParameterException("Either 'SecretIdList' or 'Filters' must be provided, but not both.");
    if (request.MaxResults !== undefined && request.Filters === undefined)
      throw new InvalidParameterException(
        "'Filters' not specified. 'Filters' must also be specified when 'MaxResults' is provided.",
      );
    if (ids !== undefined && (!Array.isArray(ids) || ids.length < 1 || ids.length > 20))
      throw outOfBounds('secretIdList', ids, { min: 1, max: 20, measure: 'length' });
    let targets: string[];
    let nextToken: string | undefined;
    if (ids !== undefined) {
      targets = ids.map(String);
    } else {
      // As in AWS, selecting by filters is listing: it needs secretsmanager:ListSecrets too.
      await ctx.authorize?.([{ action: 'secretsmanager:ListSecrets', resource: '*' }]);
      const listed = await this.listSecrets(ctx, {
        Filters: request.Filters,
        MaxResults: request.MaxResults ?? 20,
        NextToken: request.NextToken,
      });
      targets = (listed.SecretList ?? []).map((s) => s.ARN!);
      nextToken = listed.NextToken;
    }
    const values: SecretValueEntry[] = [];
    const errors: NonNullable<BatchGetSecretValueResponse['Errors']> = [];
    for (const id of targets) {
      try {
        // Authorized before the caller learns whether the secret exists, as GetSecretValue is.
        await ctx.authorize?.([await this.permissions.onSecret(ctx, 'secretsmanager:GetSecretValue', id)]);
        const record = await this.store.records.resolve(this.store.records.storage, ctx, id);
        const { $metadata: _m, ...value } = {
          $metadata: undefined,
          ...(await this.store.getSecretValue(ctx, { SecretId: record.row.arn })),
        };
        values.push(value as SecretValueEntry);
      } catch (error) {
        if (!(error instanceof ServiceError)) throw error;
        errors.push({ SecretId: id, ErrorCode: error.code, Message: error.message });
      }
    }
    return { SecretValues: values, Errors: errors, ...(nextToken ? { NextToken: nextToken } : {}) };
  }

  private async all(ctx: RequestContext, includeDeleted: boolean): Promise<Listed[]> {
    const storage = this.store.records.storage;
    const out: Listed[] = [];
    for (const row of await storage.listSecrets(ctx)) {
      const record = await this.store.records.load(storage, ctx, row);
      if (this.store.records.expired(record.attributes)) continue;
      if (record.attributes.deletionDate !== undefined && !includeDeleted) continue;
      out.push({ record, tags: await this.store.records.tags(storage, ctx, row.name) });
    }
    return out;
  }
}
