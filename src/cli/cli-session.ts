/**
 * What a CLI invocation works on. Local mode (the default) opens the embedded store on first
 * use and acts as the account's root principal; remote mode (`--endpoint URL` or
 * `COFFER_ENDPOINT`) talks to a Coffer server, or AWS itself, over the wire API with credentials
 * from the standard AWS chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN, AWS_PROFILE).
 */
import { IAMClient } from '@aws-sdk/client-iam';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CofferApiClient } from './coffer-api-client.js';
import { localAudit, remoteAudit, type AuditOperations } from './audit-operations.js';
import { localRotation, remoteRotation, type RotationOperations } from './rotation-operations.js';
import { openCoffer, type Coffer, type OpenOptions } from '../bootstrap/open-coffer.js';
import { settingsFromEnv } from '../bootstrap/settings.js';
import { rootPrincipal, type RequestContext } from '../engine/request-context.js';
import { localIdentity, remoteIdentity, type IdentityOperations } from './identity-operations.js';
import { localOperations, remoteOperations, type ParameterOperations } from './parameter-operations.js';

/** Lazily opened store or client, plus the caller context. */
export class CliSession {
  private coffer: Coffer | undefined;
  private client: SSMClient | undefined;
  private identityClients: { iam: IAMClient; sts: STSClient } | undefined;
  private rotationClients: { sm: SecretsManagerClient; api: CofferApiClient } | undefined;
  private cloudTrail: CloudTrailClient | undefined;

  /** `endpoint` switches to remote mode. */
  constructor(
    readonly env: NodeJS.ProcessEnv,
    readonly endpoint: string | undefined = env.COFFER_ENDPOINT || undefined,
  ) {}

  /** Whether commands go to a server rather than the embedded store. */
  get remote(): boolean {
    return this.endpoint !== undefined;
  }

  /** The embedded store, for commands that only make sense on it (refused in remote mode). */
  async open(): Promise<Coffer> {
    if (this.remote)
      throw new Error(
        'this command works on the local store only; unset COFFER_ENDPOINT (or drop --endpoint) to use it',
      );
    return this.openLocal();
  }

  /**
   * The embedded store whatever the mode (`serve` is the store's server, never a client, and
   * runs its audit ledger on a thread of its own).
   */
  async openLocal(options: OpenOptions = {}): Promise<Coffer> {
    if (!this.coffer) this.coffer = await openCoffer(settingsFromEnv(this.env), this.env, options);
    return this.coffer;
  }

  async context(): Promise<RequestContext> {
    const { settings } = await this.open();
    return { account: settings.account, region: settings.region, principalArn: rootPrincipal(settings.account) };
  }

  /** Parameter Store operations in whichever mode this session is in. */
  async parameters(): Promise<ParameterOperations> {
    if (!this.remote) return localOperations((await this.open()).parameters, await this.context());
    this.client ??= new SSMClient(this.clientConfig());
    return remoteOperations(this.client);
  }

  /** IAM and STS operations in whichever mode this session is in. */
  async identity(): Promise<IdentityOperations> {
    if (!this.remote) return localIdentity(await this.open(), await this.context());
    this.identityClients ??= { iam: new IAMClient(this.clientConfig()), sts: new STSClient(this.clientConfig()) };
    return remoteIdentity(this.identityClients.iam, this.identityClients.sts);
  }

  /** Rotation functions, schedules and status in whichever mode this session is in. */
  async rotation(): Promise<RotationOperations> {
    if (!this.remote) return localRotation(await this.open(), await this.context());
    if (!this.rotationClients) {
      const config = this.clientConfig();
      const sm = new SecretsManagerClient(config);
      // The SDK client's resolved provider chain signs Coffer's own API too.
      this.rotationClients = {
        sm,
        api: new CofferApiClient(this.endpoint!, config.region, () => sm.config.credentials()),
      };
    }
    return remoteRotation(this.rotationClients.api, this.rotationClients.sm);
  }

  /** The whole access report of a prefix, page after page: from the store, or a server's CofferAudit.GetAccessReport.
   * */
  async accessReport(input: {
    Prefix?: string;
    Kind?: 'parameter' | 'secret';
  }): Promise<{ Items: Record<string, unknown>[] }> {
    type Page = { Items: Record<string, unknown>[]; NextToken?: string };
    const all = async (page: (token: string | undefined) => Promise<Page>) => {
      const items: Record<string, unknown>[] = [];
      let token: string | undefined;
      do {
        const next = await page(token);
        items.push(...next.Items);
        token = next.NextToken;
      } while (token !== undefined);
      return { Items: items };
    };
    if (!this.remote) {
      const coffer = await this.open();
      const report = coffer.accessReport;
      const ctx = await this.context();
      return all(
        (token) =>
          report.getAccessReport(ctx, { ...input, ...(token ? { NextToken: token } : {}) }) as unknown as Promise<Page>,
      );
    }
    const config = this.clientConfig();
    const sts = new STSClient(config);
    try {
      const api = new CofferApiClient(this.endpoint!, config.region, () => sts.config.credentials());
      return await all(
        async (token) =>
          (await api.call(
            'GetAccessReport',
            { ...input, ...(token ? { NextToken: token } : {}) },
            'CofferAudit',
          )) as Page,
      );
    } finally {
      sts.destroy();
    }
  }

  /** The audit trail: the store's own, or a server's through LookupEvents. */
  async audit(): Promise<AuditOperations> {
    if (!this.remote) return localAudit(await this.open());
    this.cloudTrail ??= new CloudTrailClient(this.clientConfig());
    return remoteAudit(this.cloudTrail);
  }

  /** Where and as whom the AWS SDK clients talk: this session's endpoint, region and keys. */
  clientConfig() {
    const region = this.env.COFFER_REGION || this.env.AWS_REGION || this.env.AWS_DEFAULT_REGION || 'us-east-1';
    const {
      AWS_ACCESS_KEY_ID: accessKeyId,
      AWS_SECRET_ACCESS_KEY: secretAccessKey,
      AWS_SESSION_TOKEN: sessionToken,
    } = this.env;
    // Keys in this session's environment win; otherwise the SDK's own chain (AWS_PROFILE, ...).
    const credentials = accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey, sessionToken } : undefined;
    return { endpoint: this.endpoint, region, credentials };
  }

  async close(): Promise<void> {
    this.client?.destroy();
    this.client = undefined;
    this.identityClients?.iam.destroy();
    this.identityClients?.sts.destroy();
    this.identityClients = undefined;
    this.rotationClients?.sm.destroy();
    this.rotationClients = undefined;
    this.cloudTrail?.destroy();
    this.cloudTrail = undefined;
    await this.coffer?.close();
    this.coffer = undefined;
  }
}
