/**
 * A small signed client for Coffer's own JSON 1.1 API (`CofferRotation.*`), which no AWS SDK
 * has: SigV4 by @smithy/signature-v4 (service `coffer`), credentials from the same chain the
 * SDK clients use, and errors raised as ServiceErrors with the server's code.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../client/node-sha256.js';
import { ServiceError } from '../engine/service-error.js';

/** Credentials as the SDK's providers give them. */
export interface ApiCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export class CofferApiClient {
  private readonly signer: SignatureV4;

  constructor(
    private readonly endpoint: string,
    region: string,
    credentials: () => Promise<ApiCredentials>,
  ) {
    this.signer = new SignatureV4({ credentials, region, service: 'coffer', sha256: NodeSha256 });
  }

  /** Calls `<service>.<action>` (CofferRotation, CofferAudit) and returns its JSON answer. */
  async call(action: string, input: object, service = 'CofferRotation'): Promise<Record<string, unknown>> {
    const url = new URL(this.endpoint);
    const body = JSON.stringify(input);
    const signed = await this.signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: '/',
      headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${service}.${action}` },
      body,
    });
    const response = await fetch(new URL('/', url), {
      method: 'POST',
      headers: signed.headers,
      body,
      signal: AbortSignal.timeout(60_000),
    });
    const text = await response.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      throw new ServiceError(
        'InternalServerError',
        `The server answered ${response.status} with a body that is not JSON.`,
        response.status,
      );
    }
    if (!response.ok)
      throw new ServiceError(String(parsed.__type ?? 'UnknownError'), String(parsed.message ?? ''), response.status);
    return parsed;
  }
}
