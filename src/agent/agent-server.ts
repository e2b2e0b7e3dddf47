/**
 * `coffer agent`'s HTTP side, on loopback only: SSM's and Secrets Manager's JSON 1.1 reads for
 * any AWS SDK (SigV4 with the agent's own key pair, inputs decoded against AWS's models), the
 * Parameters and Secrets Lambda Extension's GET paths (with the X-Aws-Parameters-Secrets-Token
 * header), and GET /health. A stale answer says so: `x-coffer-cache: stale` and a Warning.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { headerMap, readBody, sendError, sendJson } from '../api/http-exchange.js';
import { toWireJson } from '../api/json/json-output.js';
import { decodeJsonInput } from '../api/models/json-input.js';
import { AWS_REGIONS } from '../api/models/aws-regions.js';
import { secretsManagerModel } from '../api/models/secretsmanager.js';
import type { ServiceModel } from '../api/models/service-model.js';
import { ssmModel } from '../api/models/ssm.js';
import { SigV4Verifier } from '../api/sigv4/sigv4-verifier.js';
import { InternalServerError, UnknownOperationException } from '../api/wire-errors.js';
import { ServiceError } from '../engine/service-error.js';
import { CofferClientError } from '../client/client-error.js';
import { runAgentOperation, type AgentService } from './agent-operations.js';
import type { AgentSource, Served } from './agent-source.js';

const MAX_BODY_BYTES = 1024 * 1024;
const AGENT_ACCOUNT = '000000000000';

/** The agent's own credentials: what its local clients present. */
export interface AgentCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** For the extension paths' X-Aws-Parameters-Secrets-Token header. */
  readonly token: string;
}

const SERVICES: Record<string, { service: AgentService; model: ServiceModel }> = {
  AmazonSSM: { service: 'ssm', model: ssmModel },
  secretsmanager: { service: 'secretsmanager', model: secretsManagerModel },
};

class Unauthorized extends ServiceError {
  constructor() {
    super('UnrecognizedClientException', 'The X-Aws-Parameters-Secrets-Token header is missing or wrong.', 401);
  }
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The agent's server. */
export class AgentServer {
  private readonly server: Server;
  private readonly verifier: SigV4Verifier;

  constructor(
    private readonly source: AgentSource,
    private readonly credentials: AgentCredentials,
    private readonly forwardWrites: boolean,
    private readonly onFault: (error: unknown) => void = () => {},
  ) {
    const key = {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      account: AGENT_ACCOUNT,
      principalArn: `arn:aws:iam::${AGENT_ACCOUNT}:user/coffer-agent`,
      ownerId: AGENT_ACCOUNT,
    };
    this.verifier = new SigV4Verifier(
      async (id) => (sameText(id, credentials.accessKeyId) ? key : undefined),
      new Set(AWS_REGIONS),
      Date.now,
      // Local clients replay the same signed reads: each is verified once (its date every time).
      10_000,
    );
    this.server = createServer((request, response) => void this.handle(request, response));
    this.server.keepAliveTimeout = 65_000;
  }

  /** Listens on 127.0.0.1 (only): every local client of the agent has the agent's permissions upstream. */
  async listen(port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    await closed;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    try {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      if (request.method === 'GET' && url.pathname === '/health') {
        sendJson(response, 200, requestId, JSON.stringify({ status: 'ok', ...this.source.health() }));
        return;
      }
      if (request.method === 'GET' && url.pathname.startsWith('/systemsmanager/')) {
        return this.answer(response, requestId, await this.extensionParameter(request, url));
      }
      if (request.method === 'GET' && url.pathname.startsWith('/secretsmanager/')) {
        return this.answer(response, requestId, await this.extensionSecret(request, url));
      }
      if (request.method !== 'POST' || url.pathname !== '/') {
        sendJson(response, 404, requestId, JSON.stringify({ __type: 'NotFound', message: 'Not found.' }));
        return;
      }
      this.answer(response, requestId, await this.apiCall(request, url));
    } catch (error) {
      const wire = asServiceError(error);
      if (wire instanceof InternalServerError) this.onFault(error);
      if (!response.headersSent) sendError(response, requestId, wire);
    }
  }

