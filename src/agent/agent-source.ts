/**
 * What `coffer agent` reads through: the SDK's cache over the upstream for values, and the
 * upstream's own API for the reads it passes on. The agent's wire side knows only this.
 */
import type { ParameterRecord, SecretRecord } from '../client/value-provider.js';

/** A read's answer and whether it came from an expired entry (the upstream could not be asked). */
export interface Served<T> {
  readonly value: T;
  readonly stale: boolean;
  /** The answer's wire text, when it was made already. */
  readonly text?: string;
}

export interface AgentSource {
  parameter(selector: string, decrypt: boolean): Promise<Served<ParameterRecord>>;
  parametersByPath(path: string, recursive: boolean, decrypt: boolean): Promise<Served<ParameterRecord[]>>;
  secret(id: string, versionId?: string, versionStage?: string): Promise<Served<SecretRecord>>;
  /**
   * A read the cache keeps whole (DescribeParameters, DescribeSecret, a filtered listing): the
   * upstream's answer to `operation` with `input`, cached under `names` for invalidation.
   */
  passThrough(
    service: 'ssm' | 'secretsmanager',
    operation: string,
    input: Record<string, unknown>,
    names: readonly string[],
  ): Promise<Served<object>>;
  /** Sends a write upstream, uncached, and forgets what it touched. */
  forward(
    service: 'ssm' | 'secretsmanager',
    operation: string,
    input: Record<string, unknown>,
    names: readonly string[],
  ): Promise<object>;
  /** The upstream's state for /health: never a value. */
  health(): Record<string, unknown>;
}
