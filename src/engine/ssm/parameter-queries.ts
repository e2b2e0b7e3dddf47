/**
 * The read actions of Parameter Store: GetParameter, GetParameters, GetParametersByPath,
 * DescribeParameters, GetParameterHistory and ListTagsForResource.
 */
import type {
  DescribeParametersRequest,
  DescribeParametersResult,
  GetParameterHistoryRequest,
  GetParameterHistoryResult,
  GetParameterRequest,
  GetParameterResult,
  GetParametersByPathRequest,
  GetParametersByPathResult,
  GetParametersRequest,
  GetParametersResult,
  Parameter,
} from '@aws-sdk/client-ssm';
import type { TokenSealer } from '../../crypto/token-sealer.js';
import type { ParameterVersionRow, Storage } from '../../storage/storage.js';
import type { RequestContext } from '../request-context.js';
import { ServiceError, constraintFailure, listShown } from '../service-error.js';
import { ParameterNotFound, ValidationException } from './errors.js';
import { byPathFilters, describeFilters, type ParameterPredicate } from './parameter-filters.js';
import { findLatest, findSelected, isShadowed, labelsByVersion } from './parameter-lookup.js';
import {
  checkPath,
  nameFromArn,
  parseReference,
  checkNameSyntax,
  isPublicParameterName,
  parseSecretReference,
  type SecretReferenceName,
} from './parameter-name.js';
import { getPublicParameter, publicParametersByPath } from './public-parameters.js';
import type { SsmPermissions } from './ssm-permissions.js';
import type { ParameterViews } from './parameter-views.js';
import { PageCursor, pageSize } from './page-cursor.js';

const SCAN_BATCH = 200;
/** Rows one listing call may examine before it returns a partial page with a NextToken, as AWS does. */
const SCAN_BUDGET = 2000;

interface NameCursor {
  after: string;
}
interface VersionCursor {
  after: number;
}

/** Whether GetParameters reports this error as an invalid name rather than failing. */
function isLookupMiss(error: unknown): boolean {
  return (
    error instanceof ServiceError &&
    ['ParameterNotFound', 'ParameterVersionNotFound', 'ValidationException', 'ResourceNotFoundException'].includes(
      error.code,
    )
  );
}

/** Reads a secret as a parameter (the Secrets Manager engine supplies it). */
export type SecretReference = (
  ctx: RequestContext,
  reference: SecretReferenceName,
  withDecryption: boolean,
) => Promise<Parameter>;

/** Checks a request's list of names (1 to 10). */
export function checkNameList(names: readonly string[] | undefined, field: string): asserts names is string[] {
  if (!names || names.length === 0)
    throw ValidationException.of(constraintFailure(field, null, 'Member must not be null'));
  if (names.length > 10)
    throw ValidationException.of(
      constraintFailure(field, listShown(names), 'Member must have length less than or equal to 10'),
    );
}

/** Read actions over one store. */
export class ParameterQueries {
  private readonly byPathCursor: PageCursor<NameCursor>;
  private readonly describeCursor: PageCursor<NameCursor>;
  private readonly historyCursor: PageCursor<VersionCursor>;

  /** Set once Secrets Manager is wired in; without it reference names are ordinary (absent) parameters. */
  secretReference: SecretReference | undefined;

  constructor(
    private readonly storage: Storage,
    private readonly views: ParameterViews,
    tokens: TokenSealer,
    private readonly permissions: SsmPermissions,
  ) {
    this.byPathCursor = new PageCursor(tokens, 'GetParametersByPath');
    this.describeCursor = new PageCursor(tokens, 'DescribeParameters');
    this.historyCursor = new PageCursor(tokens, 'GetParameterHistory');
  }

  async getParameter(ctx: RequestContext, request: GetParameterRequest): Promise<GetParameterResult> {
    if (typeof request.Name !== 'string')
      throw ValidationException.of(constraintFailure('name', null, 'Member must not be null'));
    const bridged = this.secretReference && parseSecretReference(request.Name);
    if (bridged) return { Parameter: await this.secretReference!(ctx, bridged, request.WithDecryption === true) };
    const { name, selector } = parseReference(ctx, request.Name);
    if (isPublicParameterName(name)) return { Parameter: getPublicParameter(ctx, name, selector) };
    const row = await findSelected(this.storage, ctx, name, selector);
    const selectorText = selector.kind === 'latest' ? undefined : selector.text;
    return { Parameter: await this.views.parameter(ctx, row, request.WithDecryption === true, selectorText) };
  }

