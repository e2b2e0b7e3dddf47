/**
 * Parses `Authorization: AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/ssm/aws4_request,
 * SignedHeaders=host;x-amz-date, Signature=<64 hex>` into its parts.
 */
import { IncompleteSignatureException } from '../wire-errors.js';

/** The parts of a SigV4 Authorization header. */
export interface SigV4Authorization {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';

/** Parses the header; IncompleteSignatureException names what is missing or malformed. */
export function parseAuthorization(header: string): SigV4Authorization {
  if (!header.startsWith(`${ALGORITHM} `))
    throw new IncompleteSignatureException(`Authorization header requires the ${ALGORITHM} algorithm.`);
  const fields = new Map<string, string>();
  for (const part of header.slice(ALGORITHM.length + 1).split(',')) {
    const at = part.indexOf('=');
    if (at > 0) fields.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  const missing = ['Credential', 'SignedHeaders', 'Signature'].filter((f) => !fields.get(f));
  if (missing.length > 0) {
    throw new IncompleteSignatureException(
      `Authorization header requires ${missing.map((m) => `'${m}'`).join(', ')} ` +
        `parameter${missing.length > 1 ? 's' : ''}. Authorization=${ALGORITHM}`,
    );
  }
  const scope = fields.get('Credential')!.split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request' || !/^\d{8}$/.test(scope[1]!) || !scope[0]) {
    throw new IncompleteSignatureException(
      'Credential should be scoped to a valid date, region and service: ' +
        'ACCESS_KEY/YYYYMMDD/REGION/SERVICE/aws4_request.',
    );
  }
  const signature = fields.get('Signature')!;
  if (!/^[0-9a-f]{64}$/.test(signature))
    throw new IncompleteSignatureException('Signature must be 64 lower-case hexadecimal characters.');
  const signedHeaders = fields.get('SignedHeaders')!.split(';');
  if (signedHeaders.some((h) => h === '' || h !== h.toLowerCase()))
    throw new IncompleteSignatureException('SignedHeaders must be lower-case names separated by semicolons.');
  return { accessKeyId: scope[0], date: scope[1]!, region: scope[2]!, service: scope[3]!, signedHeaders, signature };
}
