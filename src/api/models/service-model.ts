/**
 * The shape of a service model table: AWS's own description of each operation's input, as
 * scripts/generate-wire-models.ts extracts it from the botocore service models. One table per
 * service (ssm.ts, secretsmanager.ts, iam.ts, sts.ts, kms.ts; coffer.ts is Coffer's own API in
 * the same form). Input decoding reads nothing but these tables.
 */

/** One shape; members, list members, map keys and values name other shapes of the table. */
export type ModelShape =
  | {
      readonly type: 'structure';
      readonly members: Readonly<Record<string, string>>;
      readonly required?: readonly string[];
    }
  | { readonly type: 'list'; readonly member: string; readonly min?: number; readonly max?: number }
  | { readonly type: 'map'; readonly key: string; readonly value: string; readonly min?: number; readonly max?: number }
  | {
      readonly type: 'string';
      readonly min?: number;
      readonly max?: number;
      readonly pattern?: string;
      readonly flags?: string;
      readonly enum?: readonly string[];
      readonly sensitive?: boolean;
    }
  | { readonly type: 'blob'; readonly min?: number; readonly max?: number; readonly sensitive?: boolean }
  | { readonly type: 'integer' | 'long'; readonly min?: number; readonly max?: number }
  | { readonly type: 'double' | 'float' }
  | { readonly type: 'boolean' }
  | { readonly type: 'timestamp' };

/** A service's model. */
export interface ServiceModel {
  readonly service: string;
  readonly apiVersion: string;
  readonly protocol: 'json' | 'query';
  readonly targetPrefix?: string;
  readonly xmlNamespace?: string;
  /** The code the service answers its own faults with (HTTP 500). */
  readonly internalError: string;
  /** Operation name to input shape (null: the operation takes no input). */
  readonly operations: Readonly<Record<string, string | null>>;
  readonly shapes: Readonly<Record<string, ModelShape>>;
}
