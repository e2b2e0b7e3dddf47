/**
 * What the wire layer knows of a service: its AWS model (protocol, operations, input shapes:
 * models/), its SigV4 signing name, the handler of each operation, and the engine function that
 * says which IAM permissions an action needs. Adding a service is adding one of these, not a server.
 */
import type { Permission, RequestContext } from '../engine/request-context.js';
import type { ServiceModel } from './models/service-model.js';

/** One operation's handler; its input arrives decoded against the service model. */
export interface ServiceOperation {
  handle(ctx: RequestContext, input: Record<string, unknown>): Promise<object>;
}

interface ServiceCommon {
  /** The IAM service prefix (`ssm`, `iam`, `sts`, `kms`); also the SigV4 signing name. */
  readonly name: string;
  /** AWS's model of the service's operations and their inputs. */
  readonly model: ServiceModel;
  /** One handler per operation of the model. */
  readonly operations: ReadonlyMap<string, ServiceOperation>;
  /** The IAM permissions `action` with `input` needs (checked before the operation runs). */
  permissionsFor(ctx: RequestContext, action: string, input: Record<string, unknown>): Promise<Permission[]>;
}

export interface JsonService extends ServiceCommon {
  readonly protocol: 'json';
  /** The X-Amz-Target prefix, e.g. `AmazonSSM`. */
  readonly targetPrefix: string;
}

export interface QueryService extends ServiceCommon {
  readonly protocol: 'query';
  /** The XML namespace of responses, e.g. `https://iam.amazonaws.com/doc/2010-05-08/`. */
  readonly xmlNamespace: string;
}

export type ApiService = JsonService | QueryService;

/** Builds a service from its model and handlers, refusing a handler the model lacks or the reverse. */
export function serviceFromModel(
  model: ServiceModel,
  name: string,
  operations: ReadonlyMap<string, ServiceOperation>,
  permissionsFor: ServiceCommon['permissionsFor'],
): ApiService {
  const modelled = Object.keys(model.operations).sort().join(' ');
  const handled = [...operations.keys()].sort().join(' ');
  if (modelled !== handled) throw new Error(`${name}: the handlers (${handled}) and the model (${modelled}) disagree`);
  if (model.protocol === 'json')
    return { protocol: 'json', name, model, operations, permissionsFor, targetPrefix: model.targetPrefix! };
  return { protocol: 'query', name, model, operations, permissionsFor, xmlNamespace: model.xmlNamespace! };
}

/** An operation whose engine method takes the request type the model decodes. */
export function handler(call: (ctx: RequestContext, input: never) => Promise<object>): ServiceOperation {
  return { handle: (ctx, input) => call(ctx, input as never) };
}
