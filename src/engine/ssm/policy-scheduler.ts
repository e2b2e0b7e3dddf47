/**
 * Runs parameter policies' actions when they are due, as the RotationScheduler runs rotations:
 * every node ticks; a due action is taken with a lease (an atomic conditional update in the
 * shared store), so exactly one node runs it, and a node that dies mid-action lets the lease
 * expire for another. Due times live in the store, so a restart loses nothing. A tick also
 * follows every move of the engines' clock (--dev), so a test that moves it sees the action
 * at once rather than at the next interval.
 */
import { randomUUID } from 'node:crypto';
import type { Storage } from '../../storage/storage.js';
import { runOutsideDrafts } from '../audit/audit-scope.js';
import type { Clock } from '../clock.js';
import type { PolicyActions } from './policy-actions.js';

const LEASE_MS = 5 * 60_000;
const BATCH = 20;

export class PolicyScheduler {
  readonly owner = `node-${randomUUID()}`;
  private timer: NodeJS.Timeout | undefined;
  private unlisten: (() => void) | undefined;
  private running: Promise<number> | undefined;
  private again = false;

  constructor(
    private readonly storage: Storage,
    private readonly actions: PolicyActions,
    private readonly clock: Clock,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  /** Ticks now (catching up what fell due while no node ran), every `intervalMs`, and whenever the clock moves. */
  start(intervalMs: number): void {
    const tick = () => void this.tick().catch(this.onError);
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref();
    this.unlisten = this.clock.onAdvance(tick);
    tick();
  }

  /** Stops ticking and waits for the actions under way. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.unlisten?.();
    await this.running?.catch(() => {});
  }

  /**
   * Runs every due action this node can lease; resolves with how many it ran. A tick asked for
   * while one runs runs once more after it, so a clock moved mid-tick is never missed.
   */
  tick(): Promise<number> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    // An action outlives the request (a clock move) that may have started it: its writes are its own.
    this.running = runOutsideDrafts(async () => {
      let ran = 0;
      do {
        this.again = false;
        ran += await this.runDue();
      } while (this.again);
      return ran;
    }).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async runDue(): Promise<number> {
    let ran = 0;
    for (;;) {
      const now = this.clock.now();
      const due = await this.storage.listDuePolicyActions(now, BATCH);
      let leased = 0;
      for (const action of due) {
        const scope = { account: action.account, region: action.region };
        const mine = await this.storage.transaction((tx) =>
          tx.leasePolicyAction(scope, action.name, action.slot, this.owner, now, now + LEASE_MS),
        );
        if (!mine) continue;
        leased++;
        await this.actions.run({ ...action, leaseOwner: this.owner }, this.owner);
        ran++;
      }
      // A full batch may hide more due actions behind it; one this node could not lease ends the walk.
      if (due.length < BATCH || leased === 0) return ran;
    }
  }
}
