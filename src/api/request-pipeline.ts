/**
 * The stages every API request passes through, in order: route, authenticate (SigV4, or
 * --dev's well-formedness check), authorize (the caller's IAM policies against the permissions
 * the action needs, before anything is read, so a denied caller cannot probe what exists),
 * execute (call the engine), record (access log, later audit).
 */
import type { IncomingMessage } from 'node:http';
import type { CallerDirectory } from '../engine/iam/caller-directory.js';
import { AccessControl, type RequestFacts } from '../engine/iam/access-control.js';
import type { ActiveAccessKey } from '../engine/identity/access-key-store.js';
import { rootPrincipal, type RequestContext } from '../engine/request-context.js';
import { headerMap } from './http-exchange.js';
import { toWireJson } from './json/json-shapes.js';
import { xmlResult } from './query/xml-response.js';
import type { ApiRoute, ServiceRouter } from './service-router.js';
import { SigV4Verifier, type SignedRequest } from './sigv4/sigv4-verifier.js';

/** Looks up the credential an access key id (and, for temporary ones, a session token) stands for. */
export type CredentialLookup = (accessKeyId: string, sessionToken: string | undefined) => Promise<ActiveAccessKey | undefined>;

/** How the pipeline authenticates. */
export interface PipelineOptions {
  readonly dev: boolean;
  readonly account: string;
}

/** What is known so far about a request being executed. */
export interface RequestTrace {
  action: string;
  ctx?: RequestContext;
}

/** The outcome of executing one request. */
export interface Executed {
  readonly route: ApiRoute;
  readonly ctx: RequestContext;
  readonly body: string;
  readonly contentType: string;
}

/** Routes, authenticates, authorizes and executes requests. */
export class RequestPipeline {
  private readonly verifier: SigV4Verifier;
  private readonly access = new AccessControl();

  constructor(
    readonly router: ServiceRouter,
    credentials: CredentialLookup,
    private readonly callers: CallerDirectory,
    private readonly options: PipelineOptions,
    now: () => number = Date.now,
  ) {
    this.verifier = new SigV4Verifier(credentials, now);
  }

  /**
   * Runs the request; throws a ServiceError for any refusal. `trace` learns the action and the
   * caller as soon as they are known, so a refused request is still recorded with both.
   */
  async execute(request: IncomingMessage, body: Buffer, trace: RequestTrace, requestId: string): Promise<Executed> {
    const route = this.router.route(request, body);
    const { service, action } = route;
    trace.action = service.protocol === 'json' ? `${service.targetPrefix}.${action}` : `${service.name}:${action}`;
    const url = new URL(request.url ?? '/', 'http://localhost');
    const signed: SignedRequest = { method: request.method ?? 'POST', path: url.pathname, search: url.search, headers: headerMap(request), body };
    const ctx = await this.authenticate(signed, service.name, request.socket.remoteAddress);
    trace.ctx = ctx;
    if (ctx.authorize) await ctx.authorize(await service.permissionsFor(ctx, action, route.input));
    const output = await route.operation.handle(ctx, route.input);
    if (service.protocol === 'json') return { route, ctx, body: toWireJson(output), contentType: 'application/x-amz-json-1.1' };
    return { route, ctx, body: xmlResult(action, service.xmlNamespace, output, requestId), contentType: 'text/xml' };
  }

  private async authenticate(request: SignedRequest, service: string, sourceIp: string | undefined): Promise<RequestContext> {
    if (this.options.dev) {
      // --dev: any well-formed, current signature is the root user of the configured account.
      const { auth } = this.verifier.checkShape(request, [service]);
      return { account: this.options.account, region: auth.region, principalArn: rootPrincipal(this.options.account) };
    }
    const verified = await this.verifier.verify(request, [service]);
    const { key } = verified;
    const caller = await this.callers.callerFor({ account: key.account, principalArn: key.principalArn, ...(key.session ? { session: key.session } : {}) });
    const base = { account: key.account, region: verified.region, principalArn: caller.arn, caller };
    if (caller.kind === 'root') return base;
    const facts: RequestFacts = { service, region: verified.region, ...(sourceIp ? { sourceIp } : {}), secureTransport: false };
    return { ...base, authorize: (permissions) => this.access.check(caller, facts, permissions) };
  }
}
