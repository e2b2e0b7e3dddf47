/**
 * Tells people what Parameter Store did by itself: a policy's action (a parameter expired, is
 * about to, or has not changed for a while) or an `aws:ec2:image` value that failed validation.
 * One JSON line in the server log for each, and, when a webhook is configured
 * (COFFER_POLICY_WEBHOOK, else COFFER_ROTATION_WEBHOOK), a Slack-compatible POST through the
 * rotation's webhook mechanism. Names, times and policy types only, never a value.
 */
import { TamperedRowError } from '../../storage/row-integrity.js';
import { postWebhook } from '../notifications/webhook.js';

/** One action Parameter Store took by itself, as its EventBridge event would describe it. */
export interface PolicyNotice {
  readonly account: string;
  readonly region: string;
  readonly name: string;
  readonly arn: string;
  /** A policy type, or `ImageValidation` for an `aws:ec2:image` value. */
  readonly kind: 'Expiration' | 'ExpirationNotification' | 'NoChangeNotification' | 'ImageValidation';
  readonly status: 'Finished' | 'Failed';
  /** What happened, in Coffer's words (no value). */
  readonly reason: string;
  readonly at: number;
}

export class PolicyNotifier {
  constructor(
    private readonly webhook: string | undefined,
    private readonly log: (line: string) => void,
  ) {}

  /**
   * Logs why an action on `name` failed (it is retried, then marked Failed): the error's class
   * and, for a row changed outside Coffer, its code, table and key, as a request's fault is
   * logged; never the message, which could quote what the row holds.
   */
  fault(scope: { readonly account: string; readonly region: string }, name: string, error: unknown): void {
    const line = {
      time: new Date().toISOString(),
      level: 'error',
      event: 'parameter-policy-fault',
      parameter: name,
      account: scope.account,
      region: scope.region,
      error: error instanceof Error && /^\w{1,40}$/.test(error.name) ? error.name : 'Error',
      ...(error instanceof TamperedRowError ? { code: error.code, table: error.table, row: error.row } : {}),
    };
    this.log(JSON.stringify(line));
  }

  async notify(notice: PolicyNotice): Promise<void> {
    const details = {
      parameter: notice.name,
      arn: notice.arn,
      account: notice.account,
      region: notice.region,
      kind: notice.kind,
      status: notice.status,
      reason: notice.reason,
      at: new Date(notice.at).toISOString(),
    };
    this.log(JSON.stringify({ time: new Date().toISOString(), event: 'parameter-policy', ...details }));
    if (!this.webhook) return;
    const icon = notice.status === 'Failed' ? ':x:' : notice.kind === 'Expiration' ? ':wastebasket:' : ':hourglass:';
    const text = `${icon} Coffer: parameter ${notice.name} (${notice.account}/${notice.region}): ${notice.reason}`;
    await postWebhook(this.webhook, { text, parameterPolicy: details }, this.log, 'parameter-policy-webhook');
  }
}
