/**
 * The STS Query-protocol operation table (Version 2011-06-15). GetCallerIdentity needs no
 * permission, as in AWS; AssumeRole checks the trust policy and the caller's policies itself.
 */
import type { SecurityTokenService } from '../../engine/sts/security-token-service.js';
import type { QueryService, ServiceOperation } from '../api-service.js';

/** The STS service. */
export function stsService(sts: SecurityTokenService): QueryService {
  const operations = new Map<string, ServiceOperation>([
    ['GetCallerIdentity', { handle: (ctx) => sts.getCallerIdentity(ctx) }],
    ['AssumeRole', { handle: (ctx, input) => sts.assumeRole(ctx, input as never) }],
  ]);
  return { name: 'sts', protocol: 'query', xmlNamespace: 'https://sts.amazonaws.com/doc/2011-06-15/', operations, permissionsFor: async () => [] };
}
