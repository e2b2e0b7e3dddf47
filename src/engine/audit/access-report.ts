/**
 * The observability view (seed 001): every parameter and secret under a prefix with its type,
 * version, last change, last access, reads in the last 24 hours and 7 days and who made them
 * (from the audit trail), and its rotation: metadata only, never a value. A remote caller sees
 * only the items it may see one by one (coffer:GetAccessReport on the item's ARN).
 */
import type { Scope, StorageReader } from '../../storage/storage.js';
import type { AuditTrail } from './audit-trail.js';
import type { Permission, RequestContext } from '../request-context.js';
import type { SecretAttributes } from '../secrets/secret-records.js';
import { parameterArn } from '../ssm/parameter-name.js';

export interface AccessReportInput {
  Prefix?: string;
  Kind?: 'parameter' | 'secret';
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
const PAGE = 500;
/** Items in one report at most: a prefix is how to ask for less. */
const MAX_ITEMS = 10_000;

/** Builds the report; `onItem` names the permission a remote caller needs on each item. */
export class AccessReport {
  constructor(private readonly storage: StorageReader, private readonly trail: Pick<AuditTrail, 'readActivity'>, private readonly now: () => number = Date.now,
    private readonly onItem: (ctx: RequestContext, item: AccessReportItem) => Permission = (_ctx, item) => ({ action: 'coffer:GetAccessReport', resource: item.Arn, shown: item.Name })) {}

  async getAccessReport(ctx: RequestContext, input: AccessReportInput): Promise<{ Items: AccessReportItem[] }> {
    const prefix = input.Prefix ?? '';
    const now = this.now();
    const activity = await this.trail.readActivity(ctx.account, prefix, now - 7 * DAY, now - DAY);
    const reads = new Map<string, typeof activity>();
    for (const row of activity) {
      const key = `${row.type}\n${row.name}`;
      reads.set(key, [...(reads.get(key) ?? []), row]);
    }
    const items = [
      ...(input.Kind !== 'secret' ? await this.parameters(ctx, prefix) : []),
      ...(input.Kind !== 'parameter' ? await this.secrets(ctx, prefix) : []),
    ];
    for (const item of items) {
      const rows = reads.get(`${item.Kind === 'parameter' ? 'AWS::SSM::Parameter' : 'AWS::SecretsManager::Secret'}\n${item.Kind === 'parameter' && !item.Name.startsWith('/') ? `/${item.Name}` : item.Name}`) ?? [];
      item.Reads7d = rows.reduce((n, r) => n + r.reads, 0);
      item.Reads24h = rows.reduce((n, r) => n + r.recentReads, 0);
      item.Readers = rows.map((r) => ({ Principal: r.principal, Reads7d: r.reads, LastRead: new Date(r.lastRead) })).sort((a, b) => b.Reads7d - a.Reads7d);
      const last = Math.max(0, ...rows.map((r) => r.lastRead));
      if (item.Kind === 'parameter' && last > 0) item.LastAccessedDate = new Date(last);
    }
    if (!ctx.authorize) return { Items: items };
    const shown: AccessReportItem[] = [];
    for (const item of items) {
      if (await ctx.authorize([this.onItem(ctx, item)]).then(() => true, () => false)) shown.push(item);
    }
    return { Items: shown };
  }

  private async parameters(scope: Scope, prefix: string): Promise<AccessReportItem[]> {
    const out: AccessReportItem[] = [];
    let after: string | undefined;
    while (out.length < MAX_ITEMS) {
      const page = await this.storage.listLatest(scope, { ...(prefix ? { prefix } : {}), ...(after !== undefined ? { after } : {}), limit: PAGE });
      for (const p of page) {
        const schedule = await this.storage.getRotationSchedule(scope, 'parameter', p.name);
        out.push({
          Kind: 'parameter', Name: p.name, Arn: parameterArn(scope, p.name), Type: p.type, Version: p.version,
          LastModifiedDate: new Date(p.lastModifiedDate), LastModifiedUser: p.lastModifiedUser, Reads24h: 0, Reads7d: 0, Readers: [],
          Rotation: await this.rotation(scope, 'parameter', p.name, schedule !== undefined, schedule?.nextDue ?? undefined),
        });
      }
      if (page.length < PAGE) break;
      after = page.at(-1)!.name;
    }
    return out;
  }

  private async secrets(scope: Scope, prefix: string): Promise<AccessReportItem[]> {
    const out: AccessReportItem[] = [];
    for (const row of await this.storage.listSecrets(scope)) {
      if (!row.name.startsWith(prefix) || out.length >= MAX_ITEMS) continue;
      const a = JSON.parse(row.attributes) as SecretAttributes;
      if (a.deletedDate !== undefined) continue;
      const stages = await this.storage.listSecretStages(scope, row.name);
      const rotation = await this.rotation(scope, 'secret', row.name, a.rotation?.enabled === true, a.rotation?.nextRotationDate);
      out.push({
        Kind: 'secret', Name: row.name, Arn: row.arn, Type: 'Secret', Version: stages.find((s) => s.stage === 'AWSCURRENT')?.versionId ?? '',
        LastModifiedDate: new Date(a.lastChangedDate), ...(a.lastAccessedDate ? { LastAccessedDate: new Date(a.lastAccessedDate) } : {}),
        Reads24h: 0, Reads7d: 0, Readers: [],
        Rotation: { ...rotation, ...(a.rotation?.lastRotatedDate ? { LastRotatedDate: new Date(a.rotation.lastRotatedDate) } : {}) },
      });
    }
    return out;
  }

  private async rotation(scope: Scope, kind: 'parameter' | 'secret', name: string, enabled: boolean, next: number | undefined): Promise<AccessReportItem['Rotation']> {
    const [run] = await this.storage.listRotationRuns(scope, { kind, name }, 1);
    const schedule = await this.storage.getRotationSchedule(scope, kind, name);
    const lastRotated = schedule ? (JSON.parse(schedule.config) as { lastRotated?: number }).lastRotated : undefined;
    return {
      Enabled: enabled, ...(lastRotated ? { LastRotatedDate: new Date(lastRotated) } : {}), ...(next ? { NextRotationDate: new Date(next) } : {}),
      ...(run ? { LastRunStatus: run.status } : {}),
    };
  }
}
