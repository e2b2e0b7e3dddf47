/**
 * The sync stores' operations over the AWS SDK clients, for a Coffer server, AWS itself or any
 * endpoint speaking their APIs (credentials from the SDK's chain unless given).
 */
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSecretCommand,
} from '@aws-sdk/client-secrets-manager';
import {
  AddTagsToResourceCommand,
  DeleteParameterCommand,
  DescribeParametersCommand,
  GetParametersByPathCommand,
  ListTagsForResourceCommand,
  PutParameterCommand,
  RemoveTagsFromResourceCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import type { AwsCredentials } from '../aws-provider.js';
import type { SecretsSyncOperations } from './secrets-sync-store.js';
import type { SsmSyncOperations } from './ssm-sync-store.js';

/** Where an SDK client goes: an endpoint (AWS itself when absent), a region, credentials (else the SDK's chain). */
export interface SdkTarget {
  endpoint?: string;
  region?: string;
  credentials?: AwsCredentials;
}

function config(target: SdkTarget) {
  return {
    ...(target.endpoint ? { endpoint: target.endpoint } : {}),
    region: target.region ?? 'us-east-1',
    ...(target.credentials ? { credentials: target.credentials } : {}),
    // The sync's own RetryPolicy retries: one attempt per call here.
    maxAttempts: 1,
  };
}

/** SSM operations over an SSMClient (made from `target`, or the one given). */
export function ssmOperations(client: SSMClient): SsmSyncOperations {
  return {
    getParametersByPath: (r) => client.send(new GetParametersByPathCommand(r)),
    describeParameters: (r) => client.send(new DescribeParametersCommand(r)),
    listTagsForResource: (r) => client.send(new ListTagsForResourceCommand(r)),
    putParameter: (r) => client.send(new PutParameterCommand(r)),
    deleteParameter: (r) => client.send(new DeleteParameterCommand(r)),
    addTagsToResource: (r) => client.send(new AddTagsToResourceCommand(r)),
    removeTagsFromResource: (r) => client.send(new RemoveTagsFromResourceCommand(r)),
  };
}

/** Secrets Manager operations over a SecretsManagerClient. */
export function secretsOperations(client: SecretsManagerClient): SecretsSyncOperations {
  return {
    listSecrets: (r) => client.send(new ListSecretsCommand(r)),
    getSecretValue: (r) => client.send(new GetSecretValueCommand(r)),
    createSecret: (r) => client.send(new CreateSecretCommand(r)),
    putSecretValue: (r) => client.send(new PutSecretValueCommand(r)),
    updateSecret: (r) => client.send(new UpdateSecretCommand(r)),
    tagResource: (r) => client.send(new TagResourceCommand(r)),
    untagResource: (r) => client.send(new UntagResourceCommand(r)),
    deleteSecret: (r) => client.send(new DeleteSecretCommand(r)),
  };
}

/** An SSM client for a target (destroy it when done). */
export function ssmClientFor(target: SdkTarget): SSMClient {
  return new SSMClient(config(target));
}

/** A Secrets Manager client for a target (destroy it when done). */
export function secretsClientFor(target: SdkTarget): SecretsManagerClient {
  return new SecretsManagerClient(config(target));
}
