/**
 * GET /_coffer/changes: the change feed as Server-Sent Events. Authenticated with SigV4 like any
 * request (service `coffer`), its input (`?prefix=`, the Last-Event-ID header) decoded against
 * its model, audited as `SubscribeChanges` before the first byte. Each change of the caller's
 * account and region under the prefix is sent only if the caller may describe or read that
 * parameter or secret (its tags and a secret's policy included), as `event: change` with the
 * name, kind, version and operation, never a value. Heartbeat comments keep proxies from closing
 * an idle stream; a stream ends after `maxStreamMs` (the client resumes with Last-Event-ID,
 * authenticating again, so a revoked key or policy stops it), when its reader falls too far
 * behind, and when the server stops. Streams are bounded per principal and in all.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ChangeFeed, FeedMessage, FeedSubscription } from '../../engine/changes/change-feed.js';
import type { RequestContext } from '../../engine/request-context.js';
import type { SecretsPermissions } from '../../engine/secrets/secrets-permissions.js';
import { ServiceError } from '../../engine/service-error.js';
import type { SsmPermissions } from '../../engine/ssm/ssm-permissions.js';
import type { ChangeRow } from '../../storage/storage.js';
import { changesModel } from '../models/coffer-changes.js';
import { decodeJsonInput } from '../models/json-input.js';
import type { RequestPipeline, RequestTrace } from '../request-pipeline.js';
import { MalformedQueryString } from '../wire-errors.js';

export const CHANGES_PATH = '/_coffer/changes';

export interface ChangeStreamOptions {
  readonly heartbeatMs?: number;
  readonly maxStreamMs?: number;
  readonly perPrincipal?: number;
  readonly total?: number;
}

/** Too many open streams, for this caller or for the server. */
export class TooManyStreams extends ServiceError {
  constructor(message: string) {
    super('ThrottlingException', message, 429);
  }
}

/** What the feed needs to decide what a caller may see. */
export interface ChangeVisibility {
  readonly parameters: SsmPermissions;
  readonly secrets: SecretsPermissions;
  /** Whether the parameter or secret still exists (its tags and policy are only known while it does). */
  readonly exists: (ctx: RequestContext, kind: 'parameter' | 'secret', name: string, arn: string) => Promise<boolean>;
}

/** A stream authorized and decoded, not yet started; it holds its places until release(). */
export interface OpenedStream {
  readonly ctx: RequestContext;
  readonly prefix: string | undefined;
  readonly after: number | undefined;
  release(): void;
}

/** Bytes a slow reader may leave unread before its stream is ended (it resumes from its last id). */
const MAX_UNSENT_BYTES = 1024 * 1024;
/** Changes a stream may have waiting for their visibility check before it is ended (it resumes). */
const MAX_QUEUED = 1000;

/** The principal whose places a stream takes: a role's sessions share their role's. */
function holderOf(principalArn: string): string {
  const session = /^(arn:aws:sts::\d{12}:assumed-role\/[^/]+)\//.exec(principalArn);
  return session ? session[1]! : principalArn;
}

/** The server's open change streams. */
export class ChangeStreams {
  private readonly open = new Map<string, number>();
  private openTotal = 0;
  private readonly ends = new Set<() => void>();
  private readonly heartbeatMs: number;
  private readonly maxStreamMs: number;
  private readonly perPrincipal: number;
  private readonly total: number;

  constructor(
    private readonly feed: ChangeFeed,
    private readonly pipeline: RequestPipeline,
    private readonly visibility: ChangeVisibility,
    options: ChangeStreamOptions = {},
  ) {
    this.heartbeatMs = options.heartbeatMs ?? 15_000;
    this.maxStreamMs = options.maxStreamMs ?? 300_000;
    this.perPrincipal = options.perPrincipal ?? 8;
    this.total = options.total ?? 1000;
  }

  /** Authenticates and decodes a stream request; throws the ServiceError to answer with. */
  async authorize(request: IncomingMessage, trace: RequestTrace): Promise<OpenedStream> {
    const ctx = await this.pipeline.authenticateOnly(request, 'coffer', trace);
    trace.ctx = ctx;
    const input = decodeJsonInput(changesModel, 'SubscribeChanges', Buffer.from(JSON.stringify(streamInput(request))));
    trace.input = input;
    // The places are taken here, synchronously after the checks, so concurrent opens cannot overshoot.
    const holder = holderOf(ctx.principalArn);
    const opened = this.open.get(holder) ?? 0;
    if (opened >= this.perPrincipal)
      throw new TooManyStreams(`Each principal may hold at most ${this.perPrincipal} change streams open.`);
    if (this.openTotal >= this.total) throw new TooManyStreams('This server holds as many change streams as it may.');
    this.open.set(holder, opened + 1);
    this.openTotal++;
    let released = false;
    return {
      ctx,
      prefix: input.Prefix as string | undefined,
      after: input.LastEventId === undefined ? undefined : Number(input.LastEventId),
      release: () => {
        if (released) return;
        released = true;
        this.openTotal--;
        const left = (this.open.get(holder) ?? 1) - 1;
        if (left > 0) this.open.set(holder, left);
        else this.open.delete(holder);
      },
    };
  }

