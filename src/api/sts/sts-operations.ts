/**
 * The STS Query-protocol operation table (Version 2011-06-15). GetCallerIdentity and
 * GetSessionToken need no permission, as in AWS (GetSessionToken's credentials carry no more than
 * the caller has); AssumeRole checks the trust policy and the caller's policies itself.
 */
import type { SecurityTokenService } from '../../engine/sts/security-token-service.js';
import { handler as op, serviceFromModel, type ApiService, type ServiceOperation } from '../api-service.js';
import { stsModel } from '../models/sts.js';

/** The STS service. */
export function stsService(sts: SecurityTokenService): ApiService {
  const operations = new Map<string, ServiceOperation>([
    ['GetCallerIdentity', op((c) => sts.getCallerIdentity(c))],
    ['AssumeRole', op((c, i) => sts.assumeRole(c, i))],
    ['GetSessionToken', op((c, i) => sts.getSessionToken(c, i))],
  ]);
  // GetSessionToken, like GetCallerIdentity, needs no permission: no policy allows or denies them in AWS.
  return serviceFromModel(stsModel, 'sts', operations, async () => []);
}
