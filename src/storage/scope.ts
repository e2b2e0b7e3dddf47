/**
 * The namespace of rows that belong to one account in one region: parameters, their tags,
 * secrets and rotation are all kept per scope (IAM, access keys and KMS keys name their
 * account in their own columns).
 */

/** The account and region a row belongs to; every parameter row is namespaced by both. */
export interface Scope {
  readonly account: string;
  readonly region: string;
}
