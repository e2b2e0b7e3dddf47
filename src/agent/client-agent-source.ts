/**
 * The agent's source built on the SDK: values through a CofferClient (its cache, single flight,
 * refresh-ahead, stale-if-error, breaker and change feed), and the reads the cache keeps whole
 * and the forwarded writes through the upstream's own SDK clients, with the agent's credentials.
 */
import * as sm from '@aws-sdk/client-secrets-manager';
import * as ssm from '@aws-sdk/client-ssm';
import { fromAwsError } from '../client/aws-error.js';
import type { CofferClient } from '../client/coffer-client.js';
import type { AgentSource, Served } from './agent-source.js';

type Input = Record<string, unknown>;
type Sender = { send(command: unknown): Promise<unknown> };
type CommandClass = new (input: Input) => unknown;

/** Where the upstream is, for the pass-through clients. */
export interface UpstreamConfig {
  readonly endpoint?: string;
  readonly region: string;
}

export class ClientAgentSource implements AgentSource {
  private readonly ssm: ssm.SSMClient;
  private readonly secrets: sm.SecretsManagerClient;

  constructor(
    private readonly client: CofferClient,
    upstream: UpstreamConfig,
  ) {
    const config = { ...(upstream.endpoint ? { endpoint: upstream.endpoint } : {}), region: upstream.region };
    this.ssm = new ssm.SSMClient(config);
    this.secrets = new sm.SecretsManagerClient(config);
  }

  parameter(selector: string, decrypt: boolean) {
    return this.served((onStale) => this.client.parameterRecord(selector, { decrypt, onStale }));
  }

  parametersByPath(path: string, recursive: boolean, decrypt: boolean) {
    return this.served((onStale) => this.client.parameterRecords(path, { recursive, decrypt, onStale }));
  }

  secret(id: string, versionId?: string, versionStage?: string) {
    return this.served((onStale) =>
      this.client.secretRecord(id, {
        ...(versionId ? { versionId } : {}),
        ...(versionStage ? { versionStage } : {}),
        onStale,
      }),
    );
  }

  passThrough(service: 'ssm' | 'secretsmanager', operation: string, input: Input, names: readonly string[]) {
    const key = `${service} ${operation} ${JSON.stringify(input)}`;
    return this.served(
      (onStale) =>
        this.client.cache.get(key, () => this.send(service, operation, input) as Promise<never>, {
          names,
          // A listing depends on every name under the root.
          ...(names.length === 0 ? { paths: ['/'] } : {}),
          onStale,
        }) as Promise<object>,
    );
  }

  async forward(service: 'ssm' | 'secretsmanager', operation: string, input: Input, names: readonly string[]) {
    try {
      return await this.send(service, operation, input);
    } finally {
      for (const name of names) this.client.invalidate(name);
    }
  }

  health(): Record<string, unknown> {
    const stats = this.client.stats();
    return { upstream: { breaker: stats.breaker, feed: stats.feed }, cache: stats };
  }

  close(): void {
    this.ssm.destroy();
    this.secrets.destroy();
  }

  /** Calls `read`, telling whether the cache served it an expired value. */
  private async served<T>(read: (onStale: () => void) => Promise<T>): Promise<Served<T>> {
    let stale = false;
    const value = await read(() => {
      stale = true;
    });
    return { value, stale };
  }

  /** The upstream's answer to an operation the model names (its SDK command, by that name). */
  private async send(service: 'ssm' | 'secretsmanager', operation: string, input: Input): Promise<object> {
    const commands = (service === 'ssm' ? ssm : sm) as unknown as Record<string, CommandClass | undefined>;
    const Command = commands[`${operation}Command`];
    if (typeof Command !== 'function') throw new Error(`no SDK command for ${operation}`);
    const client = (service === 'ssm' ? this.ssm : this.secrets) as unknown as Sender;
    // The wire carries blobs as base64; the SDK takes bytes (and encodes them again).
    const given =
      typeof input.SecretBinary === 'string'
        ? { ...input, SecretBinary: Buffer.from(input.SecretBinary, 'base64') }
        : input;
    try {
      const { $metadata: _, ...output } = (await client.send(new Command(given))) as Record<string, unknown>;
      return output;
    } catch (error) {
      throw fromAwsError(error, operation);
    }
  }
}
