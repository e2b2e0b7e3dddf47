/**
 * The AWS-managed policies Coffer ships, under the names and ARNs AWS gives them
 * (`arn:aws:iam::aws:policy/<name>`), trimmed to the services Coffer serves.
 */

/** One built-in policy. */
export interface AwsManagedPolicy {
  readonly name: string;
  readonly description: string;
  readonly document: string;
}

const doc = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const allow = (Action: string[], Resource: string | string[] = '*') => ({ Effect: 'Allow', Action, Resource });

export const AWS_MANAGED_POLICIES: readonly AwsManagedPolicy[] = [
  {
    name: 'AdministratorAccess',
    description: 'Provides full access to AWS services and resources.',
    document: doc(allow(['*'])),
  },
  {
    name: 'ReadOnlyAccess',
    description: 'Provides read-only access to AWS services and resources.',
    document: doc(
      allow([
        'ssm:Describe*',
        'ssm:Get*',
        'ssm:List*',
        'secretsmanager:Describe*',
        'secretsmanager:GetResourcePolicy',
        'secretsmanager:List*',
        'kms:Describe*',
        'kms:Get*',
        'kms:List*',
        'iam:Get*',
        'iam:List*',
      ]),
    ),
  },
  {
    name: 'AmazonSSMReadOnlyAccess',
    description: 'Provides read only access to Amazon SSM.',
    document: doc(allow(['ssm:Describe*', 'ssm:Get*', 'ssm:List*'])),
  },
  { name: 'AmazonSSMFullAccess', description: 'Provides full access to Amazon SSM.', document: doc(allow(['ssm:*'])) },
  {
    name: 'SecretsManagerReadWrite',
    description: 'Provides read/write access to AWS Secrets Manager via the AWS Management Console.',
    document: doc(allow(['secretsmanager:*', 'kms:DescribeKey', 'kms:ListAliases', 'kms:ListKeys'])),
  },
  {
    name: 'IAMFullAccess',
    description: 'Provides full access to IAM via the AWS Management Console.',
    document: doc(allow(['iam:*'])),
  },
  {
    name: 'IAMReadOnlyAccess',
    description: 'Provides read only access to IAM via the AWS Management Console.',
    document: doc(
      allow([
        'iam:GenerateCredentialReport',
        'iam:Get*',
        'iam:List*',
        'iam:SimulateCustomPolicy',
        'iam:SimulatePrincipalPolicy',
      ]),
    ),
  },
  {
    name: 'AWSKeyManagementServicePowerUser',
    description: 'Provides access to AWS Key Management Service (KMS).',
    document: doc(
      allow([
        'kms:CreateAlias',
        'kms:CreateKey',
        'kms:DeleteAlias',
        'kms:Describe*',
        'kms:GenerateRandom',
        'kms:Get*',
        'kms:List*',
        'kms:TagResource',
        'kms:UntagResource',
        'iam:ListGroups',
        'iam:ListRoles',
        'iam:ListUsers',
      ]),
    ),
  },
];

export const AWS_MANAGED_POLICY_CREATED = Date.UTC(2015, 1, 6, 18, 39, 46);

/** The ARN AWS gives a managed policy of its own. */
export function awsPolicyArn(name: string): string {
  return `arn:aws:iam::aws:policy/${name}`;
}

/** The built-in policy an ARN names, if any. */
export function awsManagedPolicyByArn(arn: unknown): AwsManagedPolicy | undefined {
  return AWS_MANAGED_POLICIES.find((p) => awsPolicyArn(p.name) === arn);
}
