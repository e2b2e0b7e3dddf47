/**
 * SDK clients for every service of a running server, and a helper that creates an IAM user
 * with inline policies, tags and an access key, as the identity tests need over and over.
 */
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { ROOT, type RunningServer } from './server-process.js';

/** AWS credentials, possibly temporary. */
export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** One client per service, all signing as `credentials`. */
export interface ServiceClients {
  readonly iam: IAMClient;
  readonly sts: STSClient;
  readonly kms: KMSClient;
  readonly ssm: SSMClient;
  destroy(): void;
}

export function clientsFor(
  server: RunningServer,
  credentials: Credentials = ROOT,
  region = 'us-east-1',
): ServiceClients {
  const config = { endpoint: server.endpoint, region, credentials, maxAttempts: 1 };
  const clients = {
    iam: new IAMClient(config),
    sts: new STSClient(config),
    kms: new KMSClient(config),
    ssm: new SSMClient(config),
  };
  return {
    ...clients,
    destroy: () =>
      Object.values(clients).forEach((c) => {
        c.destroy();
      }),
  };
}

/** Creates a user with tags and inline policies and returns its access key. */
export async function userWithKey(
  iam: IAMClient,
  name: string,
  policies: Record<string, object>,
  tags: Record<string, string> = {},
): Promise<Credentials> {
  await iam.send(
    new CreateUserCommand({ UserName: name, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }),
  );
  for (const [policyName, document] of Object.entries(policies)) {
    await iam.send(
      new PutUserPolicyCommand({ UserName: name, PolicyName: policyName, PolicyDocument: JSON.stringify(document) }),
    );
  }
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
  return { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
}

/** Whether a promise rejects with an access denial (either service style). */
export async function isDenied(promise: Promise<unknown>): Promise<boolean> {
  try {
    await promise;
    return false;
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'AccessDeniedException' || name === 'AccessDenied') return true;
    throw error;
  }
}
