/**
 * The one place a store URL becomes a provider:
 *
 * - `coffer:` (or `coffer:http://host:port`): a Coffer server, at the URL's endpoint, the
 *   `endpoint` option, `COFFER_ENDPOINT` or `AWS_ENDPOINT_URL`; its change feed on by default.
 * - `aws:` (or `aws:https://...`): the AWS APIs at the endpoint given, or AWS itself (the SDK's
 *   own endpoint and region resolution); no change feed.
 * - `file:./secrets.json`, `file:./x.yaml`, `file:./x.env`, `file:./dir`, `file:///abs/path`:
 *   a file (its format by its extension) or a directory tree.
 * - `env:` or `env:PREFIX_`: environment variables.
 */
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AwsProvider, type AwsCredentials } from './aws-provider.js';
import { CofferClientError } from './client-error.js';
import type { Timers } from './clock.js';
import { DirectoryProvider } from './directory-provider.js';
import { EnvironmentProvider } from './environment-provider.js';
import { FileProvider } from './file-provider.js';
import type { ValueProvider } from './value-provider.js';

/** What a store URL is resolved with. */
export interface StoreContext {
  endpoint?: string;
  region?: string;
  credentials?: AwsCredentials;
  env?: Readonly<Record<string, string | undefined>>;
  random?: () => number;
  timers?: Timers;
}

/** The provider a URL names, and whether a client should subscribe to its change feed by default. */
export interface StoreChoice {
  provider: ValueProvider;
  changesByDefault: boolean;
}

function filePath(rest: string): string {
  return rest.startsWith('//') ? fileURLToPath(`file:${rest}`) : rest;
}

function fileProvider(url: string, rest: string): ValueProvider {
  const path = filePath(rest);
  if (path === '') throw new CofferClientError('ValidationException', `the store URL ${url} names no file`);
  const isDirectory = (() => {
    try {
      return statSync(path).isDirectory();
    } catch {
      return false;
    }
  })();
  return isDirectory ? new DirectoryProvider(path, url) : new FileProvider(path, { label: url });
}

function awsProvider(url: string, rest: string, context: StoreContext, coffer: boolean): StoreChoice {
  const env = context.env ?? process.env;
  const fromEnvironment = coffer ? env.COFFER_ENDPOINT || env.AWS_ENDPOINT_URL || undefined : undefined;
  const endpoint = rest || context.endpoint || fromEnvironment;
  const region =
    context.region ?? (coffer && endpoint ? env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1' : undefined);
  const provider = new AwsProvider({
    label: url,
    endpoint,
    region,
    credentials: context.credentials,
    random: context.random,
    timers: context.timers,
  });
  return { provider, changesByDefault: coffer && endpoint !== undefined };
}

/** The provider for a store URL. */
export function providerFromStoreUrl(url: string, context: StoreContext = {}): StoreChoice {
  const colon = url.indexOf(':');
  const scheme = colon === -1 ? url : url.slice(0, colon);
  const rest = colon === -1 ? '' : url.slice(colon + 1);
  switch (scheme) {
    case 'coffer':
    case 'aws':
      return awsProvider(url, rest, context, scheme === 'coffer');
    case 'file':
      return { provider: fileProvider(url, rest), changesByDefault: false };
    case 'env':
      return {
        provider: new EnvironmentProvider({ prefix: rest, env: context.env, label: url }),
        changesByDefault: false,
      };
    default:
      throw new CofferClientError(
        'ValidationException',
        `the store URL ${url} is not one of coffer:, aws:, file:PATH or env:PREFIX`,
      );
  }
}
