/**
 * A rotation function for tests: an HTTP server on 127.0.0.1 implementing AWS's four-step
 * rotation template (createSecret puts an AWSPENDING version, setSecret "changes the password"
 * in a fake database, testSecret checks it there, finishSecret moves AWSCURRENT) with the
 * Secrets Manager SDK against Coffer. It checks Coffer's HMAC signature on every call and can be
 * told to fail (or hang) at a step.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';

export interface RotationEvent {
  Step: string;
  SecretId?: string;
  ParameterName?: string;
  ClientRequestToken: string;
}

export class TestRotationFunction {
  readonly events: RotationEvent[] = [];
  readonly badSignatures: number[] = [];
  /** username -> password, as the "database" the secret's credentials are for. */
  readonly database = new Map<string, string>();
  failAt: string | undefined;
  hangAt: string | undefined;
  signingKey = '';
  private server: Server | undefined;

  constructor(private readonly sm: SecretsManagerClient) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        void this.handle(
          body,
          req.headers['x-coffer-timestamp'] as string,
          req.headers['x-coffer-signature'] as string,
        ).then(
          ([status, text]) => {
            res.writeHead(status, { 'content-type': 'text/plain' });
            res.end(text);
          },
          (error: Error) => {
            res.writeHead(500);
            res.end(`function error: ${error.message}`);
          },
        );
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/rotate`;
  }

  stop(): Promise<void> {
    this.server?.closeAllConnections();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private signatureOk(body: string, timestamp: string | undefined, signature: string | undefined): boolean {
    if (!timestamp || !signature?.startsWith('sha256=')) return false;
    const expected = createHmac('sha256', this.signingKey).update(`${timestamp}.${body}`).digest();
    const given = Buffer.from(signature.slice(7), 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private async handle(
    body: string,
    timestamp: string | undefined,
    signature: string | undefined,
  ): Promise<[number, string]> {
    const event = JSON.parse(body) as RotationEvent;
    if (!this.signatureOk(body, timestamp, signature)) {
      this.badSignatures.push(this.events.length);
      return [401, 'bad signature'];
    }
    this.events.push(event);
    if (this.hangAt === event.Step) await new Promise((resolve) => setTimeout(resolve, 5_000));
    if (this.failAt === event.Step && event.Step !== 'setSecret') return [500, `injected failure at ${event.Step}`];
    const id = event.SecretId!;
    const token = event.ClientRequestToken;
    switch (event.Step) {
      case 'createSecret': {
        const current = JSON.parse(
          (await this.sm.send(new GetSecretValueCommand({ SecretId: id, VersionStage: 'AWSCURRENT' }))).SecretString!,
        ) as Record<string, string>;
        try {
          await this.sm.send(new GetSecretValueCommand({ SecretId: id, VersionId: token, VersionStage: 'AWSPENDING' }));
        } catch {
          const password = (await this.sm.send(new GetRandomPasswordCommand({ ExcludeCharacters: '/@"\'\\' })))
            .RandomPassword!;
          await this.sm.send(
            new PutSecretValueCommand({
              SecretId: id,
              ClientRequestToken: token,
              SecretString: JSON.stringify({ ...current, password }),
              VersionStages: ['AWSPENDING'],
            }),
          );
        }
        break;
      }
      case 'setSecret': {
        const pending = JSON.parse(
          (
            await this.sm.send(
              new GetSecretValueCommand({ SecretId: id, VersionId: token, VersionStage: 'AWSPENDING' }),
            )
          ).SecretString!,
        ) as Record<string, string>;
        if (this.failAt === 'setSecret')
          return [500, `could not set password ${pending.password} for ${pending.username}`];
        this.database.set(pending.username!, pending.password!);
        break;
      }
      case 'testSecret': {
        const pending = JSON.parse(
          (
            await this.sm.send(
              new GetSecretValueCommand({ SecretId: id, VersionId: token, VersionStage: 'AWSPENDING' }),
            )
          ).SecretString!,
        ) as Record<string, string>;
        if (this.database.get(pending.username!) !== pending.password)
          return [500, 'login with the pending password failed'];
        break;
      }
      case 'finishSecret': {
        const described = await this.sm.send(new DescribeSecretCommand({ SecretId: id }));
        const current = Object.entries(described.VersionIdsToStages!).find(([, stages]) =>
          stages.includes('AWSCURRENT'),
        )?.[0];
        if (current !== token)
          await this.sm.send(
            new UpdateSecretVersionStageCommand({
              SecretId: id,
              VersionStage: 'AWSCURRENT',
              MoveToVersionId: token,
              RemoveFromVersionId: current,
            }),
          );
        break;
      }
      default:
        return [400, `unknown step ${event.Step}`];
    }
    return [200, 'ok'];
  }
}
