/**
 * The pipeline's record stage for the audit trail: one CloudTrail record per API request,
 * built from what the pipeline learnt (trace) and nothing the caller could slip past it. The
 * draft is committed with the request's first transaction (in the store's outbox); otherwise it
 * is recorded here before the response leaves, and a request whose event cannot be written
 * fails (fail closed).
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import {
  CLOUDTRAIL_EVENT_VERSION,
  type AuditEvent,
  type CloudTrailRecord,
  type UserIdentity,
} from '../../engine/audit/audit-record.js';
import { auditResources } from '../../engine/audit/audit-resources.js';
import { cloudTrailTime } from '../../engine/audit/audit-chain.js';
import { eventId } from '../../engine/audit/event-ids.js';
import { AuditDraft } from '../../engine/audit/audit-scope.js';
import type { AuditTrail } from '../../engine/audit/audit-trail.js';
import type { ServiceError } from '../../engine/service-error.js';
import type { RequestTrace } from '../request-pipeline.js';
import { isReadOnlyOperation } from './read-only-operations.js';
import { parseAuthorization } from '../sigv4/authorization-header.js';
import { serviceEvent } from '../../engine/audit/service-events.js';
import {
  DEFAULT_FAILED_AUTHENTICATION_BUDGET,
  FailedAuthenticationBudget,
  type FailedAuthenticationBudgetOptions,
} from './failed-authentication-budget.js';
import { requestParameters } from './request-parameters.js';

const MAX_USER_AGENT = 1024;

/** The access key id a request claims, if it is shaped like one (a failed authentication's event shows it). */
function claimedKeyId(request: IncomingMessage): string | undefined {
  try {
    const id = parseAuthorization(String(request.headers.authorization ?? '')).accessKeyId;
    return /^[A-Z0-9]{16,128}$/.test(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

function identityOf(trace: RequestTrace, claimed: string | undefined): UserIdentity {
  const caller = trace.caller;
  const accessKeyId = trace.accessKeyId ?? claimed;
  const key = accessKeyId ? { accessKeyId } : {};
  if (!trace.ctx) return { type: 'Unknown', ...key };
  if (!caller || caller.kind === 'root')
    return {
      type: 'Root',
      principalId: trace.ctx.account,
      arn: `arn:aws:iam::${trace.ctx.account}:root`,
      accountId: trace.ctx.account,
      ...key,
    };
  if (caller.kind === 'user')
    return {
      type: 'IAMUser',
      principalId: caller.userId,
      arn: caller.arn,
      accountId: caller.account,
      ...key,
      userName: caller.userName!,
    };
  const roleName = caller.principalArn.slice(caller.principalArn.lastIndexOf('/') + 1);
  return {
    type: 'AssumedRole',
    principalId: caller.userId,
    arn: caller.arn,
    accountId: caller.account,
    ...key,
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: caller.principalId,
        arn: caller.principalArn,
        accountId: caller.account,
        userName: roleName,
      },
      attributes: { mfaAuthenticated: 'false' },
    },
  };
}

/** ARNs an operation's output names (a batch's or a listing's items). */
function outputArns(output: unknown, into: string[], depth = 0): void {
  if (depth > 3 || typeof output !== 'object' || output === null) return;
  if (Array.isArray(output)) {
    for (const item of output.slice(0, 100)) outputArns(item, into, depth + 1);
    return;
  }
  for (const [member, value] of Object.entries(output)) {
    if (
      typeof value === 'string' &&
      (member === 'ARN' || member === 'Arn' || member === 'KeyArn') &&
      value.startsWith('arn:')
    )
      into.push(value);
    else if (typeof value === 'object') outputArns(value, into, depth + 1);
  }
}

/** The caller's address, an IPv4 one without its IPv6-mapped prefix. */
function sourceAddress(request: IncomingMessage): string {
  const address = request.socket.remoteAddress ?? 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/** One request's audit: its draft, and how it ends. */
export class RequestAudit {
  readonly draft: AuditDraft;
  private error: ServiceError | undefined;
  private output: unknown;
  private finished = false;
  private claimed: { id: string | undefined } | undefined;

  constructor(
    private readonly auditor: RequestAuditor,
    private readonly request: IncomingMessage,
    private readonly requestId: string,
    private readonly trace: RequestTrace,
    private readonly started: number,
  ) {
    this.draft = new AuditDraft(() => this.event());
  }

  /** Records the success (unless a transaction already carried it); throws if it cannot be written. */
  async succeeded(output: unknown): Promise<void> {
    this.output = output;
    await this.finish();
  }

  /** Records the failure (every failure, even after a committed write: the trail says how it ended). */
  async failed(error: ServiceError): Promise<void> {
    if (this.finished) return;
    this.error = error;
    this.draft.appended = undefined;
    await this.finish();
  }

  private async finish(): Promise<void> {
    this.finished = true;
    const appended = this.draft.appended;
    this.draft.close();
    // A request no service claimed (an unknown target, a body past the limit) is no API call.
    if (this.trace.service === undefined) return;
    // Committed in the outbox with the write, and on its way to the chain (reads of the trail wait for it).
    if (appended && !this.error) return;
    // Failed authentication: anyone can send it, so past a budget per address it is only counted.
    if (
      !this.trace.ctx &&
      this.error &&
      !this.auditor.admitFailedAuthentication(
        sourceAddress(this.request),
        this.claimedKeyId(),
        this.error.code,
        this.started,
      )
    )
      return;
    await this.auditor.trail.record(this.event());
  }

  /** The access key id an unauthenticated request claims, read from its header once. */
  private claimedKeyId(): string | undefined {
    if (this.claimed === undefined) this.claimed = { id: claimedKeyId(this.request) };
    return this.claimed.id;
  }

  private event(): AuditEvent {
    const { trace, request } = this;
    const service = trace.service!;
    const operation = trace.operation ?? 'UnknownOperation';
    const arns = [...(trace.resources ?? []), ...this.draft.touched];
    outputArns(this.output, arns);
    const { resources, names } = auditResources(arns);
    const model = trace.model;
    const region = trace.ctx?.region ?? this.auditor.region;
    const socket = request.socket as TLSSocket;
    const cipher = socket.encrypted ? socket.getCipher() : undefined;
    const record: CloudTrailRecord = {
      eventVersion: CLOUDTRAIL_EVENT_VERSION,
      userIdentity: identityOf(trace, trace.ctx ? undefined : this.claimedKeyId()),
      eventTime: cloudTrailTime(this.started),
      eventSource: `${service}.amazonaws.com`,
      eventName: operation,
      awsRegion: region,
      sourceIPAddress: sourceAddress(request),
      userAgent: String(request.headers['user-agent'] ?? '').slice(0, MAX_USER_AGENT),
      ...(this.error ? { errorCode: this.error.code, errorMessage: this.error.message } : {}),
      requestParameters:
        model && trace.input && trace.operation
          ? requestParameters(model, trace.operation, trace.input, trace.bodyBytes)
          : null,
      responseElements: null,
      requestID: this.requestId,
      eventID: eventId(this.started),
      readOnly: isReadOnlyOperation(operation),
      ...(resources.length > 0 ? { resources } : {}),
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: trace.ctx?.account ?? this.auditor.account,
      eventCategory: 'Management',
      ...(cipher
        ? {
            tlsDetails: {
              tlsVersion: socket.getProtocol() ?? 'unknown',
              cipherSuite: cipher.standardName ?? cipher.name,
              clientProvidedHostHeader: String(request.headers.host ?? '').slice(0, 256),
            },
          }
        : {}),
    };
    return { record, time: this.started, resourceNames: names };
  }
}

/** Begins the audit of each API request. */
export class RequestAuditor {
  private readonly budget: FailedAuthenticationBudget;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly trail: AuditTrail,
    readonly account: string,
    readonly region: string,
    private readonly budgetOptions: FailedAuthenticationBudgetOptions = DEFAULT_FAILED_AUTHENTICATION_BUDGET,
    private readonly onError: (error: unknown) => void = () => {},
  ) {
    this.budget = new FailedAuthenticationBudget(budgetOptions);
  }

  /** Whether a failed authentication from `address` is recorded as its own event. */
  admitFailedAuthentication(address: string, accessKeyId: string | undefined, errorCode: string, now: number): boolean {
    return this.budget.admit(address, accessKeyId, errorCode, now);
  }

  /** Records the summaries of ended windows every window (start) and of all at the end (stop). */
  start(): void {
    this.timer ??= setInterval(() => void this.recordSummaries(false), this.budgetOptions.windowMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.recordSummaries(true);
  }

  private async recordSummaries(all: boolean): Promise<void> {
    for (const s of this.budget.takeEnded(Date.now(), all)) {
      const event = serviceEvent(
        {
          source: 'coffer.amazonaws.com',
          name: 'FailedAuthenticationSummary',
          account: this.account,
          region: this.region,
          arns: [],
          errorCode: s.errorCodes[0] ?? 'UnrecognizedClientException',
          details: {
            suppressedEvents: s.count,
            ...(s.accessKeyId ? { claimedAccessKeyId: s.accessKeyId } : {}),
            firstEventTime: cloudTrailTime(s.firstTime),
            lastEventTime: cloudTrailTime(s.lastTime),
            errorCodes: s.errorCodes,
            recordedOneByOne: this.budgetOptions.perWindow,
            windowSeconds: this.budgetOptions.windowMs / 1000,
          },
        },
        Date.now(),
      );
      try {
        await this.trail.record({ ...event, record: { ...event.record, sourceIPAddress: s.sourceIPAddress } });
      } catch (error) {
        this.onError(error);
      }
    }
  }

  /** The audit of a request about to run; undefined when the trail is off. */
  begin(request: IncomingMessage, requestId: string, trace: RequestTrace): RequestAudit | undefined {
    if (!this.trail.enabled) return undefined;
    trace.resources = [];
    const audit = new RequestAudit(this, request, requestId, trace, Date.now());
    trace.draft = audit.draft;
    return audit;
  }
}
