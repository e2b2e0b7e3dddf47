/**
 * The AWS Query protocol's response side: results as `<ActionResponse><ActionResult>...`
 * with lists as `<member>` elements, maps (a JS Map) as `<entry><key/><value/></entry>`, dates
 * in ISO 8601, policy documents URL-encoded (as IAM returns them), and errors as
 * `<ErrorResponse><Error><Type/><Code/><Message/></Error>`.
 */
import { ServiceError } from '../../engine/service-error.js';

/** Members IAM returns URL-encoded. */
const URL_ENCODED = new Set(['PolicyDocument', 'AssumeRolePolicyDocument', 'Document']);

function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => `&${({ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' } as Record<string, string>)[c]};`,
  );
}

function scalar(name: string, value: unknown): string {
  if (value instanceof Date) return value.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const text = String(value);
  return URL_ENCODED.has(name) ? encodeURIComponent(text) : text;
}

function element(name: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return `<${name}>${value.map((v) => element('member', v)).join('')}</${name}>`;
  if (value instanceof Map) {
    const entries = [...value].map(([k, v]) => `<entry>${element('key', k)}${element('value', v)}</entry>`);
    return `<${name}>${entries.join('')}</${name}>`;
  }
  if (typeof value === 'object' && !(value instanceof Date))
    return `<${name}>${members(value as Record<string, unknown>)}</${name}>`;
  return `<${name}>${escapeXml(scalar(name, value))}</${name}>`;
}

function members(value: Record<string, unknown>): string {
  return Object.entries(value)
    .map(([k, v]) => element(k, v))
    .join('');
}

/** A successful Query response. */
export function xmlResult(action: string, namespace: string, output: object, requestId: string): string {
  const result =
    Object.keys(output).length > 0
      ? `<${action}Result>${members(output as Record<string, unknown>)}</${action}Result>`
      : '';
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${namespace}">${result}` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`
  );
}

/**
 * Query services name the authentication errors differently from JSON ones, and answer them
 * with 403: InvalidClientTokenId, SignatureDoesNotMatch, MissingAuthenticationToken, ExpiredToken.
 */
const QUERY_CODES: Record<string, string> = {
  UnrecognizedClientException: 'InvalidClientTokenId',
  InvalidSignatureException: 'SignatureDoesNotMatch',
  MissingAuthenticationTokenException: 'MissingAuthenticationToken',
  IncompleteSignatureException: 'IncompleteSignature',
  ExpiredTokenException: 'ExpiredToken',
};

/** The error as a Query service reports it. */
export function asQueryError(error: ServiceError): ServiceError {
  const code = QUERY_CODES[error.code];
  return code ? new ServiceError(code, error.message, 403) : error;
}

/** A Query error response. */
export function xmlError(namespace: string, error: ServiceError, requestId: string): string {
  const type = error.httpStatus >= 500 ? 'Receiver' : 'Sender';
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${namespace}"><Error><Type>${type}</Type>` +
    `<Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error>` +
    `<RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}
