/**
 * Tells people how rotations end: one JSON line in the server log for every run, and, when a
 * webhook is configured (COFFER_ROTATION_WEBHOOK), a Slack-compatible POST (`text` plus the
 * details). Neither ever carries a secret value; a webhook that fails is logged, never retried
 * into the rotation's own outcome. Listeners (metrics) hear each run's outcome, nothing else.
 */
import type { RotationRunRow } from '../../storage/storage.js';
import { postWebhook } from '../notifications/webhook.js';

export interface RotationOutcome {
  readonly run: RotationRunRow;
  readonly nextDue: number | null;
}

/** How a finished run ended. */
export type RunStatus = 'succeeded' | 'failed';

export class RotationNotifier {
  private readonly listeners: Array<(status: RunStatus) => void> = [];

  constructor(
    private readonly webhook: string | undefined,
    private readonly log: (line: string) => void,
  ) {}

  /** Adds a listener told the outcome of every finished run; one that throws is ignored. */
  onRunFinished(listener: (status: RunStatus) => void): void {
    this.listeners.push(listener);
  }

  async notify({ run, nextDue }: RotationOutcome): Promise<void> {
    if (run.status !== 'pending') {
      for (const listener of this.listeners) {
        try {
          listener(run.status);
        } catch {
          // A listener's failure is never the rotation's.
        }
      }
    }
    const target = `${run.targetKind} ${run.targetName} (${run.account}/${run.region})`;
    const details = {
      runId: run.runId,
      target: run.targetName,
      kind: run.targetKind,
      account: run.account,
      region: run.region,
      status: run.status,
      step: run.step,
      error: run.error,
      attempts: run.attempts,
      finishedAt: run.finishedAt && new Date(run.finishedAt).toISOString(),
      nextDue: nextDue && new Date(nextDue).toISOString(),
    };
    this.log(JSON.stringify({ time: new Date().toISOString(), event: 'rotation', ...details }));
    if (!this.webhook) return;
    const text =
      run.status === 'succeeded'
        ? `:white_check_mark: Coffer rotated ${target}.`
        : `:x: Coffer failed to rotate ${target} at step ${run.step} (attempt ${run.attempts}): ${run.error}`;
    await postWebhook(this.webhook, { text, rotation: details }, this.log, 'rotation-webhook');
  }
}
