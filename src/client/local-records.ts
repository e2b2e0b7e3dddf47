/**
 * AWS-shaped records for values that live in files or the environment: ARNs in AWS's form (in
 * a `local` region and account `000000000000` unless told otherwise), version 1, and a secret
 * ARN suffix and VersionId derived from the name only (never from the value, which an id
 * would otherwise let someone guess at).
 */
import { createHash } from 'node:crypto';
import type { ParameterRecord, SecretRecord } from './value-provider.js';

/** A value as a local source holds it: text, or bytes. */
export type LocalValue = string | Uint8Array;

/** The region and account local ARNs are in. */
export interface LocalOrigin {
  region: string;
  account: string;
}

export const LOCAL_ORIGIN: LocalOrigin = { region: 'local', account: '000000000000' };

const digest = (name: string) => createHash('sha256').update(name).digest();

/** The parameter record for a local value; bytes are served base64-encoded, as SSM holds them. */
export function localParameter(
  origin: LocalOrigin,
  name: string,
  value: LocalValue,
  selector?: string,
): ParameterRecord {
  return {
    Name: name,
    Type: 'String',
    Value: typeof value === 'string' ? value : Buffer.from(value).toString('base64'),
    Version: 1,
    ...(selector ? { Selector: selector } : {}),
    ARN: `arn:aws:ssm:${origin.region}:${origin.account}:parameter/${name.replace(/^\//, '')}`,
    DataType: 'text',
  };
}

/** The ARN a local secret has: AWS's form, with a six-character suffix derived from the name. */
export function localSecretArn(origin: LocalOrigin, name: string): string {
  const suffix = digest(name).toString('base64url').replace(/[-_]/g, 'x').slice(0, 6);
  return `arn:aws:secretsmanager:${origin.region}:${origin.account}:secret:${name}-${suffix}`;
}

/** The one VersionId a local secret has, UUID-shaped. */
export function localVersionId(name: string): string {
  const hex = digest(`version:${name}`).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The secret record for a local value: text as SecretString, bytes as SecretBinary. */
export function localSecret(origin: LocalOrigin, name: string, value: LocalValue): SecretRecord {
  return {
    ARN: localSecretArn(origin, name),
    Name: name,
    VersionId: localVersionId(name),
    ...(typeof value === 'string' ? { SecretString: value } : { SecretBinary: new Uint8Array(value) }),
    VersionStages: ['AWSCURRENT'],
  };
}
