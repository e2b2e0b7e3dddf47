/**
 * Evaluates alert rules on the audit stream, in the server, as each event is committed. Each rule
 * (and, with groupBy, each resource name or principal) has a fixed window that opens at its first
 * matching event; when the window's count exceeds the threshold the rule fires once for it, by a
 * Slack-compatible POST to its webhook, and stays quiet until the window ends, so a burst of
 * denials is one message, not a storm. The alert tells who, what action and which error, never a
 * request parameter, a response element or a value. Memory is bounded: expired windows are dropped
 * as new ones open, and each rule keeps at most `maxGroups` (oldest evicted first).
 */
import type { AuditEvent, CloudTrailRecord } from './audit-record.js';
import { Wildcard } from '../iam/wildcard.js';
import { checkWebhook, DEFAULT_ALERT_RULES, loadAlertRules, withWebhooks, type AlertRule } from './alert-rules.js';

/** What an alert's webhook receives: Slack's `text`, and the alert's details for machines. */
export interface AlertWebhookBody {
  readonly text: string;
  readonly alert: {
    readonly rule: string;
    readonly description?: string;
    readonly count: number;
    readonly threshold: number;
    readonly windowSeconds: number;
    readonly windowStart: string;
    readonly windowEnd: string;
    /** The resource name or principal counted, for a grouped rule. */
    readonly group?: string;
    /** Distinct caller ARNs in the window until it fired, at most MAX_DISTINCT. */
    readonly principals: readonly string[];
    readonly eventNames: readonly string[];
    readonly errorCodes: readonly string[];
  };
}

/** Sends a body to a webhook and resolves to the HTTP status; may reject (network, timeout). */
export type AlertPost = (url: string, body: AlertWebhookBody) => Promise<number>;

export interface AlertMonitorOptions {
  readonly rules: readonly AlertRule[];
  /** For rules without a webhook of their own (COFFER_ALERTS_WEBHOOK). */
  readonly webhook?: string;
  /** One JSON line per firing and per failed delivery. */
  readonly log: (line: string) => void;
  /** Milliseconds since the epoch; windows are measured on it (pass the engine Clock's). */
  readonly now?: () => number;
  readonly post?: AlertPost;
  /** Windows kept per rule, the oldest evicted first (10,000). */
  readonly maxGroups?: number;
}

/** How many distinct principals, event names and error codes an alert lists. */
export const MAX_DISTINCT = 20;
const DEFAULT_MAX_GROUPS = 10_000;
/** Deliveries in flight at once; alerts beyond it are logged as dropped instead of queued. */
const MAX_IN_FLIGHT = 32;
const WEBHOOK_TIMEOUT_MS = 10_000;
const DENIED = new Set(['AccessDenied', 'AccessDeniedException']);

/** POSTs with fetch, ten seconds at most, following no redirect. */
export const fetchAlertPost: AlertPost = async (url, body) => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    redirect: 'manual',
    signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
  });
  await response.body?.cancel();
  return response.status;
};

const list = (value: string | readonly string[] | undefined) =>
  value === undefined ? undefined : new Set(typeof value === 'string' ? [value] : value);

/** A rule made ready to test events: sets for the lists, the principal pattern compiled once. */
class CompiledRule {
  readonly windowMs: number;
  readonly webhook: string;
  readonly windows = new Map<string, AlertWindow>();
  private readonly sources: Set<string> | undefined;
  private readonly names: Set<string> | undefined;
  private readonly errors: Set<string> | undefined;
  private readonly anyError: boolean;
  private readonly principal: Wildcard | undefined;

  constructor(
    readonly rule: AlertRule,
    webhook: string,
  ) {
    this.windowMs = rule.windowSeconds * 1000;
    this.webhook = webhook;
    this.sources = list(rule.filter.eventSource);
    this.names = list(rule.filter.eventName);
    this.errors = list(rule.filter.errorCode);
    this.anyError = this.errors?.has('*') ?? false;
    this.principal = rule.filter.principal === undefined ? undefined : Wildcard.of(rule.filter.principal);
  }