  private answer(response: ServerResponse, requestId: string, served: Served<object>): void {
    const headers: Record<string, string> = served.stale
      ? { 'x-coffer-cache': 'stale', warning: '110 - "Response is Stale"' }
      : {};
    const text = served.text ?? toWireJson(served.value);
    // Written after the event loop's poll: answers to requests that arrived together leave
    // together, so the load generator wakes once for several (measured: bench/client.ts).
    setImmediate(() => sendJson(response, 200, requestId, text, headers));
  }

  private async apiCall(request: IncomingMessage, url: URL): Promise<Served<object>> {
    const target = String(request.headers['x-amz-target'] ?? '');
    const dot = target.lastIndexOf('.');
    const known = dot > 0 ? SERVICES[target.slice(0, dot)] : undefined;
    const operation = target.slice(dot + 1);
    if (!known || !Object.hasOwn(known.model.operations, operation)) throw new UnknownOperationException(target);
    const body = await readBody(request, MAX_BODY_BYTES);
    await this.verifier.verify(
      { method: 'POST', path: url.pathname, search: url.search, headers: headerMap(request), body },
      [known.service],
    );
    const input = decodeJsonInput(known.model, operation, body);
    // Compare-and-set cannot be carried through the agent's own SDK call: refused, never dropped.
    if (request.headers['x-coffer-expected-version'] !== undefined)
      throw new ServiceError(
        'ValidationException',
        'coffer agent does not forward x-coffer-expected-version: write to the server directly.',
        400,
      );
    return runAgentOperation(this.source, known.service, operation, input, this.forwardWrites);
  }

  /** GET /systemsmanager/parameters/get?name=N&withDecryption=true[&version=V|&label=L] */
  private async extensionParameter(request: IncomingMessage, url: URL): Promise<Served<object>> {
    this.checkToken(request);
    if (url.pathname !== '/systemsmanager/parameters/get') throw new UnknownOperationException();
    const q = url.searchParams;
    const selector = q.get('version') ? `:${q.get('version')}` : q.get('label') ? `:${q.get('label')}` : '';
    const input = decodeJsonInput(
      ssmModel,
      'GetParameter',
      Buffer.from(
        JSON.stringify({
          Name: `${q.get('name') ?? ''}${selector}`,
          WithDecryption: q.get('withDecryption') === 'true',
        }),
      ),
    );
    return runAgentOperation(this.source, 'ssm', 'GetParameter', input, false);
  }

  /** GET /secretsmanager/get?secretId=S[&versionId=V|&versionStage=L] */
  private async extensionSecret(request: IncomingMessage, url: URL): Promise<Served<object>> {
    this.checkToken(request);
    if (url.pathname !== '/secretsmanager/get') throw new UnknownOperationException();
    const q = url.searchParams;
    const fields = { SecretId: q.get('secretId'), VersionId: q.get('versionId'), VersionStage: q.get('versionStage') };
    const given = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== null));
    const input = decodeJsonInput(secretsManagerModel, 'GetSecretValue', Buffer.from(JSON.stringify(given)));
    return runAgentOperation(this.source, 'secretsmanager', 'GetSecretValue', input, false);
  }

  private checkToken(request: IncomingMessage): void {
    const token = request.headers['x-aws-parameters-secrets-token'];
    if (typeof token !== 'string' || !sameText(token, this.credentials.token)) throw new Unauthorized();
  }
}

/**
 * The upstream's errors keep their AWS code, status and message (the message AWS gave the agent,
 * not the SDK's description of the call); the client's own (CircuitOpen, NetworkingError) are
 * 503s with its text; anything else is a 500 that says nothing.
 */
function asServiceError(error: unknown): ServiceError {
  if (error instanceof ServiceError) return error;
  if (error instanceof CofferClientError) {
    const status = error.status !== undefined && error.status >= 400 ? error.status : 503;
    const cause = error.cause as { message?: unknown; $metadata?: unknown } | undefined;
    const message =
      error.status !== undefined ? (typeof cause?.message === 'string' ? cause.message : error.code) : error.message;
    return new ServiceError(error.code, message, status);
  }
  return new InternalServerError('InternalServerError');
}
