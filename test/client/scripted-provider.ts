/**
 * A provider for client tests: values in a table the test changes, every call counted, failures
 * injected on demand, secret metadata scripted, and a change feed the test drives by hand.
 */
import { CofferClientError } from '../../src/client/client-error.js';
import type { LocalValue } from '../../src/client/local-records.js';
import { MemoryProvider } from '../../src/client/memory-provider.js';
import type {
  FeedSignal,
  ParameterRecord,
  SecretDescription,
  SecretRecord,
  ValueProvider,
} from '../../src/client/value-provider.js';

export const unavailable = () => new CofferClientError('NetworkingError', 'no answer', { retryable: true });

/** A provider whose values, failures and feed a test controls. */
export class ScriptedProvider implements ValueProvider {
  readonly name: string;
  readonly values = new Map<string, LocalValue>();
  readonly calls: string[] = [];
  /** When set, every call fails with what it makes. */
  failWith: (() => Error) | undefined;
  /** What DescribeSecret answers (or throws). */
  describe: (id: string) => Promise<SecretDescription> = async () => {
    throw new CofferClientError('UnsupportedOperation', 'no metadata');
  };
  listeners: ((signal: FeedSignal) => void)[] = [];
  closed = false;

  constructor(name = 'scripted', values: Record<string, LocalValue> = {}) {
    this.name = name;
    for (const [k, v] of Object.entries(values)) this.values.set(k, v);
  }

  private get memory(): MemoryProvider {
    return new MemoryProvider(this.name, this.values);
  }

  private call(what: string): void {
    this.calls.push(what);
    if (this.failWith) throw this.failWith();
  }

  count(prefix: string): number {
    return this.calls.filter((c) => c.startsWith(prefix)).length;
  }

  async getParameter(selector: string, options: { decrypt: boolean }): Promise<ParameterRecord> {
    this.call(`GetParameter ${selector}${options.decrypt ? '' : ' encrypted'}`);
    return this.memory.getParameter(selector);
  }

  async getParametersByPath(
    path: string,
    options: { recursive: boolean; decrypt: boolean },
  ): Promise<ParameterRecord[]> {
    this.call(`GetParametersByPath ${path}`);
    return this.memory.getParametersByPath(path, options);
  }

  async getSecretValue(id: string, options?: { versionId?: string; versionStage?: string }): Promise<SecretRecord> {
    this.call(`GetSecretValue ${id}`);
    return this.memory.getSecretValue(id, options);
  }

  async describeSecret(id: string): Promise<SecretDescription> {
    this.calls.push(`DescribeSecret ${id}`);
    return this.describe(id);
  }

  subscribe(_prefix: string | undefined, listener: (signal: FeedSignal) => void): () => void {
    this.listeners.push(listener);
    listener({ type: 'state', state: 'connecting' });
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** Sends a signal down the feed. */
  signal(signal: FeedSignal): void {
    for (const listener of this.listeners) listener(signal);
  }

  close(): void {
    this.closed = true;
  }
}
