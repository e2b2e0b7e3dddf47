/**
 * The observability view (seed 001): every parameter and secret under a prefix with its type,
 * version, last change, last access, reads in the last 24 hours and 7 days and who made them
 * (from the audit trail), and its rotation: metadata only, never a value. A remote caller sees
 * only the items it may see one by one (coffer:GetAccessReport on the item's ARN).
 */
import type { Scope, StorageReader } from '../../storage/storage.js';
import type { TokenSealer } from '../../crypto/token-sealer.js';
import { ServiceError } from '../service-error.js';
import { PageCursor } from '../ssm/page-cursor.js';
import type { AuditTrail } from './audit-trail.js';
import type { Permission, RequestContext } from '../request-context.js';
import type { SecretAttributes } from '../secrets/secret-records.js';
import { parameterArn } from '../ssm/parameter-name.js';

export interface AccessReportInput {
  Prefix?: string;
  Kind?: 'parameter' | 'secret';
  /** Items per page, 1 to 1,000 (the wire model says so); 1,000 when absent. */
  MaxResults?: number;
  NextToken?: string;
}

interface Reader {
  readonly Principal: string;
  readonly Reads7d: number;
  readonly LastRead: Date;
}

export interface AccessReportItem {
  Kind: 'parameter' | 'secret';
  Name: string;
  Arn: string;
  Type: string;
  Version?: number | string;
  LastModifiedDate: Date;
  LastModifiedUser?: string;
  LastAccessedDate?: Date;
  Reads24h: number;
  Reads7d: number;
  Readers: Reader[];
  Rotation: { Enabled: boolean; LastRotatedDate?: Date; NextRotationDate?: Date; LastRunStatus?: string };
}

const DAY = 86_400_000;
const DEFAULT_PAGE = 1000;
type Kind = AccessReportItem['Kind'];
const KINDS: readonly Kind[] = ['parameter', 'secret'];

/** Where a page ends: the kind and name of its last item (which the caller may not be allowed to see). */
type Cursor = { kind: Kind; name: string };

/** What a token is bound to: the request without its token. */
const requestOf = (input: AccessReportInput) => [
  input.Prefix ?? '',
  input.Kind ?? '',
  input.MaxResults ?? DEFAULT_PAGE,
];

/** The name the trail's index keeps for an item (a parameter's with its leading slash). */
const indexName = (item: AccessReportItem) =>
  item.Kind === 'parameter' && !item.Name.startsWith('/') ? `/${item.Name}` : item.Name;
const TYPE_OF: Record<Kind, string> = { parameter: 'AWS::SSM::Parameter', secret: 'AWS::SecretsManager::Secret' };

/** Builds the report; `onItem` names the permission a remote caller needs on each item. */
export class AccessReport {
  /** Sealed cursors: a page may end on an item the caller is not shown, whose name must not leave in the token. */
  private readonly cursors: PageCursor<Cursor>;

  constructor(
    private readonly storage: StorageReader,
    private readonly trail: Pick<AuditTrail, 'readActivity'>,
    sealer: TokenSealer,
    private readonly now: () => number = Date.now,
    private readonly onItem: (ctx: RequestContext, item: AccessReportItem) => Permission = (_ctx, item) => ({
      action: 'coffer:GetAccessReport',
      resource: item.Arn,
      shown: item.Name,
    }),
  ) {
    this.cursors = new PageCursor(sealer, 'CofferAudit.GetAccessReport');
  }

  /** The cursor in the caller's token, bound to the request it came with. */
  private cursor(ctx: RequestContext, input: AccessReportInput): Cursor | undefined {
    try {
      return this.cursors.open(ctx, requestOf(input), input.NextToken);
    } catch {
      throw new ServiceError(
        'ValidationException',
        'The NextToken is not valid: pass the NextToken of the previous page unchanged.',
      );
    }
  }

  /**
   * One page of the report: parameters by name, then secrets by name; the trail's reads are
   * looked up for the page's names only, so a page costs what its items do, never the whole trail.
   */
  async getAccessReport(
    ctx: RequestContext,
    input: AccessReportInput,
  ): Promise<{ Items: AccessReportItem[]; NextToken?: string }> {
    const prefix = input.Prefix ?? '';
    const limit = input.MaxResults ?? DEFAULT_PAGE;
    const from = this.cursor(ctx, input);
    const kinds = KINDS.filter(
      (k) => (input.Kind ?? k) === k && (!from || KINDS.indexOf(k) >= KINDS.indexOf(from.kind)),
    );
    const items: AccessReportItem[] = [];
    let more = false;
    // One item more than the page is asked of each kind in turn: whether it comes says whether a next page does.
    for (const kind of kinds) {
      const after = from?.kind === kind ? from.name : undefined;
      const found =
        kind === 'parameter'
          ? await this.parameters(ctx, prefix, after, limit - items.length + 1)
          : await this.secrets(ctx, prefix, after, limit - items.length + 1);
      items.push(...found);
      if (items.length > limit) {
        more = true;
        items.length = limit;
        break;
      }
    }
    await this.addReads(ctx, prefix, items);
    const last = items.at(-1);
    const token =
      more && last ? { NextToken: this.cursors.seal(ctx, requestOf(input), { kind: last.Kind, name: last.Name }) } : {};
    if (!ctx.authorize) return { Items: items, ...token };
    const shown: AccessReportItem[] = [];
    for (const item of items) {
      if (
        await ctx.authorize([this.onItem(ctx, item)]).then(
          () => true,
          () => false,
        )
      )
        shown.push(item);
    }
    return { Items: shown, ...token };
  }

