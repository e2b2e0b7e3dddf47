/**
 * An HTTP proxy in front of a test server that counts requests by `X-Amz-Target` (what reached
 * the server, not what the client meant to send), and can be pointed at a restarted server. When
 * the server does not answer, the proxy drops the client's connection, as a dead server would.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running proxy. */
export class CountingProxy {
  private readonly counts = new Map<string, number>();
  private server!: Server;
  endpoint = '';

  constructor(public target: string) {}

  async start(): Promise<void> {
    this.server = createServer((incoming, outgoing) => {
      const operation = String(incoming.headers['x-amz-target'] ?? `${incoming.method} ${incoming.url}`);
      this.counts.set(operation, (this.counts.get(operation) ?? 0) + 1);
      const upstream = new URL(this.target);
      const forward = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: incoming.method,
          path: incoming.url,
          headers: incoming.headers,
        },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      forward.on('error', () => outgoing.destroy());
      outgoing.on('close', () => forward.destroy());
      incoming.pipe(forward);
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Requests seen for an operation (`AmazonSSM.GetParameter`, `secretsmanager.GetSecretValue`). */
  count(operation: string): number {
    return [...this.counts.entries()].filter(([k]) => k.endsWith(`.${operation}`)).reduce((n, [, v]) => n + v, 0);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
