/**
 * Every service Coffer serves on its one endpoint, bound to the engines that implement them.
 */
import type { KeyManagement } from '../engine/kms/key-management.js';
import type { KmsPermissions } from '../engine/kms/kms-permissions.js';
import type { ParameterStore } from '../engine/ssm/parameter-store.js';
import type { SsmPermissions } from '../engine/ssm/ssm-permissions.js';
import type { SecurityTokenService } from '../engine/sts/security-token-service.js';
import type { ApiService } from './api-service.js';
import { iamService, type IamEngines } from './iam/iam-operations.js';
import { kmsService } from './kms/kms-operations.js';
import { rotationService } from './coffer/rotation-operations.js';
import type { RotationService } from '../engine/rotation/rotation-service.js';
import { secretsService, type SecretsEngines } from './secretsmanager/secrets-operations.js';
import { ssmService } from './ssm/ssm-operations.js';
import { stsService } from './sts/sts-operations.js';
import { cloudTrailService } from './cloudtrail/cloudtrail-operations.js';
import { EventLookup } from '../engine/audit/event-lookup.js';
import type { AccessReport } from '../engine/audit/access-report.js';
import { cofferAuditService } from './coffer/audit-operations.js';
import type { StorageReader } from '../storage/storage.js';
import type { AuditTrail } from '../engine/audit/audit-trail.js';

/** The engines behind the services. */
export interface ServiceEngines {
  readonly parameters: ParameterStore;
  readonly ssmPermissions: SsmPermissions;
  readonly iam: IamEngines;
  readonly sts: SecurityTokenService;
  readonly kms: KeyManagement;
  readonly kmsPermissions: KmsPermissions;
  readonly secrets: Omit<SecretsEngines, 'rotation'>;
  readonly rotation: { readonly service: RotationService };
  readonly audit: AuditTrail;
  readonly accessReport: AccessReport;
  readonly storage: StorageReader;
}

/** SSM, Secrets Manager, IAM, STS, KMS, CloudTrail's LookupEvents, and Coffer's own rotation API. */
export function cofferServices(engines: ServiceEngines): ApiService[] {
  return [
    ssmService(engines.parameters, engines.ssmPermissions),
    iamService(engines.iam),
    stsService(engines.sts),
    kmsService(engines.kms, engines.kmsPermissions),
    secretsService({ ...engines.secrets, rotation: engines.rotation.service }),
    rotationService(engines.rotation.service, engines.ssmPermissions, engines.secrets.permissions),
    cloudTrailService(new EventLookup(engines.audit)),
    cofferAuditService(engines.accessReport),
  ];
}
