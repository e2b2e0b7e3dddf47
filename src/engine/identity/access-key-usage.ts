/**
 * When each access key was last used (IAM's GetAccessKeyLastUsed): noted by the request pipeline
 * on every authenticated request, kept in memory and written to the store at most once a key
 * and hour, a minute later, many keys to a transaction (as AWS, to the hour: a write per request
 * would cost every request a commit). What this node noted and has not written yet is answered
 * from memory.
 */
import type { AccessKeyUseRow, Storage } from '../../storage/storage.js';

const HOUR = 3_600_000;
const FLUSH_MS = 60_000;

export class AccessKeyUsage {
  /** The last use noted per key, and whether it is written. */
  private readonly noted = new Map<string, AccessKeyUseRow & { written: boolean }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly storage: Storage,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  /** A request authenticated with `accessKeyId` for `service` in `region` at `now`. */
  note(accessKeyId: string, service: string, region: string, now: number): void {
    const hour = Math.floor(now / HOUR) * HOUR;
    const known = this.noted.get(accessKeyId);
    if (known && known.lastUsedAt >= hour && known.service === service && known.region === region) return;
    this.noted.set(accessKeyId, { accessKeyId, lastUsedAt: hour, service, region, written: false });
    this.timer ??= setTimeout(() => void this.flush().catch(this.onError), FLUSH_MS).unref();
  }

  /** The last use of `accessKeyId`: this node's unwritten one, or the store's. */
  async lastUse(accessKeyId: string): Promise<AccessKeyUseRow | undefined> {
    const stored = await this.storage.getAccessKeyUse(accessKeyId);
    const mine = this.noted.get(accessKeyId);
    if (mine && (!stored || mine.lastUsedAt > stored.lastUsedAt))
      return { accessKeyId, lastUsedAt: mine.lastUsedAt, service: mine.service, region: mine.region };
    return stored;
  }

  /** Writes what was noted and not yet written. */
  async flush(): Promise<void> {
    this.timer = undefined;
    const pending = [...this.noted.values()].filter((u) => !u.written);
    if (pending.length === 0) return;
    await this.storage.transaction((tx) => tx.recordAccessKeyUses(pending.map(({ written: _, ...row }) => row)));
    for (const u of pending) if (this.noted.get(u.accessKeyId) === u) u.written = true;
    // Bounded: written uses older than an hour are the store's to answer.
    if (this.noted.size > 10_000) for (const [id, u] of this.noted) if (u.written) this.noted.delete(id);
  }
}