  async getParameters(ctx: RequestContext, request: GetParametersRequest): Promise<GetParametersResult> {
    checkNameList(request.Names, 'names');
    const found = new Map<string, Parameter>();
    const invalid = new Set<string>();
    for (const reference of new Set(request.Names)) {
      try {
        found.set(
          reference,
          (await this.getParameter(ctx, { Name: reference, WithDecryption: request.WithDecryption })).Parameter!,
        );
      } catch (error) {
        if (!isLookupMiss(error)) throw error;
        invalid.add(reference);
      }
    }
    const parameters = [...found.values()].sort((a, b) => (a.Name! < b.Name! ? -1 : a.Name! > b.Name! ? 1 : 0));
    return { Parameters: parameters, InvalidParameters: [...invalid] };
  }

  async getParametersByPath(
    ctx: RequestContext,
    request: GetParametersByPathRequest,
  ): Promise<GetParametersByPathResult> {
    const path = request.Path;
    if (typeof path !== 'string')
      throw ValidationException.of(constraintFailure('path', null, 'Member must not be null'));
    checkPath(path);
    const limit = pageSize(request.MaxResults, 10);
    const predicate = byPathFilters(request.ParameterFilters);
    const binding = { path, recursive: request.Recursive === true, filters: request.ParameterFilters ?? [] };
    const cursor = this.byPathCursor.open(ctx, binding, request.NextToken);
    if (isPublicParameterName(path)) {
      const page = publicParametersByPath(ctx, path, binding.recursive, cursor?.after, limit, predicate);
      const shown = [];
      for (const parameter of page.parameters) if (await this.readable(ctx, parameter.Name!)) shown.push(parameter);
      return {
        Parameters: shown,
        ...(page.next !== undefined ? { NextToken: this.byPathCursor.seal(ctx, binding, { after: page.next }) } : {}),
      };
    }
    const prefix = path.endsWith('/') ? path : `${path}/`;
    // `/` holds every root name, both spellings (`/a` and `a` are one parameter): it scans them all.
    const root = prefix === '/';
    const oneLevel = (row: ParameterVersionRow) => {
      if (root && !row.name.startsWith('/')) return request.Recursive === true || !row.name.includes('/');
      return row.name.startsWith(prefix) && (request.Recursive === true || row.name.indexOf('/', prefix.length) === -1);
    };
    const page = await this.scan(ctx, root ? undefined : prefix, cursor?.after, limit, predicate, oneLevel, true);
    const withDecryption = request.WithDecryption === true;
    const shown: ParameterVersionRow[] = [];
    for (const row of page.rows) if (await this.readable(ctx, row.name)) shown.push(row);
    return {
      Parameters: await Promise.all(shown.map((row) => this.views.parameter(ctx, row, withDecryption))),
      ...(page.next !== undefined ? { NextToken: this.byPathCursor.seal(ctx, binding, { after: page.next }) } : {}),
    };
  }

  async describeParameters(ctx: RequestContext, request: DescribeParametersRequest): Promise<DescribeParametersResult> {
    const limit = pageSize(request.MaxResults, 50);
    const predicate = describeFilters(request.Filters, request.ParameterFilters);
    const binding = {
      filters: request.Filters ?? [],
      parameterFilters: request.ParameterFilters ?? [],
      shared: request.Shared ?? false,
    };
    const cursor = this.describeCursor.open(ctx, binding, request.NextToken);
    // Parameters shared from other accounts are not modelled, so Shared=true lists nothing.
    if (request.Shared === true) return { Parameters: [] };
    const page = await this.scan(ctx, scanPrefix(request), cursor?.after, limit, predicate, () => true, false);
    return {
      Parameters: await Promise.all(
        page.rows.map(async (row) =>
          this.views.metadata(ctx, row, row.policies ? await this.storage.listPolicyActions(ctx, row.name) : []),
        ),
      ),
      ...(page.next !== undefined ? { NextToken: this.describeCursor.seal(ctx, binding, { after: page.next }) } : {}),
    };
  }

