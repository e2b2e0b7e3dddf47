/**
 * Providers tried in order (seed 003's dual read: the new store first, legacy credentials after):
 * when one fails, for any reason, the next is asked, and `onFallback` hears which provider
 * answered and why the one before it did not. An empty listing counts as "not found" here (the
 * first non-empty one wins; all empty is an empty answer). When every provider fails, the first
 * one's error is raised: it is the source of truth, and its error says most.
 */
import { CofferClientError, errorCode } from './client-error.js';
import type { FeedSignal, ParameterRecord, SecretDescription, SecretRecord, ValueProvider } from './value-provider.js';

/** What the `fallback` event reports: never a value. */
export interface FallbackNotice {
  /** The provider that answered. */
  provider: string;
  /** What was asked for (a name, selector, path or secret id). */
  key: string;
  /** Why the store (the first provider) did not answer. */
  code: string;
}

/** A chain of providers read as one. */
export class FallbackProvider implements ValueProvider {
  readonly name: string;

  constructor(
    readonly providers: readonly ValueProvider[],
    private readonly onFallback: (notice: FallbackNotice) => void = () => {},
  ) {
    if (providers.length === 0) throw new CofferClientError('ValidationException', 'a fallback chain needs a provider');
    this.name = providers.map((p) => p.name).join(' > ');
  }

  getParameter(selector: string, options: { decrypt: boolean }): Promise<ParameterRecord> {
    return this.first(selector, this.providers, (p) => p.getParameter(selector, options));
  }

  getParametersByPath(path: string, options: { recursive: boolean; decrypt: boolean }): Promise<ParameterRecord[]> {
    return this.first(path, this.providers, (p) => p.getParametersByPath(path, options), {
      empty: (records) => records.length === 0,
    });
  }

  getSecretValue(id: string, options?: { versionId?: string; versionStage?: string }): Promise<SecretRecord> {
    return this.first(id, this.providers, (p) => p.getSecretValue(id, options));
  }

  /** The metadata from the first provider that has any; `UnsupportedOperation` when none does. */
  describeSecret(id: string): Promise<SecretDescription> {
    const describing = this.providers.filter((p) => p.describeSecret);
    if (describing.length === 0) {
      return Promise.reject(new CofferClientError('UnsupportedOperation', `${this.name} cannot describe secrets`));
    }
    return this.first(id, describing, (p) => p.describeSecret!(id), { notify: false });
  }

  /**
   * Subscribes to the first provider that has a feed (the store's): a fallback holds legacy
   * values, which expire by age.
   */
  subscribe(prefix: string | undefined, listener: (signal: FeedSignal) => void): () => void {
    const feeding = this.providers.find((p) => p.subscribe);
    if (!feeding) {
      listener({ type: 'state', state: 'off' });
      return () => {};
    }
    return feeding.subscribe!(prefix, listener);
  }

  async close(): Promise<void> {
    await Promise.all(this.providers.map((p) => p.close?.()));
  }

  /**
   * The first answer in `providers` order. An `empty` answer (a listing with nothing in it) lets
   * the next provider try, and is the answer when no provider has more.
   */
  private async first<T>(
    key: string,
    providers: readonly ValueProvider[],
    read: (provider: ValueProvider) => Promise<T>,
    options: { notify?: boolean; empty?: (result: T) => boolean } = {},
  ): Promise<T> {
    let firstError: unknown;
    let emptyAnswer: { result: T } | undefined;
    for (const [index, provider] of providers.entries()) {
      try {
        const result = await read(provider);
        if (options.empty?.(result)) {
          emptyAnswer ??= { result };
          continue;
        }
        if (index > 0 && options.notify !== false) {
          const code = firstError === undefined ? 'ParameterNotFound' : errorCode(firstError);
          this.onFallback({ provider: provider.name, key, code });
        }
        return result;
      } catch (error) {
        if (index === 0) firstError = error;
      }
    }
    if (emptyAnswer) return emptyAnswer.result;
    throw firstError;
  }
}
