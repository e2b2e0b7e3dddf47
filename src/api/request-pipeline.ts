/**
 * The stages every API request passes through, in order: locate (service and operation from
 * headers alone), authenticate (SigV4 over the raw bytes, or --dev's well-formedness check),
 * decode (the body against AWS's model of the operation, only now), authorize (the caller's IAM
 * policies against the permissions the action needs, before anything is read, so a denied caller
 * cannot probe what exists), execute (call the engine), record (access log, later audit).
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Caller } from '../engine/iam/caller.js';
import type { CallerDirectory } from '../engine/iam/caller-directory.js';
import { AccessControl, type RequestFacts } from '../engine/iam/access-control.js';
import type { ActiveAccessKey } from '../engine/identity/access-key-store.js';
import { rootPrincipal, type Permission, type RequestContext } from '../engine/request-context.js';
import { headerMap } from './http-exchange.js';
import type { ServiceModel } from './models/service-model.js';
import { toWireJson } from './json/json-output.js';
import { xmlResult } from './query/xml-response.js';
import type { ApiRoute, ServiceRouter } from './service-router.js';
import { SigV4Verifier, type SignedRequest } from './sigv4/sigv4-verifier.js';
import { MalformedQueryString, UnrecognizedClientException } from './wire-errors.js';
import { ServiceError } from '../engine/service-error.js';
import { type AuditDraft, runWithDraft } from '../engine/audit/audit-scope.js';
import { isReadOnlyOperation } from './audit/read-only-operations.js';

/** Looks up the credential an access key id (and, for temporary ones, a session token) stands for. */
export type CredentialLookup = (
  accessKeyId: string,
  sessionToken: string | undefined,
) => Promise<ActiveAccessKey | undefined>;

/** How the pipeline authenticates. */
export interface PipelineOptions {
  readonly dev: boolean;
  readonly account: string;
  /** Regions a credential scope may name (AWS's, plus any configured). */
  readonly regions: ReadonlySet<string>;
  /**
   * The root credentials file, when that is where they are: a refused key from this machine is
   * told where (never a caller elsewhere).
   */
  readonly credentialsHint?: () => string | undefined;
  /** Told of every long-term access key a request authenticated with (GetAccessKeyLastUsed). */
  readonly keyUsed?: (accessKeyId: string, service: string, region: string) => void;
}

/** What is known so far about a request being executed: only names Coffer itself defines. */
export interface RequestTrace {
  action: string;
  /** The located service's name (`ssm`, `iam`, ...) and its model. */
  service?: string;
  model?: ServiceModel;
  /** The operation's name, only once it is known to be one the service serves. */
  operation?: string;
  ctx?: RequestContext;
  /** The authenticated caller (absent for --dev's root) and the access key it signed with. */
  caller?: Caller;
  accessKeyId?: string;
  /** The input, once decoded against the model, and the size of the body it came in. */
  input?: Record<string, unknown>;
  bodyBytes?: number;
  /** Set by the audit: collects the ARN of every resource the request was authorized on. */
  resources?: string[];
  /** Set by the audit: the request's event, which a request that writes commits with its first transaction. */
  draft?: AuditDraft;
}

/** Collects the resources of authorized permissions into the trace (the audit's list of what was touched). */
function touch(trace: RequestTrace, permissions: readonly Permission[]): void {
  if (!trace.resources) return;
  // A path is no resource of its own: GetParametersByPath's event lists the parameters it returned.
  for (const p of permissions)
    if (!p.denyOnly && p.resource !== '*' && p.action !== 'ssm:GetParametersByPath') trace.resources.push(p.resource);
}

/** The outcome of executing one request. */
export interface Executed {
  readonly route: ApiRoute;
  readonly ctx: RequestContext;
  readonly output: object;
  readonly body: string;
  readonly contentType: string;
}

const ROOT_PATH = { pathname: '/', search: '' } as const;

/** Whether a peer is this machine. */
function isLoopbackAddress(address: string | undefined): boolean {
  return address !== undefined && (address === '::1' || /^(::ffff:)?127\./.test(address));
}

/** The path and query of a request; `/`, what every SDK sends, without building a URL. */
function requestUrl(request: IncomingMessage): { pathname: string; search: string } {
  if (request.url === '/') return ROOT_PATH;
  try {
    return new URL(request.url ?? '/', 'http://localhost');
  } catch {
    throw new MalformedQueryString('The request URL is malformed.');
  }
}

/** Coffer's compare-and-set header, decoded like any input (digits only), for PutParameter only. */
function withConditions(ctx: RequestContext, headers: ReadonlyMap<string, string>, action: string): RequestContext {
  const expected = headers.get('x-coffer-expected-version');
  if (expected === undefined) return ctx;
  if (action !== 'PutParameter')
    throw new ServiceError('ValidationException', 'x-coffer-expected-version applies to PutParameter only.', 400);
  if (!/^[0-9]{1,9}$/.test(expected))
    throw new ServiceError('ValidationException', 'x-coffer-expected-version must be a version number (0: none).', 400);
  return { ...ctx, expectedVersion: Number(expected) };
}

/** How many verified requests the verifier remembers (each at most ~5 KB: bodies past 4 KB are not kept). */
const VERIFIED_REQUESTS_KEPT = 4096;

