/**
 * The providers a client reads through, built from its options: the store (a URL, or a provider
 * of your own), then each fallback, every one behind retries and a circuit breaker of its own,
 * chained by a FallbackProvider when there is more than one.
 */
import type { BreakerState } from './circuit-breaker.js';
import type { ClientOptions, ResolvedSettings } from './client-options.js';
import { sleep } from './clock.js';
import { FallbackProvider, type FallbackNotice } from './fallback-provider.js';
import { ResilientProvider } from './resilient-provider.js';
import { providerFromStoreUrl, type StoreContext } from './store-url.js';
import type { ValueProvider } from './value-provider.js';

/** What the chain reports. */
export interface ChainObserver {
  breaker(notice: { provider: string; from: BreakerState; to: BreakerState }): void;
  fallback(notice: FallbackNotice): void;
}

/** The chain, its first provider, and the providers made from URLs (the client's to close). */
export interface ProviderChain {
  provider: ValueProvider;
  primary: ResilientProvider;
  owned: ValueProvider[];
  changesByDefault: boolean;
}

export function buildProviderChain(
  options: ClientOptions,
  settings: ResolvedSettings,
  observer: ChainObserver,
): ProviderChain {
  const context: StoreContext = { ...options, env: settings.env, random: settings.random, timers: settings.timers };
  const owned: ValueProvider[] = [];
  const fromUrl = (url: string) => {
    const choice = providerFromStoreUrl(url, context);
    owned.push(choice.provider);
    return choice;
  };
  const store = options.provider ? undefined : fromUrl(options.store ?? (settings.env.COFFER_STORE || 'coffer:'));
  const resilient = (provider: ValueProvider) =>
    new ResilientProvider(provider, {
      ...settings,
      pause: (ms) => sleep(settings.timers, ms),
      onBreaker: (from, to) => observer.breaker({ provider: provider.name, from, to }),
    });
  const chain = [options.provider ?? store!.provider, ...(options.fallback ?? [])].map((p) =>
    resilient(typeof p === 'string' ? fromUrl(p).provider : p),
  );
  const primary = chain[0]!;
  return {
    provider: chain.length === 1 ? primary : new FallbackProvider(chain, (n) => observer.fallback(n)),
    primary,
    owned,
    changesByDefault: store?.changesByDefault ?? false,
  };
}
