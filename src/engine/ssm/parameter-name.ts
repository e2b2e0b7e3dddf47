/**
 * Parameter names as AWS defines them: characters, hierarchy, reserved prefixes, length
 * counted with the ARN prefix, ARNs in place of names, the canonical spelling of a one-level
 * name, paths, and `name:version` / `name:label` selectors.
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

/**
 * AWS's message for a path it refuses (GetParametersByPath's Path, DescribeParameters' Path
 * filter). The backslashes before the quotes around aws and ssm are AWS's own: its message holds
 * them literally, while the quotes around "/" have none.
 */
export const INVALID_PATH_MESSAGE =
  "The parameter doesn't meet the parameter name requirements. " +
  'The parameter name must begin with a forward slash "/". ' +
  'It can\'t be prefixed with \\"aws\\" or \\"ssm\\" (case-insensitive). ' +
  'It must use only letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). ' +
  'Special characters are not allowed. All sub-paths, if specified, must use the forward slash symbol "/". ' +
  'Valid example: /get/parameters2-/by1./path0_.';

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
 * The spelling AWS keeps a name under: a one-level name loses its leading slash (`/foo` is
 * `foo`, as AWS answers it), a hierarchical name is itself. Both spellings of a one-level name
 * denote one parameter.
 */
export function canonicalName(name: string): string {
  return name.startsWith('/') && name.indexOf('/', 1) === -1 ? name.slice(1) : name;
}

/**
 * The spelling a store written before names were canonical may hold a one-level parameter
 * under (`/foo` for `foo`); undefined for a hierarchical name.
 */
export function legacySpelling(name: string): string | undefined {
  const canonical = canonicalName(name);
  return canonical.includes('/') ? undefined : `/${canonical}`;
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

/**
 * Refuses a write to a name AWS reserves for itself: one whose first segment begins with `aws`
 * (case-insensitive: `/aws/...`, `/AWS_x/...`, `aws-cdk-playground`), which holds AWS's public
 * parameters and the Secrets Manager bridge. AWS answers AccessDeniedException (HTTP 400) naming
 * the parameter without its leading slash, before looking for it, to every action that changes
 * a parameter (PutParameter, DeleteParameter(s), (Un)LabelParameterVersion, tagging). Reads are
 * never refused here: `/aws/service/...` and `/aws/reference/...` are read like any name.
 */
export function checkNotReserved(name: string): void {
  const bare = name.startsWith('/') ? name.slice(1) : name;
  if (bare.slice(0, 3).toLowerCase() === 'aws')
    throw new AccessDeniedException(`No access to reserved parameter name: ${bare}.`);
}

/** Checks a name a change to an existing parameter names: syntax, then the reserved prefix. */
export function checkNameForChange(scope: Scope, name: string): void {
  checkNameSyntax(scope, name);
  checkNotReserved(name);
}

/**
 * The name a reference denotes, when it is a valid name at all (DeleteParameters lists the others
 * as invalid, so only valid names are checked against the reserved prefix).
 */
export function reservedCandidate(scope: Scope, reference: string): string | undefined {
  try {
    const name = nameFromArn(scope, reference);
    checkNameSyntax(scope, name);
    return name;
  } catch (error) {
    if (error instanceof ValidationException) return undefined;
    throw error;
  }
}

/** Checks a name for creating a parameter: syntax, the reserved aws/ssm prefixes, and depth. */
export function checkNameForWrite(scope: Scope, name: string): void {
  checkNameSyntax(scope, name);
  checkNotReserved(name);
  const first = (name.startsWith('/') ? name.slice(1) : name).split('/')[0]!.toLowerCase();
  const isPath = name.startsWith('/') && name.indexOf('/', 1) !== -1;
  if (first.startsWith('ssm')) {
    throw new ValidationException(
      isPath ? INVALID_NAME_MESSAGE : 'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive).',
    );
  }
  if (name.split('/').length - 1 > MAX_LEVELS) throw new HierarchyLevelLimitExceededException();
}

/**
 * Checks a path as GetParametersByPath and the Path filter take it: a leading slash, AWS's name
 * characters, no empty segment (a trailing slash is allowed). Prefixes are the caller's concern:
 * `/aws/...` is where AWS's public parameters are read.
 */
export function checkPath(path: string): void {
  if (!path.startsWith('/') || path.includes('//') || !NAME_CHARACTERS.test(path))
    throw new ValidationException(INVALID_PATH_MESSAGE);
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
  // Whatever follows the colon selects: digits a version, anything else a label. A selector no
  // version or label can match (`name:2:3`, `name:`) is simply not found, as in AWS.
  const text = reference.slice(colon);
  const value = text.slice(1);
  if (/^\d+$/.test(value)) {
    // Version 0, or one past what a number holds, is a version no parameter has.
    const version = Number.isSafeInteger(Number(value)) ? Number(value) : 0;
    return { name, selector: { kind: 'version', version, text } };
  }
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
