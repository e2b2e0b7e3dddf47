// Coffer's own JSON 1.1 audit API (CofferAudit), written by hand in the form of the generated AWS
// tables, so its inputs are decoded by the same decoder as every AWS service's.
import type { ServiceModel } from './service-model.js';

export const cofferAuditModel: ServiceModel = {
  service: 'coffer',
  apiVersion: '2026-12-01',
  protocol: 'json',
  targetPrefix: 'CofferAudit',
  internalError: 'InternalServerError',
  operations: {
    GetAccessReport: 'GetAccessReportRequest',
  },
  shapes: {
    GetAccessReportRequest: {
      type: 'structure',
      members: { Prefix: 'Prefix', Kind: 'ItemKind', MaxResults: 'MaxResults', NextToken: 'NextToken' },
    },
    MaxResults: { type: 'integer', min: 1, max: 1000 },
    NextToken: { type: 'string', min: 1, max: 4096 },
    Prefix: { type: 'string', min: 0, max: 2048 },
    ItemKind: { type: 'string', enum: ['secret', 'parameter'] },
  },
};
