/**
 * The stages every API request passes through, in order: authenticate (SigV4, or --dev's
 * well-formedness check), authorize (allow-all until the identity issue brings policies),
 * execute (route and call the engine), record (access log, later audit).
 */
import type { IncomingMessage } from 'node:http';
import type { AccessKeyStore } from '../engine/identity/access-key-store.js';
import { rootPrincipal, type RequestContext } from '../engine/request-context.js';
import { headerMap } from './http-exchange.js';
import { parseRequestBody, toWireJson } from './json/json-shapes.js';
import type { JsonRoute, JsonRouter } from './json/json-services.js';
import { SigV4Verifier, type SignedRequest } from './sigv4/sigv4-verifier.js';

/** Decides whether a caller may run an action; the identity issue supplies a real one. */
export interface Authorizer {
  authorize(ctx: RequestContext, action: string, input: Record<string, unknown>): Promise<void>;
}

/** Allows everything an authenticated caller asks (no policies exist yet). */
export const allowAuthenticated: Authorizer = { authorize: async () => {} };

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
  readonly route: JsonRoute;
  readonly ctx: RequestContext;
  readonly body: string;
}

/** Authenticates, authorizes and executes JSON 1.1 requests. */
export class RequestPipeline {
  private readonly verifier: SigV4Verifier;

  constructor(
    private readonly router: JsonRouter,
    accessKeys: AccessKeyStore,
    private readonly authorizer: Authorizer,
    private readonly options: PipelineOptions,
    now: () => number = Date.now,
  ) {
    this.verifier = new SigV4Verifier((id) => accessKeys.find(id), now);
  }

  /**
   * Runs the request; throws a ServiceError for any refusal. `trace` learns the action and the
   * caller as soon as they are known, so a refused request is still recorded with both.
   */
  async execute(request: IncomingMessage, body: Buffer, trace: RequestTrace): Promise<Executed> {
    const route = this.router.route(request.headers['x-amz-target'] as string | undefined);
    trace.action = `${route.service.targetPrefix}.${route.action}`;
    const url = new URL(request.url ?? '/', 'http://localhost');
    const signed: SignedRequest = { method: request.method ?? 'POST', path: url.pathname, search: url.search, headers: headerMap(request), body };
    const ctx = await this.authenticate(signed, route.service.signingNames);
    trace.ctx = ctx;
    const input = parseRequestBody(body, route.operation.shape);
    await this.authorizer.authorize(ctx, `${route.service.targetPrefix}.${route.action}`, input);
    const output = await route.operation.handle(ctx, input);
    return { route, ctx, body: toWireJson(output) };
  }

  private async authenticate(request: SignedRequest, services: readonly string[]): Promise<RequestContext> {
    if (this.options.dev) {
      // --dev: any well-formed, current signature is the root user of the configured account.
      const { auth } = this.verifier.checkShape(request, services);
      return { account: this.options.account, region: auth.region, principalArn: rootPrincipal(this.options.account) };
    }
    const caller = await this.verifier.verify(request, services);
    return { account: caller.key.account, region: caller.region, principalArn: caller.key.principalArn };
  }
}
