/**
 * KMS key policies as AWS writes them. A customer-managed key created without a policy gets the
 * default one, which lets the account's root principal do everything: that delegates to IAM, so
 * an identity policy must still allow each use. An AWS-managed key has a fixed policy that lets
 * every principal of the account use it through its service (kms:ViaService) and nobody use it
 * directly; it cannot be changed.
 */
import { parsePolicyDocument } from '../iam/policy-document.js';
import { ServiceError } from '../service-error.js';

/** KMS allows key policies of up to 32 KiB. */
export const MAX_KEY_POLICY_BYTES = 32_768;

/** The services whose AWS-managed keys Coffer creates, by alias. */
export const MANAGED_KEY_SERVICES: Readonly<Record<string, string>> = {
  'alias/aws/ssm': 'ssm',
  'alias/aws/secretsmanager': 'secretsmanager',
};

export class MalformedPolicyDocumentException extends ServiceError {
  constructor(message: string) {
    super('MalformedPolicyDocumentException', message);
  }
}

/** Built once per account, region and service: every use of a key consults its policy. */
const policyTexts = new Map<string, string>();

function memoised(key: string, make: () => string): string {
  let text = policyTexts.get(key);
  if (text === undefined) {
    if (policyTexts.size > 1000) policyTexts.clear();
    policyTexts.set(key, (text = make()));
  }
  return text;
}

/** The policy KMS gives a customer-managed key created without one. */
export function defaultKeyPolicy(account: string): string {
  return memoised(`default\u0000${account}`, () =>
    JSON.stringify(
      {
        Version: '2012-10-17',
        Id: 'key-default-1',
        Statement: [
          {
            Sid: 'Enable IAM User Permissions',
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${account}:root` },
            Action: 'kms:*',
            Resource: '*',
          },
        ],
      },
      null,
      2,
    ),
  );
}

/** The fixed policy of the AWS-managed key of `service` (`ssm`, `secretsmanager`). */
export function managedKeyPolicy(account: string, region: string, service: string): string {
  return memoised(`${service}\u0000${account}\u0000${region}`, () =>
    JSON.stringify(
      {
        Version: '2012-10-17',
        Id: `auto-${service}-1`,
        Statement: [
          {
            Sid:
              `Allow access through ${service === 'ssm' ? 'Systems Manager' : 'AWS Secrets Manager'} for all ` +
              `principals in the account that are authorized to use it`,
            Effect: 'Allow',
            Principal: { AWS: '*' },
            Action: [
              'kms:Encrypt',
              'kms:Decrypt',
              'kms:ReEncrypt*',
              'kms:GenerateDataKey*',
              'kms:CreateGrant',
              'kms:DescribeKey',
            ],
            Resource: '*',
            Condition: {
              StringEquals: { 'kms:CallerAccount': account, 'kms:ViaService': `${service}.${region}.amazonaws.com` },
            },
          },
          {
            Sid: 'Allow direct access to key metadata to the account',
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${account}:root` },
            Action: ['kms:Describe*', 'kms:Get*', 'kms:List*', 'kms:RevokeGrant'],
            Resource: '*',
          },
        ],
      },
      null,
      2,
    ),
  );
}

/** Checks a key policy's size and grammar (MalformedPolicyDocumentException, LimitExceededException). */
export function checkKeyPolicy(text: string): void {
  if (Buffer.byteLength(text) > MAX_KEY_POLICY_BYTES) {
    throw new ServiceError(
      'LimitExceededException',
      `The key policy exceeds the maximum size of ${MAX_KEY_POLICY_BYTES} bytes.`,
    );
  }
  try {
    parsePolicyDocument(text, 'resource');
  } catch (error) {
    if (error instanceof ServiceError) throw new MalformedPolicyDocumentException(error.message);
    throw error;
  }
}
