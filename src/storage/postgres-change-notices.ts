/**
 * LISTEN/NOTIFY for the change log on PostgreSQL: a write that appends a change notifies the
 * store's channel inside its transaction (PostgreSQL delivers it at commit, to every node), and
 * each node that has watchers holds one pooled connection listening on it. A lost connection is
 * replaced after a pause, and watchers are told then too, since notices sent meanwhile are gone.
 */
import type pg from 'pg';

const RECONNECT_MS = 1000;

/** The channel of a store: one per schema, so stores sharing a database do not wake each other. */
export function changeChannel(schema: string | undefined): string {
  return schema ? `coffer_changes_${schema}` : 'coffer_changes';
}

/** One node's listening connection and its watchers. */
export class ChangeNotices {
  private readonly listeners = new Set<() => void>();
  private client: pg.PoolClient | undefined;
  private connecting = false;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: pg.Pool,
    readonly channel: string,
  ) {}

  watch(listener: () => void): () => void {
    this.listeners.add(listener);
    if (!this.client) void this.listen();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.release();
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.release();
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }

  private async listen(): Promise<void> {
    if (this.connecting || this.closed) return;
    this.connecting = true;
    try {
      const client = await this.pool.connect();
      client.on('notification', (message) => {
        if (message.channel === this.channel) this.notify();
      });
      client.on('error', () => this.lost(client));
      // The channel is made from a checked schema name (parsePostgresUrl), quoted as an identifier.
      await client.query(`LISTEN "${this.channel}"`);
      if (this.closed || this.listeners.size === 0) {
        client.release(true);
        return;
      }
      this.client = client;
      this.notify();
    } catch {
      this.retry = setTimeout(() => void this.listen(), RECONNECT_MS);
      this.retry.unref();
    } finally {
      this.connecting = false;
    }
  }

  private lost(client: pg.PoolClient): void {
    if (this.client !== client) return;
    this.client = undefined;
    client.release(true);
    if (!this.closed && this.listeners.size > 0) {
      this.retry = setTimeout(() => void this.listen(), RECONNECT_MS);
      this.retry.unref();
    }
  }

  private release(): void {
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    // Destroyed rather than returned: a pooled connection must not keep listening for another user.
    client?.release(true);
  }
}
