/**
 * Parameter Store and Secrets Manager through the AWS SDK: a Coffer server at `endpoint`, or
 * AWS itself without one. The SDK's own retries are off (one attempt per call): the client
 * retries above, with its breaker counting every attempt. Every request has a timeout, so a
 * server that hangs is an error a retry or a stale value can answer. With an endpoint, the
 * provider can also subscribe to Coffer's change feed.
 */
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
  type GetSecretValueCommandOutput,
} from '@aws-sdk/client-secrets-manager';
import {
  GetParameterCommand,
  GetParametersByPathCommand,
  SSMClient,
  type Parameter,
  type SSMClientConfig,
} from '@aws-sdk/client-ssm';
import { fromAwsError } from './aws-error.js';
import { ChangeFeed } from './change-feed.js';
import type { Timers } from './clock.js';
import type { FeedSignal, ParameterRecord, SecretDescription, SecretRecord, ValueProvider } from './value-provider.js';

/** AWS credentials: fixed, or a provider; the SDK's default chain when absent. */
export type AwsCredentials = SSMClientConfig['credentials'];

/** Where the store is and who is asking. */
export interface AwsProviderOptions {
  /** The label in events and messages (`coffer`, `aws`). */
  label?: string;
  /** A Coffer server (or any endpoint speaking the AWS APIs); AWS itself when absent. */
  endpoint?: string;
  region?: string;
  credentials?: AwsCredentials;
  /** Per-request timeout (default 10 s). */
  requestTimeoutMs?: number;
  /** For the change feed's reconnect backoff. */
  random?: () => number;
  timers?: Timers;
}

function toParameterRecord(parameter: Parameter | undefined): ParameterRecord {
  return {
    Name: parameter?.Name ?? '',
    Type: (parameter?.Type ?? 'String') as ParameterRecord['Type'],
    Value: parameter?.Value ?? '',
    Version: parameter?.Version ?? 0,
    ...(parameter?.Selector ? { Selector: parameter.Selector } : {}),
    ARN: parameter?.ARN ?? '',
    ...(parameter?.LastModifiedDate ? { LastModifiedDate: parameter.LastModifiedDate } : {}),
    ...(parameter?.DataType ? { DataType: parameter.DataType } : {}),
  };
}

function toSecretRecord(output: GetSecretValueCommandOutput): SecretRecord {
  return {
    ARN: output.ARN ?? '',
    Name: output.Name ?? '',
    ...(output.VersionId ? { VersionId: output.VersionId } : {}),
    ...(output.SecretString !== undefined ? { SecretString: output.SecretString } : {}),
    ...(output.SecretBinary !== undefined ? { SecretBinary: output.SecretBinary } : {}),
    ...(output.VersionStages ? { VersionStages: output.VersionStages } : {}),
    ...(output.CreatedDate ? { CreatedDate: output.CreatedDate } : {}),
  };
}

/** A provider over the SSM and Secrets Manager APIs. */
export class AwsProvider implements ValueProvider {
  readonly name: string;
  private readonly ssm: SSMClient;
  private readonly secrets: SecretsManagerClient;

  constructor(private readonly options: AwsProviderOptions = {}) {
    this.name = options.label ?? (options.endpoint ? `coffer:${options.endpoint}` : 'aws');
    const config = {
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.region ? { region: options.region } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      maxAttempts: 1,
      requestHandler: { requestTimeout: options.requestTimeoutMs ?? 10_000, connectionTimeout: 5_000 },
    };
    this.ssm = new SSMClient(config);
    this.secrets = new SecretsManagerClient(config);
  }

  async getParameter(selector: string, options: { decrypt: boolean }): Promise<ParameterRecord> {
    try {
      const output = await this.ssm.send(new GetParameterCommand({ Name: selector, WithDecryption: options.decrypt }));
      return toParameterRecord(output.Parameter);
    } catch (error) {
      throw fromAwsError(error, `GetParameter ${selector}`);
    }
  }

  async getParametersByPath(
    path: string,
    options: { recursive: boolean; decrypt: boolean },
  ): Promise<ParameterRecord[]> {
    const records: ParameterRecord[] = [];
    let next: string | undefined;
    try {
      do {
        const output = await this.ssm.send(
          new GetParametersByPathCommand({
            Path: path,
            Recursive: options.recursive,
            WithDecryption: options.decrypt,
            MaxResults: 10,
            NextToken: next,
          }),
        );
        for (const parameter of output.Parameters ?? []) records.push(toParameterRecord(parameter));
        next = output.NextToken;
      } while (next);
    } catch (error) {
      throw fromAwsError(error, `GetParametersByPath ${path}`);
    }
    return records;
  }

  async getSecretValue(id: string, options: { versionId?: string; versionStage?: string } = {}): Promise<SecretRecord> {
    try {
      const output = await this.secrets.send(
        new GetSecretValueCommand({ SecretId: id, VersionId: options.versionId, VersionStage: options.versionStage }),
      );
      return toSecretRecord(output);
    } catch (error) {
      throw fromAwsError(error, `GetSecretValue ${id}`);
    }
  }

  async describeSecret(id: string): Promise<SecretDescription> {
    try {
      const output = await this.secrets.send(new DescribeSecretCommand({ SecretId: id }));
      return {
        ARN: output.ARN ?? '',
        Name: output.Name ?? '',
        ...(output.RotationEnabled !== undefined ? { RotationEnabled: output.RotationEnabled } : {}),
        ...(output.NextRotationDate ? { NextRotationDate: output.NextRotationDate } : {}),
        ...(output.LastChangedDate ? { LastChangedDate: output.LastChangedDate } : {}),
      };
    } catch (error) {
      throw fromAwsError(error, `DescribeSecret ${id}`);
    }
  }

  /** Subscribes to the server's change feed; without an endpoint (AWS itself) there is none: `off` at once. */
  subscribe(prefix: string | undefined, listener: (signal: FeedSignal) => void): () => void {
    if (!this.options.endpoint) {
      listener({ type: 'state', state: 'off' });
      return () => {};
    }
    const feed = new ChangeFeed({
      endpoint: this.options.endpoint,
      prefix,
      region: () => this.ssm.config.region(),
      credentials: () => this.ssm.config.credentials(),
      listener,
      random: this.options.random,
      timers: this.options.timers,
    });
    feed.start();
    return () => feed.stop();
  }

  close(): void {
    this.ssm.destroy();
    this.secrets.destroy();
  }
}