  /** Streams changes until the reader leaves, the stream's time is up, or the server stops. */
  async stream(opened: OpenedStream, request: IncomingMessage, response: ServerResponse): Promise<void> {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    });
    response.flushHeaders();
    let subscription: FeedSubscription | undefined;
    let sending = Promise.resolve();
    let queued = 0;
    let lifetime: NodeJS.Timeout | undefined;
    let heartbeat: NodeJS.Timeout | undefined;
    const ended = new Promise<void>((resolve) => {
      const end = () => {
        this.ends.delete(end);
        resolve();
      };
      this.ends.add(end);
      request.once('close', end);
      response.once('close', end);
      lifetime = setTimeout(end, this.maxStreamMs);
      heartbeat = setInterval(() => response.write(': keep-alive\n\n'), this.heartbeatMs);
      const send = (message: FeedMessage) => {
        if (!this.ends.has(end)) return;
        // A reader too far behind (or a long replay) ends the stream: it resumes from its last id.
        if (++queued > MAX_QUEUED) return end();
        // In order, each visibility check after the one before, none once the stream has ended.
        sending = sending.then(async () => {
          queued--;
          if (!this.ends.has(end)) return;
          const text = await this.frame(opened, message);
          if (text === undefined || !this.ends.has(end)) return;
          response.write(text);
          if (response.writableLength > MAX_UNSENT_BYTES) end();
        });
      };
      this.feed
        .subscribe(opened.after, send, () => this.ends.has(end))
        .then(
          (s) => {
            subscription = s;
            if (!this.ends.has(end)) s.close();
          },
          () => end(),
        );
    });
    await ended;
    clearTimeout(lifetime);
    clearInterval(heartbeat);
    subscription?.close();
    opened.release();
    response.end();
  }

  /** Ends every open stream (the server is stopping). */
  closeAll(): void {
    for (const end of [...this.ends]) end();
  }

  /** The SSE text of one message for this stream, or undefined if it may not see it. */
  private async frame(opened: OpenedStream, message: FeedMessage): Promise<string | undefined> {
    if (message.type !== 'change')
      return `id: ${message.seq}\nevent: ${message.type}\ndata: {"seq":${message.seq}}\n\n`;
    const change = message.change;
    if (!(await this.visible(opened, change))) return undefined;
    const data = JSON.stringify({
      seq: change.seq,
      kind: change.kind,
      name: change.name,
      arn: change.arn,
      version: change.version,
      operation: change.operation,
      time: new Date(change.at).toISOString(),
    });
    // A late change (committed after a later number) carries no id: the resume point only moves forward.
    return `${message.late ? '' : `id: ${change.seq}\n`}event: change\ndata: ${data}\n\n`;
  }

  private async visible({ ctx, prefix }: OpenedStream, change: ChangeRow): Promise<boolean> {
    if (change.account !== ctx.account || change.region !== ctx.region) return false;
    if (prefix !== undefined && !change.name.startsWith(prefix)) return false;
    const authorize = ctx.authorize;
    if (!authorize) return true;
    // A resource that is gone has no tags or policy left to decide by: nobody but the root is told.
    if (!(await this.visibility.exists(ctx, change.kind, change.name, change.arn))) return false;
    const actions =
      change.kind === 'parameter'
        ? ['ssm:DescribeParameters', 'ssm:GetParameter']
        : ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'];
    for (const action of actions) {
      try {
        const permission =
          change.kind === 'parameter'
            ? this.visibility.parameters.onParameter(ctx, action, change.name)
            : { ...(await this.visibility.secrets.onSecret(ctx, action, change.arn)), resource: change.arn };
        await authorize([permission]);
        return true;
      } catch {
        // Denied: try the next action, then show nothing.
      }
    }
    return false;
  }
}

/** The stream's input, from its query and headers, in its model's member names. */
function streamInput(request: IncomingMessage): Record<string, string> {
  let url: URL;
  try {
    url = new URL(request.url ?? '/', 'http://localhost');
  } catch {
    throw new MalformedQueryString('The request URL is malformed.');
  }
  const input: Record<string, string> = {};
  const prefixes = url.searchParams.getAll('prefix');
  if (prefixes.length > 1) throw new MalformedQueryString('Give prefix at most once.');
  if (prefixes[0] !== undefined && prefixes[0] !== '') input.Prefix = prefixes[0];
  const last = request.headers['last-event-id'];
  if (typeof last === 'string' && last !== '') input.LastEventId = last;
  return input;
}
