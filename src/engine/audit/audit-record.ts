/**
 * One audit event, shaped as a CloudTrail record (eventVersion 1.11), so tools that read
 * CloudTrail read Coffer's trail unchanged. Nothing in a record is ever a value: members AWS's
 * models mark sensitive are replaced by HIDDEN_DUE_TO_SECURITY_REASONS before a record is built.
 */

export const CLOUDTRAIL_EVENT_VERSION = '1.11';

/** What CloudTrail shows in place of a sensitive member. */
export const HIDDEN = 'HIDDEN_DUE_TO_SECURITY_REASONS';

/** The role a session was issued for, as CloudTrail's sessionContext.sessionIssuer shows it. */
export interface SessionIssuer {
  readonly type: 'Role';
  readonly principalId: string;
  readonly arn: string;
  readonly accountId: string;
  readonly userName: string;
}

/** Who made the call. */
export interface UserIdentity {
  readonly type: 'Root' | 'IAMUser' | 'AssumedRole' | 'AWSService' | 'Unknown';
  readonly principalId?: string;
  readonly arn?: string;
  readonly accountId?: string;
  /** The access key id the request was signed with (claimed, for a failed authentication). */
  readonly accessKeyId?: string;
  readonly userName?: string;
  readonly sessionContext?: {
    readonly sessionIssuer: SessionIssuer;
    readonly attributes: { readonly creationDate?: string; readonly mfaAuthenticated: 'false' };
  };
  /** For an action Coffer took by itself: the service that took it. */
  readonly invokedBy?: string;
}

/** A resource an event touched. */
export interface AuditResource {
  readonly ARN: string;
  readonly accountId: string;
  /** CloudTrail's resource type: AWS::SSM::Parameter, AWS::SecretsManager::Secret, AWS::KMS::Key, AWS::IAM::User... */
  readonly type: string;
}

export interface CloudTrailRecord {
  readonly eventVersion: typeof CLOUDTRAIL_EVENT_VERSION;
  readonly userIdentity: UserIdentity;
  /** ISO 8601 to the second, UTC ("2026-12-02T18:15:21Z"), as CloudTrail writes it. */
  readonly eventTime: string;
  /** ssm.amazonaws.com, secretsmanager.amazonaws.com, iam.amazonaws.com, sts.amazonaws.com, kms.amazonaws.com,
   * coffer.amazonaws.com */
  readonly eventSource: string;
  readonly eventName: string;
  readonly awsRegion: string;
  readonly sourceIPAddress: string;
  readonly userAgent: string;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly requestParameters: Readonly<Record<string, unknown>> | null;
  readonly responseElements: Readonly<Record<string, unknown>> | null;
  readonly requestID: string;
  readonly eventID: string;
  readonly readOnly: boolean;
  readonly resources?: readonly AuditResource[];
  readonly eventType: 'AwsApiCall' | 'AwsServiceEvent';
  readonly managementEvent: boolean;
  readonly recipientAccountId: string;
  readonly eventCategory: 'Management' | 'Data';
  readonly tlsDetails?: {
    readonly tlsVersion: string;
    readonly cipherSuite: string;
    readonly clientProvidedHostHeader: string;
  };
  /** For AwsServiceEvent records: what Coffer did by itself (never a value). */
  readonly serviceEventDetails?: Readonly<Record<string, unknown>>;
}

/** A resource by its kind and name as the caller's tools name it (a parameter's /path, a secret's name). */
export interface NamedResource {
  readonly type: string;
  readonly name: string;
}

/** A record with the names of the resources it touched, as the trail stores and streams it. */
export interface AuditEvent {
  readonly record: CloudTrailRecord;
  /** Milliseconds since the epoch (eventTime keeps only seconds). */
  readonly time: number;
  readonly resourceNames: readonly NamedResource[];
}
