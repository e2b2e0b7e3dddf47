/**
 * Parameter names as AWS defines them: characters, hierarchy, reserved prefixes, length
 * counted with the ARN prefix, ARNs in place of names, and `name:version` / `name:label`
 * selectors.
 */
import type { Scope } from '../../storage/storage.js';
import { AccessDeniedException, HierarchyLevelLimitExceededException, ValidationException } from './errors.js';

const NAME_CHARACTERS = /^[a-zA-Z0-9_.\-/]+$/;
const MAX_ARN_LENGTH = 1011;
const MAX_LEVELS = 15;
// A public parameter's ARN has no account (`arn:aws:ssm:us-east-1::parameter/aws/service/...`).
const ARN = /^arn:aws[a-z-]*:ssm:([a-z0-9-]+):(\d{12}|):parameter\/(.*)$/;

/** AWS's message for a name with characters or structure it does not accept. */
export const INVALID_NAME_MESSAGE =
  'Parameter name: can\'t be prefixed with "ssm" (case-insensitive). If formed as a path, ' +
  'it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and ' +
  'the following 3 symbols .-_';

/** Which version a reference selects, when it names one. */
export type Selector =
  | { readonly kind: 'latest' }
  | { readonly kind: 'version'; readonly version: number; readonly text: string }
  | { readonly kind: 'label'; readonly label: string; readonly text: string };

/** A parsed reference: the parameter name and the version it selects. */
export interface ParameterReference {
  readonly name: string;
  readonly selector: Selector;
}

/** Where AWS's public parameters live (`/aws/service/global-infrastructure/...`, AMI ids): read-only, no account's. */
export const PUBLIC_PARAMETER_PREFIX = '/aws/service/';

/** Whether a name (or path) is at or under `/aws/service`, the public parameters' namespace. */
export function isPublicParameterName(name: string): boolean {
  return name === '/aws/service' || name.startsWith(PUBLIC_PARAMETER_PREFIX);
}

/**
 * The ARN AWS gives a parameter: the name without its leading slash after `parameter/`, in the
 * request's region; a public parameter's names no account, as AWS's do (and IAM policies match).
 */
export function parameterArn(scope: Scope, name: string): string {
  const account = isPublicParameterName(name) ? '' : scope.account;
  return `arn:aws:ssm:${scope.region}:${account}:parameter/${name.startsWith('/') ? name.slice(1) : name}`;
}

/** Replaces a parameter ARN by the name it denotes; other input is returned as is. */
export function nameFromArn(scope: Scope, reference: string): string {
  const arn = ARN.exec(reference);
  if (!arn) return reference;
  const rest = arn[3]!;
  const name = rest.includes('/') ? `/${rest}` : rest;
  if (arn[1] !== scope.region || arn[2] !== (isPublicParameterName(name) ? '' : scope.account)) {
    throw new ValidationException(
      `The parameter ARN ${reference} is not in this account (${scope.account}) and Region (${scope.region}).`,
    );
  }
  return name;
}

/**
 * The other spelling of a one-level name: AWS treats `/TestParam1` and `TestParam1` as the
 * same parameter. Undefined for hierarchical names.
 */
export function alternateSpelling(name: string): string | undefined {
  if (name.startsWith('/')) return name.indexOf('/', 1) === -1 ? name.slice(1) : undefined;
  return name.includes('/') ? undefined : `/${name}`;
}

/** Checks the rules every name must meet, for reads and writes alike. */
export function checkNameSyntax(scope: Scope, name: string): void {
  if (!NAME_CHARACTERS.test(name)) throw new ValidationException(INVALID_NAME_MESSAGE);
  if (name.includes('/') && !name.startsWith('/'))
    throw new ValidationException('Parameter name must be a fully qualified name.');
  if (name === '/' || name.endsWith('/') || name.includes('//')) throw new ValidationException(INVALID_NAME_MESSAGE);
  const arnLength = parameterArn(scope, name).length;
  if (arnLength > MAX_ARN_LENGTH) {
    throw new ValidationException(
      `Parameter name is too long: ${arnLength} characters counting its ARN prefix; the maximum is ${MAX_ARN_LENGTH}.`,
    );
  }
}

/** Checks a name for creating a parameter: syntax, depth, and the reserved aws/ssm prefixes. */
export function checkNameForWrite(scope: Scope, name: string): void {
  checkNameSyntax(scope, name);
  const first = (name.startsWith('/') ? name.slice(1) : name).split('/')[0]!.toLowerCase();
  const isPath = name.startsWith('/') && name.indexOf('/', 1) !== -1;
  if (first.startsWith('aws') || first.startsWith('ssm')) {
    if (isPath && first === 'aws') throw new AccessDeniedException(`No access to reserved parameter name: ${name}.`);
    throw new ValidationException(
      isPath ? INVALID_NAME_MESSAGE : 'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive).',
    );
  }
  if (name.split('/').length - 1 > MAX_LEVELS) throw new HierarchyLevelLimitExceededException();
}

/** Parses `name`, `name:3`, `name:label` or an ARN with a selector. */
export function parseReference(scope: Scope, reference: string): ParameterReference {
  const arn = ARN.exec(reference);
  const colonFrom = arn ? reference.length - arn[3]!.length : 0;
  const colon = reference.indexOf(':', colonFrom);
  const base = colon === -1 ? reference : reference.slice(0, colon);
  const name = nameFromArn(scope, base);
  checkNameSyntax(scope, name);
  if (colon === -1) return { name, selector: { kind: 'latest' } };
  const text = reference.slice(colon);
  const value = text.slice(1);
  if (/^\d+$/.test(value)) {
    const version = Number(value);
    if (version < 1 || !Number.isSafeInteger(version))
      throw new ValidationException(`Invalid version selector ${text}: versions start at 1.`);
    return { name, selector: { kind: 'version', version, text } };
  }
  if (!/^[a-zA-Z0-9_.-]{1,100}$/.test(value))
    throw new ValidationException(`Invalid label selector ${text}: labels hold 1-100 letters, digits, and . - _`);
  return { name, selector: { kind: 'label', label: value, text } };
}

/** The prefix under which Parameter Store shows Secrets Manager secrets. */
export const SECRET_REFERENCE_PREFIX = '/aws/reference/secretsmanager/';

/** What a `/aws/reference/secretsmanager/...` name denotes: a SecretId and an optional version selector. */
export interface SecretReferenceName {
  /** The secret as named: a name, or a full or partial ARN (which holds colons of its own). */
  readonly secretId: string;
  /** After the SecretId, `:<VersionId>` or `:<VersionStage>`. */
  readonly selector?: string;
}

/**
 * Splits a bridge name. A secret name has no colon, so its selector follows the first one; an
 * ARN (`arn:aws:secretsmanager:region:account:secret:name-abcdef`) has six of its own, so a
 * selector follows a seventh.
 */
export function parseSecretReference(name: string): SecretReferenceName | undefined {
  if (!name.startsWith(SECRET_REFERENCE_PREFIX)) return undefined;
  const rest = name.slice(SECRET_REFERENCE_PREFIX.length);
  let colon = -1;
  const own = rest.startsWith('arn:') ? 6 : 0;
  for (let i = 0, seen = 0; i < rest.length; i++) {
    if (rest[i] === ':' && ++seen > own) {
      colon = i;
      break;
    }
  }
  if (colon === -1) return { secretId: rest };
  return { secretId: rest.slice(0, colon), selector: rest.slice(colon + 1) };
}
