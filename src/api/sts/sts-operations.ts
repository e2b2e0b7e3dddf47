/**
 * The STS Query-protocol operation table (Version 2011-06-15). GetCallerIdentity needs no
 * permission, as in AWS; AssumeRole checks the trust policy and the caller's policies itself.
 */
import type { SecurityTokenService } from '../../engine/sts/security-token-service.js';
import { handler as op, serviceFromModel, type ApiService, type ServiceOperation } from '../api-service.js';
import { stsModel } from '../models/sts.js';

/** The STS service. */
export function stsService(sts: SecurityTokenService): ApiService {
  const operations = new Map<string, ServiceOperation>([
    ['GetCallerIdentity', op((c) => sts.getCallerIdentity(c))],
    ['AssumeRole', op((c, i) => sts.assumeRole(c, i))],
  ]);
  return serviceFromModel(stsModel, 'sts', operations, async () => []);
}
