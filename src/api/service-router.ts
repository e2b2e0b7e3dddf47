/**
 * Finds the service and operation a request is for, and decodes its input against the service
 * model. Locating reads headers only (JSON 1.1 names service and operation in X-Amz-Target;
 * Query names the service in the SigV4 credential scope, read here unverified just to pick it),
 * so the body is parsed only after the request has been authenticated.
 */
import type { IncomingMessage } from 'node:http';
import { ServiceError } from '../engine/service-error.js';
import type { ApiService, JsonService, QueryService, ServiceOperation } from './api-service.js';
import { decodeJsonInput } from './models/json-input.js';
import { decodeQueryInput, parseQueryForm } from './models/query-input.js';
import { parseAuthorization } from './sigv4/authorization-header.js';
import { MissingAuthenticationTokenException, UnknownOperationException } from './wire-errors.js';

/** A request's service, known from its headers; for JSON also its operation. */
export type LocatedRequest =
  | { readonly service: JsonService; readonly action: string; readonly operation: ServiceOperation }
  | { readonly service: QueryService };

/** A resolved request with its decoded input. */
export interface ApiRoute {
  readonly service: ApiService;
  readonly action: string;
  readonly operation: ServiceOperation;
  readonly input: Record<string, unknown>;
}

/** The protocol a request speaks, known before routing succeeds (so errors take its shape). */
export type RequestProtocol = { readonly kind: 'json' } | { readonly kind: 'query'; readonly namespace: string };

const DEFAULT_QUERY_NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/';

export class InvalidAction extends ServiceError {
  constructor(message: string) {
    super('InvalidAction', message, 400);
  }
}

/** Routes requests to services. */
export class ServiceRouter {
  private readonly byTarget = new Map<string, JsonService>();
  private readonly byScope = new Map<string, QueryService>();

  constructor(services: readonly ApiService[]) {
    for (const s of services) {
      if (s.protocol === 'json') {
        this.byTarget.set(s.targetPrefix, s);
        // A namespaced prefix (CloudTrail's com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101)
        // is also sent by its last part alone: the SDK v3 does, botocore and the CLI do not.
        if (s.targetPrefix.includes('.'))
          this.byTarget.set(s.targetPrefix.slice(s.targetPrefix.lastIndexOf('.') + 1), s);
      } else {
        this.byScope.set(s.name, s);
      }
    }
  }

  /** The services' names (`ssm`, `secretsmanager`, `iam`...), once each. */
  serviceNames(): string[] {
    return [...new Set([...this.byTarget.values(), ...this.byScope.values()].map((s) => s.name))].sort();
  }

  /** The protocol of a request, by its headers alone. */
  protocolOf(request: IncomingMessage): RequestProtocol {
    if (request.headers['x-amz-target'] !== undefined || !this.isForm(request)) return { kind: 'json' };
    return { kind: 'query', namespace: this.queryService(request)?.xmlNamespace ?? DEFAULT_QUERY_NAMESPACE };
  }

  /** The code the request's service answers its own faults with. */
  internalErrorCode(request: IncomingMessage): string {
    try {
      return this.locate(request).service.model.internalError;
    } catch {
      return 'InternalFailure';
    }
  }

  /** The service (and, for JSON, the operation) from headers only; nothing of the body is read. */
  locate(request: IncomingMessage): LocatedRequest {
    const target = request.headers['x-amz-target'];
    if (target === undefined && this.isForm(request)) {
      const header = request.headers.authorization;
      if (!header) throw new MissingAuthenticationTokenException();
      const service = this.byScope.get(parseAuthorization(header).service);
      if (!service) throw new InvalidAction('The credential scope names no service this endpoint serves.');
      return { service };
    }
    const text = Array.isArray(target) ? target[0] : target;
    const dot = text?.lastIndexOf('.') ?? -1;
    const service = dot > 0 ? this.byTarget.get(text!.slice(0, dot)) : undefined;
    const action = dot > 0 ? text!.slice(dot + 1) : '';
    const operation =
      service && Object.hasOwn(service.model.operations, action) ? service.operations.get(action) : undefined;
    if (!service || !operation) throw new UnknownOperationException(text);
    return { service, action, operation };
  }

  /** Decodes the (authenticated) body of a located request against the service model. */
  decode(located: LocatedRequest, body: Buffer): ApiRoute {
    const { service } = located;
    if ('action' in located) return { ...located, input: decodeJsonInput(service.model, located.action, body) };
    const form = parseQueryForm(body);
    if (!form.action) throw new ServiceError('MissingAction', 'Missing Action', 400);
    const operation = Object.hasOwn(service.model.operations, form.action)
      ? service.operations.get(form.action)
      : undefined;
    if (!operation)
      throw new InvalidAction(
        `Could not find operation ${form.action} for version ${form.version ?? 'NO_VERSION_SPECIFIED'}`,
      );
    return { service, action: form.action, operation, input: decodeQueryInput(service.model, form.action, form.root) };
  }

  private queryService(request: IncomingMessage): QueryService | undefined {
    const header = request.headers.authorization;
    if (!header) return undefined;
    try {
      return this.byScope.get(parseAuthorization(header).service);
    } catch {
      return undefined;
    }
  }

  private isForm(request: IncomingMessage): boolean {
    return (request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
  }
}