/** Routes, authenticates, decodes, authorizes and executes requests. */
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
    // Identical signed requests (a client replaying one, as caches and pollers do within a
    // second) are verified once; the key is still looked up and the date checked every time.
    this.verifier = new SigV4Verifier(credentials, options.regions, now, VERIFIED_REQUESTS_KEPT);
  }

  /**
   * Runs the request; throws a ServiceError for any refusal. `trace` learns the action and the
   * caller as soon as they are known, so a refused request is still recorded with both.
   */
  async execute(request: IncomingMessage, body: Buffer, trace: RequestTrace, requestId: string): Promise<Executed> {
    const located = this.router.locate(request);
    const { service } = located;
    trace.action =
      'action' in located ? `${located.service.targetPrefix}.${located.action}` : `${service.name}:unknown`;
    trace.service = service.name;
    trace.model = service.model;
    if ('action' in located) trace.operation = located.action;
    const url = requestUrl(request);
    const signed: SignedRequest = {
      method: request.method ?? 'POST',
      path: url.pathname,
      search: url.search,
      headers: headerMap(request),
      body,
    };
    const authenticated = await this.authenticate(signed, service.name, request, trace);
    trace.ctx = authenticated;
    const route = this.router.decode(located, body);
    const draft = trace.draft;
    const ctx = withConditions(
      draft ? { ...authenticated, touched: draft.touched } : authenticated,
      signed.headers,
      route.action,
    );
    trace.input = route.input;
    trace.bodyBytes = body.length;
    if (service.protocol === 'query') {
      trace.action = `${service.name}:${route.action}`;
      trace.operation = route.action;
    }
    if (ctx.authorize) await ctx.authorize(await service.permissionsFor(ctx, route.action, route.input));
    // The root needs no check, but its event still names what it touched.
    else if (trace.resources) touch(trace, await service.permissionsFor(ctx, route.action, route.input));
    const handle = () => route.operation.handle(ctx, route.input);
    // Work that may write runs in its draft's scope, so its first transaction carries its event;
    // a read needs none, and the scope costs every promise while enabled (audit-scope.ts).
    const output = draft && !isReadOnlyOperation(route.action) ? await runWithDraft(draft, handle) : await handle();
    if (service.protocol === 'json')
      return { route, ctx, output, body: toWireJson(output), contentType: 'application/x-amz-json-1.1' };
    return {
      route,
      ctx,
      output,
      body: xmlResult(route.action, service.xmlNamespace, output, requestId),
      contentType: 'text/xml',
    };
  }

  /**
   * Authenticates a request that is no API call (the change feed's GET): signed like any, over
   * its method, path, query and headers, with an empty body.
   */
  authenticateOnly(request: IncomingMessage, service: string, trace: RequestTrace): Promise<RequestContext> {
    const url = requestUrl(request);
    const signed: SignedRequest = {
      method: request.method ?? 'GET',
      path: url.pathname,
      search: url.search,
      headers: headerMap(request),
      body: Buffer.alloc(0),
    };
    return this.authenticate(signed, service, request, trace);
  }

  private async authenticate(
    request: SignedRequest,
    service: string,
    incoming: IncomingMessage,
    trace: RequestTrace,
  ): Promise<RequestContext> {
    if (this.options.dev) {
      // --dev: any well-formed, current signature is the root user of the configured account.
      const { auth } = this.verifier.checkShape(request, [service]);
      trace.accessKeyId = auth.accessKeyId;
      return { account: this.options.account, region: auth.region, principalArn: rootPrincipal(this.options.account) };
    }
    const verified = await this.verifier.verify(request, [service]).catch((error: unknown) => {
      const file = this.options.credentialsHint?.();
      throw error instanceof UnrecognizedClientException && file && isLoopbackAddress(incoming.socket.remoteAddress)
        ? new UnrecognizedClientException(
            `(Coffer: this server does not accept that access key; its root credentials are in ${file}, and ` +
              '`coffer env` prints them as exports.)',
          )
        : error;
    });
    const { key } = verified;
    const caller = await this.callers.callerFor({
      account: key.account,
      principalArn: key.principalArn,
      ownerId: key.ownerId,
      ...(key.session ? { session: key.session } : {}),
    });
    // A key of a principal that is gone, or was recreated under its name, stands for nobody.
    if (!caller) throw new UnrecognizedClientException();
    trace.caller = caller;
    trace.accessKeyId = key.accessKeyId;
    if (key.session === undefined && key.temporary !== true)
      this.options.keyUsed?.(key.accessKeyId, service, verified.region);
    // GetSessionToken's credentials reach no IAM action without MFA, which Coffer does not have:
    // AWS answers InvalidClientTokenId, so a short-lived credential never mints a long-lived key.
    if (key.parentAccessKeyId !== undefined && service === 'iam') throw new UnrecognizedClientException();
    const base = {
      account: key.account,
      region: verified.region,
      principalArn: caller.arn,
      caller,
      accessKeyId: key.accessKeyId,
      ...(key.session !== undefined || key.temporary === true ? { temporaryCredentials: true } : {}),
    };
    if (caller.kind === 'root') return base;
    const sourceIp = incoming.socket.remoteAddress;
    const secureTransport = (incoming.socket as TLSSocket).encrypted === true;
    const facts: RequestFacts = {
      service,
      region: verified.region,
      ...(sourceIp ? { sourceIp } : {}),
      secureTransport,
    };
    return {
      ...base,
      authorize: (permissions) => {
        touch(trace, permissions);
        return this.access.check(caller, facts, permissions);
      },
      denies: (permission) => this.access.denies(caller, facts, permission),
    };
  }
}
