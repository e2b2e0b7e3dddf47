/**
 * JSON 1.1 services by X-Amz-Target prefix. One endpoint serves them all: a request names its
 * service in the target (`AmazonSSM.GetParameter`), and must be signed for that service's
 * signing name. Adding a service is adding an entry.
 */
import type { RequestContext } from '../../engine/request-context.js';
import { UnknownOperationException } from '../wire-errors.js';
import type { OperationShape } from './json-shapes.js';

/** One operation: its input shape and its handler. */
export interface JsonOperation {
  readonly shape: OperationShape;
  handle(ctx: RequestContext, input: Record<string, unknown>): Promise<object>;
}

/** A JSON 1.1 service. */
export interface JsonService {
  /** The X-Amz-Target prefix, e.g. `AmazonSSM`. */
  readonly targetPrefix: string;
  /** The SigV4 service name(s) a request may be scoped to, e.g. `ssm`. */
  readonly signingNames: readonly string[];
  readonly operations: ReadonlyMap<string, JsonOperation>;
}

/** A resolved target. */
export interface JsonRoute {
  readonly service: JsonService;
  readonly action: string;
  readonly operation: JsonOperation;
}

/** Finds the service and operation an X-Amz-Target names. */
export class JsonRouter {
  private readonly byPrefix: ReadonlyMap<string, JsonService>;

  constructor(services: readonly JsonService[]) {
    this.byPrefix = new Map(services.map((s) => [s.targetPrefix, s]));
  }

  route(target: string | undefined): JsonRoute {
    const dot = target?.lastIndexOf('.') ?? -1;
    const service = dot > 0 ? this.byPrefix.get(target!.slice(0, dot)) : undefined;
    const action = dot > 0 ? target!.slice(dot + 1) : '';
    const operation = service?.operations.get(action);
    if (!service || !operation) throw new UnknownOperationException();
    return { service, action, operation };
  }
}
