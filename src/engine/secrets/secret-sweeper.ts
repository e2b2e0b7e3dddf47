/**
 * Purges secrets whose recovery window has ended, on a timer, so reads never have to: a read
 * that meets such a secret only reports it gone. Every node sweeps; each purge re-checks in its
 * own transaction, so two nodes sweeping together purge once and a restore that won stays.
 */
import type { SecretRecords } from './secret-records.js';
import { NO_SERVICE_EVENTS, type ServiceEventSink } from '../audit/service-events.js';

export class SecretSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly records: SecretRecords,
    private readonly onError: (error: unknown) => void = () => {},
    private readonly events: ServiceEventSink = NO_SERVICE_EVENTS,
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => {
      this.running = this.records.sweep(100, this.events).catch(this.onError);
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
