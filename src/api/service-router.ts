/**
 * Finds the service and operation a request is for, and decodes its input. JSON 1.1 requests
 * name both in X-Amz-Target; Query requests carry `Action=` in a form body and name the service
 * only in the SigV4 credential scope, which is read here (unverified) just to pick the service.
 */
import type { IncomingMessage } from 'node:http';
import { ServiceError } from '../engine/service-error.js';
import type { ApiService, JsonService, QueryService, ServiceOperation } from './api-service.js';
import { parseRequestBody } from './json/json-shapes.js';
import { decodeQueryForm } from './query/query-form.js';
import { parseAuthorization } from './sigv4/authorization-header.js';
import { MissingAuthenticationTokenException, UnknownOperationException } from './wire-errors.js';

/** A resolved request. */
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
  constructor(action: string, version: string | undefined) {
    super('InvalidAction', `Could not find operation ${action} for version ${version ?? 'NO_VERSION_SPECIFIED'}`, 400);
  }
}

/** Routes requests to services. */
export class ServiceRouter {
  private readonly byTarget = new Map<string, JsonService>();
  private readonly byScope = new Map<string, QueryService>();

  constructor(services: readonly ApiService[]) {
    for (const s of services) {
      if (s.protocol === 'json') this.byTarget.set(s.targetPrefix, s);
      else this.byScope.set(s.name, s);
    }
  }

  /** The protocol of a request, by its headers alone. */
  protocolOf(request: IncomingMessage): RequestProtocol {
    if (request.headers['x-amz-target'] !== undefined || !this.isForm(request)) return { kind: 'json' };
    return { kind: 'query', namespace: this.queryService(request)?.xmlNamespace ?? DEFAULT_QUERY_NAMESPACE };
  }

  route(request: IncomingMessage, body: Buffer): ApiRoute {
    const target = request.headers['x-amz-target'];
    if (target === undefined && this.isForm(request)) return this.routeQuery(request, body);
    const text = Array.isArray(target) ? target[0] : target;
    const dot = text?.lastIndexOf('.') ?? -1;
    const service = dot > 0 ? this.byTarget.get(text!.slice(0, dot)) : undefined;
    const action = dot > 0 ? text!.slice(dot + 1) : '';
    const operation = service?.operations.get(action);
    if (!service || !operation) throw new UnknownOperationException();
    return { service, action, operation, input: parseRequestBody(body, operation.shape ?? {}) };
  }

  private routeQuery(request: IncomingMessage, body: Buffer): ApiRoute {
    const header = request.headers.authorization;
    if (!header) throw new MissingAuthenticationTokenException();
    const service = this.byScope.get(parseAuthorization(header).service);
    const form = decodeQueryForm(body);
    const operation = service?.operations.get(form.action);
    if (!service || !operation) throw new InvalidAction(form.action, form.version);
    return { service, action: form.action, operation, input: form.input };
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