  async getParameterHistory(
    ctx: RequestContext,
    request: GetParameterHistoryRequest,
  ): Promise<GetParameterHistoryResult> {
    if (typeof request.Name !== 'string')
      throw ValidationException.of(constraintFailure('name', null, 'Member must not be null'));
    const name = nameFromArn(ctx, request.Name);
    checkNameSyntax(ctx, name);
    const limit = pageSize(request.MaxResults, 50);
    const cursor = this.historyCursor.open(ctx, { name }, request.NextToken);
    const latest = await findLatest(this.storage, ctx, name);
    if (!latest) throw new ParameterNotFound(name);
    const rows = await this.storage.listVersions(ctx, latest.name, cursor?.after ?? 0, limit + 1);
    const labels = await labelsByVersion(this.storage, ctx, latest.name);
    const shown = rows.slice(0, limit);
    const withDecryption = request.WithDecryption === true;
    const actions = shown.some((row) => row.policies) ? await this.storage.listPolicyActions(ctx, latest.name) : [];
    return {
      Parameters: await Promise.all(
        shown.map((row) => this.views.history(ctx, row, labels.get(row.version) ?? [], withDecryption, actions)),
      ),
      ...(rows.length > limit
        ? { NextToken: this.historyCursor.seal(ctx, { name }, { after: shown[shown.length - 1]!.version }) }
        : {}),
    };
  }

  /**
   * Whether a path's parameter may be shown: it passes one by one what a Deny names, of this
   * listing or of a single read (GetParameter, GetParameters), so no listing undoes a Deny on a read.
   */
  private async readable(ctx: RequestContext, name: string): Promise<boolean> {
    for (const action of ctx.denies ? ['ssm:GetParametersByPath', 'ssm:GetParameter', 'ssm:GetParameters'] : []) {
      if (await ctx.denies!(this.permissions.onParameter(ctx, action, name))) return false;
    }
    return true;
  }

  /**
   * Walks latest versions in name order from `after`, keeping those that pass, until `limit`
   * are found or the scan budget is spent. `next` is set when more may follow.
   */
  private async scan(
    ctx: RequestContext,
    prefix: string | undefined,
    after: string | undefined,
    limit: number,
    predicate: ParameterPredicate,
    inScope: (row: ParameterVersionRow) => boolean,
    labelledVersions: boolean,
  ): Promise<{ rows: ParameterVersionRow[]; next?: string }> {
    const rows: ParameterVersionRow[] = [];
    let scanned = 0;
    let cursor = after;
    // Start with a batch just over one page and grow it, so small pages read few rows.
    let batchSize = Math.min(SCAN_BATCH, limit + 1);
    for (;;) {
      const batch = await this.storage.listLatest(ctx, { prefix, after: cursor, limit: batchSize });
      for (const row of batch) {
        scanned++;
        cursor = row.name;
        const chosen =
          inScope(row) && !(await isShadowed(this.storage, ctx, row.name))
            ? await this.select(ctx, row, predicate, labelledVersions)
            : undefined;
        if (chosen) rows.push(chosen);
        if (rows.length === limit || scanned >= SCAN_BUDGET) return { rows, next: cursor };
      }
      if (batch.length < batchSize) return { rows };
      batchSize = Math.min(SCAN_BATCH, batchSize * 4);
    }
  }

  /** The row to report for a parameter if it passes the filters (a Label filter picks the labelled version). */
  private async select(
    ctx: RequestContext,
    row: ParameterVersionRow,
    predicate: ParameterPredicate,
    labelledVersions: boolean,
  ): Promise<ParameterVersionRow | undefined> {
    const tags = predicate.needsTags
      ? new Map((await this.storage.listTags(ctx, 'Parameter', [row.name])).map((t) => [t.key, t.value]))
      : undefined;
    if (!predicate.needsLabels) return predicate.matches({ row, tags }) ? row : undefined;
    for (const { label, version } of await this.storage.listLabels(ctx, row.name)) {
      if (predicate.matches({ row, tags, labels: [label] })) {
        return labelledVersions && version !== row.version ? this.storage.getVersion(ctx, row.name, version) : row;
      }
    }
    return undefined;
  }
}

/**
 * A name prefix that bounds DescribeParameters' scan, when one filter allows it. Root names are
 * stored in either spelling (`/a` or `a`), so only a prefix below the root can bound a scan.
 */
function scanPrefix(request: DescribeParametersRequest): string | undefined {
  const filters = request.ParameterFilters ?? [];
  const belowRoot = (value: string) => value.startsWith('/') && value.indexOf('/', 1) !== -1;
  const path = filters.find((f) => f.Key === 'Path');
  if (path?.Values?.length === 1 && path.Values[0] !== '/')
    return path.Values[0]!.endsWith('/') ? path.Values[0] : `${path.Values[0]}/`;
  const name = filters.find((f) => f.Key === 'Name' && f.Option === 'BeginsWith');
  if (name?.Values?.length === 1 && belowRoot(name.Values[0]!)) return name.Values[0];
  return undefined;
}
