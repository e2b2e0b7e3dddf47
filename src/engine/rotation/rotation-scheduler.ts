/**
 * Runs rotations when they are due. Every node ticks; a due schedule is taken with a lease
 * (an atomic conditional update in the shared store), so exactly one node runs it, and a node
 * that dies mid-run lets the lease expire for another to retry. Due times live in the store, so
 * a restart loses nothing: a rotation missed while no node ran is caught up once.
 */
import { randomUUID } from 'node:crypto';
import type { Scope, Storage } from '../../storage/storage.js';
import type { Clock } from '../clock.js';
import type { RotationOutcome } from './rotation-notifier.js';
import type { RotationRunner } from './rotation-runner.js';
import type { TargetKind } from './schedule-store.js';
import { runOutsideDrafts } from '../audit/audit-scope.js';

const LEASE_MS = 15 * 60_000;
const BATCH = 10;

export class RotationScheduler {
  readonly owner = `node-${randomUUID()}`;
  private readonly inFlight = new Set<Promise<unknown>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly storage: Storage,
    private readonly runner: RotationRunner,
    private readonly clock: Clock,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  /** Ticks every `intervalMs` until stopped. */
  start(intervalMs: number): void {
    this.timer = setInterval(() => {
      void this.tick().catch(this.onError);
    }, intervalMs);
    this.timer.unref();
  }

  /** Stops ticking and waits for rotations under way. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await Promise.allSettled([...this.inFlight]);
  }

  /** Starts every due rotation this node can lease; returns how many it started. */
  async tick(): Promise<number> {
    const now = this.clock.now();
    let started = 0;
    for (const due of await this.storage.listDueRotations(now, BATCH)) {
      const scope = { account: due.account, region: due.region };
      if (await this.lease(scope, due.targetKind, due.targetName)) {
        this.launch(scope, due.targetKind, due.targetName);
        started++;
      }
    }
    return started;
  }

  /** Leases and starts one rotation now; false if another run holds it. */
  async runNow(scope: Scope, kind: TargetKind, name: string): Promise<boolean> {
    if (!(await this.lease(scope, kind, name))) return false;
    this.launch(scope, kind, name);
    return true;
  }

  private lease(scope: Scope, kind: TargetKind, name: string): Promise<boolean> {
    const now = this.clock.now();
    return this.storage.transaction((tx) => tx.leaseRotation(scope, kind, name, this.owner, now, now + LEASE_MS));
  }

  private launch(scope: Scope, kind: TargetKind, name: string): void {
    // A run outlives the request that may have started it: its writes are its own, not the request's event's.
    const work = runOutsideDrafts(() =>
      (async () => {
        let outcome: RotationOutcome | undefined;
        try {
          outcome = await this.runner.run(scope, kind, name);
        } catch (error) {
          this.onError(error);
        } finally {
          const nextDue = outcome ? outcome.nextDue : this.clock.now() + LEASE_MS;
          await this.storage
            .transaction((tx) => tx.releaseRotation(scope, kind, name, this.owner, nextDue))
            .catch(this.onError);
        }
      })(),
    );
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }
}