  matches(event: AuditEvent): boolean {
    const record = event.record;
    const filter = this.rule.filter;
    if (this.sources && !this.sources.has(record.eventSource)) return false;
    if (this.names && !this.names.has(record.eventName)) return false;
    if (this.errors && !(record.errorCode !== undefined && (this.anyError || this.errors.has(record.errorCode))))
      return false;
    if (filter.denied !== undefined && filter.denied !== DENIED.has(record.errorCode ?? '')) return false;
    if (filter.readOnly !== undefined && filter.readOnly !== record.readOnly) return false;
    if (this.principal && !this.principal.test(record.userIdentity.arn ?? '')) return false;
    if (
      filter.resourcePrefix !== undefined &&
      !event.resourceNames.some((r) => r.name.startsWith(filter.resourcePrefix!))
    )
      return false;
    return true;
  }

  /** The keys this event counts under: '' overall, else each distinct name or the principal. */
  groups(event: AuditEvent): readonly string[] {
    switch (this.rule.groupBy) {
      case undefined:
        return [''];
      case 'principal':
        return [principalOf(event.record)];
      case 'resource': {
        const prefix = this.rule.filter.resourcePrefix;
        return [
          ...new Set(
            event.resourceNames.map((r) => r.name).filter((name) => prefix === undefined || name.startsWith(prefix)),
          ),
        ];
      }
    }
  }
}

/** Who a grouped-by-principal event counts for: the ARN, else the claimed access key, else the type. */
function principalOf(record: CloudTrailRecord): string {
  const identity = record.userIdentity;
  return identity.arn ?? identity.accessKeyId ?? identity.principalId ?? identity.type;
}

/** One fixed window's tally; the distinct sets are kept only until it fires. */
interface AlertWindow {
  readonly start: number;
  count: number;
  seen?: { principals: Set<string>; eventNames: Set<string>; errorCodes: Set<string> };
}

function remember(set: Set<string>, value: string | undefined): void {
  if (value !== undefined && set.size < MAX_DISTINCT) set.add(value);
}

/** Slack reads &, < and > as markup. */
const slackEscape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function spoken(seconds: number): string {
  if (seconds % 3600 === 0) return seconds === 3600 ? '1 hour' : `${seconds / 3600} hours`;
  if (seconds % 60 === 0) return seconds === 60 ? '1 minute' : `${seconds / 60} minutes`;
  return seconds === 1 ? '1 second' : `${seconds} seconds`;
}

/** Counts audit events against alert rules and fires each rule at most once per window. */
export class AlertMonitor {
  private readonly compiled: readonly CompiledRule[];
  private readonly log: (line: string) => void;
  private readonly now: () => number;
  private readonly post: AlertPost;
  private readonly maxGroups: number;
  private readonly inFlight = new Set<Promise<void>>();

  /** Throws when a rule has no webhook, neither its own nor `options.webhook`. */
  constructor(options: AlertMonitorOptions) {
    this.compiled = options.rules.map((rule) => {
      const webhook = rule.webhook ?? options.webhook;
      if (webhook === undefined)
        throw new Error(
          `alert rule "${rule.name}" has no webhook: give it one, or a webhook in the alerts file, or set ` +
            `COFFER_ALERTS_WEBHOOK`,
        );
      return new CompiledRule(rule, webhook);
    });
    this.log = options.log;
    this.now = options.now ?? Date.now;
    this.post = options.post ?? fetchAlertPost;
    this.maxGroups = Math.max(1, options.maxGroups ?? DEFAULT_MAX_GROUPS);
  }

  /** The rules evaluated, in order. */
  get rules(): readonly AlertRule[] {
    return this.compiled.map((c) => c.rule);
  }

  /** Counts one committed event; synchronous, and never throws (a fault is logged). */
  observe(event: AuditEvent): void {
    try {
      const now = this.now();
      for (const rule of this.compiled) {
        if (!rule.matches(event)) continue;
        for (const group of rule.groups(event)) this.count(rule, group, event.record, now);
      }
    } catch (error) {
      this.safeLog({ event: 'alert-monitor', error: error instanceof Error ? error.name : typeof error });
    }
  }