  /** Reads in the last 24 hours and 7 days, and by whom, of the page's items. */
  private async addReads(ctx: RequestContext, prefix: string, items: AccessReportItem[]): Promise<void> {
    const now = this.now();
    for (const kind of KINDS) {
      const names = items
        .filter((i) => i.Kind === kind)
        .map(indexName)
        .sort();
      if (names.length === 0) continue;
      const activity = await this.trail.readActivity(ctx.account, prefix, now - 7 * DAY, now - DAY, {
        first: names[0]!,
        last: names.at(-1)!,
      });
      const reads = new Map<string, typeof activity>();
      for (const row of activity) {
        if (row.type !== TYPE_OF[kind]) continue;
        const known = reads.get(row.name);
        if (known) known.push(row);
        else reads.set(row.name, [row]);
      }
      for (const item of items.filter((i) => i.Kind === kind)) {
        const rows = reads.get(indexName(item)) ?? [];
        item.Reads7d = rows.reduce((n, r) => n + r.reads, 0);
        item.Reads24h = rows.reduce((n, r) => n + r.recentReads, 0);
        item.Readers = rows
          .map((r) => ({ Principal: r.principal, Reads7d: r.reads, LastRead: new Date(r.lastRead) }))
          .sort((a, b) => b.Reads7d - a.Reads7d);
        const lastRead = Math.max(0, ...rows.map((r) => r.lastRead));
        if (item.Kind === 'parameter' && lastRead > 0) item.LastAccessedDate = new Date(lastRead);
      }
    }
  }

  /** Up to `limit` parameters under `prefix` after the name `from`, by name. */
  private async parameters(
    scope: Scope,
    prefix: string,
    from: string | undefined,
    limit: number,
  ): Promise<AccessReportItem[]> {
    const out: AccessReportItem[] = [];
    let after = from;
    while (out.length < limit) {
      const want = Math.min(DEFAULT_PAGE, limit - out.length);
      const page = await this.storage.listLatest(scope, {
        ...(prefix ? { prefix } : {}),
        ...(after !== undefined ? { after } : {}),
        limit: want,
      });
      for (const p of page) {
        const schedule = await this.storage.getRotationSchedule(scope, 'parameter', p.name);
        out.push({
          Kind: 'parameter',
          Name: p.name,
          Arn: parameterArn(scope, p.name),
          Type: p.type,
          Version: p.version,
          LastModifiedDate: new Date(p.lastModifiedDate),
          LastModifiedUser: p.lastModifiedUser,
          Reads24h: 0,
          Reads7d: 0,
          Readers: [],
          Rotation: await this.rotation(
            scope,
            'parameter',
            p.name,
            schedule !== undefined,
            schedule?.nextDue ?? undefined,
          ),
        });
      }
      if (page.length < want) break;
      after = page.at(-1)!.name;
    }
    return out;
  }

  /** Up to `limit` secrets under `prefix` after the name `from`, by name (deleted ones left out). */
  private async secrets(
    scope: Scope,
    prefix: string,
    from: string | undefined,
    limit: number,
  ): Promise<AccessReportItem[]> {
    const out: AccessReportItem[] = [];
    const rows = (await this.storage.listSecrets(scope))
      .filter((r) => r.name.startsWith(prefix) && (from === undefined || r.name > from))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const row of rows) {
      if (out.length >= limit) break;
      const a = JSON.parse(row.attributes) as SecretAttributes;
      if (a.deletedDate !== undefined) continue;
      const stages = await this.storage.listSecretStages(scope, row.name);
      const rotation = await this.rotation(
        scope,
        'secret',
        row.name,
        a.rotation?.enabled === true,
        a.rotation?.nextRotationDate,
      );
      out.push({
        Kind: 'secret',
        Name: row.name,
        Arn: row.arn,
        Type: 'Secret',
        Version: stages.find((s) => s.stage === 'AWSCURRENT')?.versionId ?? '',
        LastModifiedDate: new Date(a.lastChangedDate),
        ...(a.lastAccessedDate ? { LastAccessedDate: new Date(a.lastAccessedDate) } : {}),
        Reads24h: 0,
        Reads7d: 0,
        Readers: [],
        Rotation: {
          ...rotation,
          ...(a.rotation?.lastRotatedDate ? { LastRotatedDate: new Date(a.rotation.lastRotatedDate) } : {}),
        },
      });
    }
    return out;
  }

  private async rotation(
    scope: Scope,
    kind: 'parameter' | 'secret',
    name: string,
    enabled: boolean,
    next: number | undefined,
  ): Promise<AccessReportItem['Rotation']> {
    const [run] = await this.storage.listRotationRuns(scope, { kind, name }, 1);
    const schedule = await this.storage.getRotationSchedule(scope, kind, name);
    const lastRotated = schedule ? (JSON.parse(schedule.config) as { lastRotated?: number }).lastRotated : undefined;
    return {
      Enabled: enabled,
      ...(lastRotated ? { LastRotatedDate: new Date(lastRotated) } : {}),
      ...(next ? { NextRotationDate: new Date(next) } : {}),
      ...(run ? { LastRunStatus: run.status } : {}),
    };
  }
}
