/**
 * The two sides of `coffer sync` and `coffer diff` as sync stores. Parameter Store and Secrets
 * Manager are the CLI's target (the embedded store, or the server of --endpoint/COFFER_ENDPOINT)
 * unless the side has an endpoint of its own (--src-endpoint, --dst-endpoint): another Coffer
 * server, any endpoint speaking the AWS APIs, or `aws` for AWS itself, with credentials from the
 * AWS chain. Files and directories are the SDK's (client/sync).
 */
import {
  secretsClientFor,
  secretsOperations,
  ssmClientFor,
  ssmOperations,
  syncStoreFromUrl,
  type SdkTarget,
  type SecretsSyncOperations,
  type SyncStore,
} from '../client/sync/index.js';
import type { CliSession } from './cli-session.js';
import { profiles } from '../client/profiles/index.js';

/** A side's store and what to release once done. */
export interface SyncSide {
  store: SyncStore;
  close(): void;
}

/** The SDK target of a side's endpoint (`aws`: AWS's own endpoints), with the session's region and keys. */
function sdkTarget(session: CliSession, endpoint: string): SdkTarget {
  const env = session.env;
  const region = env.COFFER_REGION || env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1';
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN } = env;
  // Keys in this session's environment win; otherwise the SDK's own chain (AWS_PROFILE, SSO, roles...).
  const credentials =
    accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey, sessionToken: AWS_SESSION_TOKEN } : undefined;
  return { ...(endpoint === 'aws' ? {} : { endpoint }), region, ...(credentials ? { credentials } : {}) };
}

/** Secrets Manager on the embedded store, as the account's root (what every local command acts as). */
async function localSecrets(session: CliSession): Promise<SecretsSyncOperations> {
  const coffer = await session.open();
  const ctx = await session.context();
  const { store, listing } = coffer.secrets;
  return {
    listSecrets: (r) => listing.listSecrets(ctx, r),
    getSecretValue: (r) => store.getSecretValue(ctx, r),
    createSecret: (r) => store.createSecret(ctx, r),
    putSecretValue: (r) => store.putSecretValue(ctx, r),
    updateSecret: (r) => store.updateSecret(ctx, r),
    tagResource: (r) => store.tagResource(ctx, r),
    untagResource: (r) => store.untagResource(ctx, r),
    deleteSecret: (r) => store.deleteSecret(ctx, r),
  };
}

/** The store `url` names, over the session or the side's own endpoint. */
export async function openSide(url: string, session: CliSession, endpoint: string | undefined): Promise<SyncSide> {
  const clients: { destroy(): void }[] = [];
  const target = endpoint ?? session.endpoint;
  const store = await syncStoreFromUrl(url, {
    // Profiles are where COFFER_PROFILE_STORE says, as `coffer profile` finds them.
    profiles: (app) => {
      const { endpoint: at, region, credentials } = session.clientConfig();
      return profiles(app, {
        env: session.env,
        region,
        ...(at ? { endpoint: at } : {}),
        ...(credentials ? { credentials } : {}),
      });
    },
    ssm: async () => {
      if (endpoint === undefined) return session.parameters();
      const client = ssmClientFor(sdkTarget(session, endpoint));
      clients.push(client);
      return ssmOperations(client);
    },
    secrets: async () => {
      if (target === undefined) return localSecrets(session);
      const client = secretsClientFor(sdkTarget(session, target));
      clients.push(client);
      return secretsOperations(client);
    },
  });
  return {
    store,
    close: () => {
      for (const client of clients) client.destroy();
    },
  };
}