  /** Resolves once every delivery started so far has ended (for shutdown and tests). */
  async flush(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private count(rule: CompiledRule, group: string, record: CloudTrailRecord, now: number): void {
    let window = rule.windows.get(group);
    if (window === undefined || now >= window.start + rule.windowMs) window = this.open(rule, group, now);
    window.count++;
    const seen = window.seen;
    if (seen === undefined) return;
    remember(seen.principals, record.userIdentity.arn);
    remember(seen.eventNames, record.eventName);
    remember(seen.errorCodes, record.errorCode);
    if (window.count > rule.rule.threshold) {
      window.seen = undefined;
      this.fire(rule, group, window, seen);
    }
  }

  /** Opens a window for the group, first dropping expired windows and, at the cap, the oldest. */
  private open(rule: CompiledRule, group: string, now: number): AlertWindow {
    const windows = rule.windows;
    windows.delete(group);
    // Windows are inserted in the order they open and all last windowMs, so expired ones lead.
    for (const [key, old] of windows) {
      if (now < old.start + rule.windowMs && windows.size < this.maxGroups) break;
      windows.delete(key);
    }
    const window: AlertWindow = {
      start: now,
      count: 0,
      seen: { principals: new Set(), eventNames: new Set(), errorCodes: new Set() },
    };
    windows.set(group, window);
    return window;
  }

  private fire(rule: CompiledRule, group: string, window: AlertWindow, seen: NonNullable<AlertWindow['seen']>): void {
    const { name, description, threshold, windowSeconds } = rule.rule;
    const windowStart = new Date(window.start).toISOString();
    this.safeLog({ event: 'alert', rule: name, count: window.count, threshold, windowSeconds, windowStart });
    if (this.inFlight.size >= MAX_IN_FLIGHT) {
      this.safeLog({ event: 'alert-webhook', rule: name, error: 'TooManyInFlight' });
      return;
    }
    const events = window.count === 1 ? 'event' : 'events';
    const where = group === '' ? '' : ` for ${group}`;
    const body: AlertWebhookBody = {
      text: slackEscape(
        `:rotating_light: Coffer alert ${name}: ${window.count} ${events} in ${spoken(windowSeconds)}${where} ` +
          `(threshold ${threshold})${description ? `: ${description}` : ''}`,
      ),
      alert: {
        rule: name,
        ...(description !== undefined ? { description } : {}),
        count: window.count,
        threshold,
        windowSeconds,
        windowStart,
        windowEnd: new Date(window.start + rule.windowMs).toISOString(),
        ...(group !== '' ? { group } : {}),
        principals: [...seen.principals],
        eventNames: [...seen.eventNames],
        errorCodes: [...seen.errorCodes],
      },
    };
    const delivery = this.deliver(rule.webhook, name, body);
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
  }

  private async deliver(url: string, rule: string, body: AlertWebhookBody): Promise<void> {
    try {
      const status = await this.post(url, body);
      if (status < 200 || status > 299) this.safeLog({ event: 'alert-webhook', rule, status });
    } catch (error) {
      this.safeLog({ event: 'alert-webhook', rule, error: error instanceof Error ? error.name : typeof error });
    }
  }

  private safeLog(entry: Record<string, unknown>): void {
    try {
      this.log(JSON.stringify({ time: new Date(this.now()).toISOString(), ...entry }));
    } catch {
      // A failing log must not fail the audit write that called observe.
    }
  }
}

/**
 * The monitor `coffer serve` runs: the rules of COFFER_ALERTS_FILE (with COFFER_ALERTS_WEBHOOK for
 * rules without a webhook), or the defaults when only COFFER_ALERTS_WEBHOOK is set; undefined when
 * neither is. Throws InvalidAlertRules (or Error) with a clear message for a bad file or URL.
 */
export function alertMonitorFromEnv(
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
  now?: () => number,
): AlertMonitor | undefined {
  const file = env.COFFER_ALERTS_FILE || undefined;
  const webhook = env.COFFER_ALERTS_WEBHOOK
    ? checkWebhook(env.COFFER_ALERTS_WEBHOOK, 'COFFER_ALERTS_WEBHOOK')
    : undefined;
  if (file === undefined && webhook === undefined) return undefined;
  const rules = file !== undefined ? loadAlertRules(file, webhook) : withWebhooks(DEFAULT_ALERT_RULES, webhook);
  return new AlertMonitor({ rules, log, ...(now ? { now } : {}) });
}
