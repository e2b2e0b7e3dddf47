/**
 * What the wire layer knows of a service: its protocol (JSON 1.1 routed by X-Amz-Target, or
 * Query routed by Action and the credential scope's service), its SigV4 signing name, its
 * operations, and the engine function that says which IAM permissions an action needs.
 * Adding a service is adding one of these, not a server.
 */
import type { Permission, RequestContext } from '../engine/request-context.js';
import type { OperationShape } from './json/json-shapes.js';

/** One operation: its handler, and for JSON services its member types. */
export interface ServiceOperation {
  readonly shape?: OperationShape;
  handle(ctx: RequestContext, input: Record<string, unknown>): Promise<object>;
}

interface ServiceCommon {
  /** The IAM service prefix (`ssm`, `iam`, `sts`, `kms`); also the SigV4 signing name. */
  readonly name: string;
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
