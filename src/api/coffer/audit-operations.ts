/**
 * Coffer's own audit API (`X-Amz-Target: CofferAudit.<Action>`, SigV4 service `coffer`):
 * GetAccessReport, the observability view of a prefix. It needs coffer:GetAccessReport on `*`,
 * and shows only the items the caller may see one by one (the same action on each item's ARN).
 */
import type { AccessReport } from '../../engine/audit/access-report.js';
import { handler as op, serviceFromModel, type ApiService, type ServiceOperation } from '../api-service.js';
import { cofferAuditModel } from '../models/coffer-audit.js';

export function cofferAuditService(report: AccessReport): ApiService {
  const operations = new Map<string, ServiceOperation>([
    ['GetAccessReport', op((c, i) => report.getAccessReport(c, i))],
  ]);
  return serviceFromModel(cofferAuditModel, 'coffer', operations, async (_ctx, action) => [
    { action: `coffer:${action}`, resource: '*' },
  ]);
}
