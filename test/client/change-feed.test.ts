/**
 * The change-feed client against a small fake SSE server: a signed request, parsing (comments,
 * CRLF, chunks split anywhere), a reset on a fresh connection, resuming with Last-Event-ID after
 * the stream ends, the server's reset, 404 and 403 turning the feed off, backoff on other errors,
 * and a silent stream taken for dead.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ChangeFeed } from '../../src/client/change-feed.js';
import { SYSTEM_TIMERS, type Timers } from '../../src/client/clock.js';
import { EventStreamParser, type StreamEvent } from '../../src/client/event-stream-parser.js';
import type { FeedSignal } from '../../src/client/value-provider.js';
import { until } from '../helpers/until.js';
import { FakeTime } from './fake-time.js';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** A server that answers each request with the next handler (the last one repeats). */
class FakeFeedServer {
  readonly requests: IncomingMessage[] = [];
  handlers: Handler[] = [];
  private server!: Server;
  endpoint = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      this.requests.push(request);
      const handler = this.handlers[Math.min(this.requests.length, this.handlers.length) - 1]!;
      handler(request, response);
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

const sse =
  (text: string): Handler =>
  (_, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.end(text);
  };
const hold =
  (text: string): Handler =>
  (_, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.write(text);
  };
const refuse =
  (status: number, type: string): Handler =>
  (_, response) => {
    response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
    response.end(JSON.stringify({ __type: type, message: 'no' }));
  };

const change = (seq: number, name: string) =>
  `id: ${seq}\nevent: change\ndata: {"seq":${seq},"kind":"parameter","name":"${name}","operation":"PutParameter"}\n\n`;

/** A feed on real timers: with `random` at 0 every backoff is 0 ms, and the idle watchdog (45 s) never fires. */
function feedOn(server: FakeFeedServer, timers: Timers = SYSTEM_TIMERS, prefix?: string) {
  const signals: FeedSignal[] = [];
  const feed = new ChangeFeed({
    endpoint: server.endpoint,
    prefix,
    region: async () => 'us-east-1',
    credentials: async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }),
    listener: (signal) => signals.push(signal),
    random: () => 0,
    timers,
  });
  return { feed, signals };
}

const kinds = (signals: FeedSignal[]) =>
  signals.map((s) => (s.type === 'state' ? s.state : s.type === 'change' ? `change ${s.change.name}` : s.type));

describe('EventStreamParser', () => {
  it('parses events split across chunks anywhere, with CRLF, CR and comments', () => {
    const events: StreamEvent[] = [];
    const parser = new EventStreamParser((e) => events.push(e));
    const text =
      ': keep-alive\r\n\r\nid: 7\r\nevent: change\r\ndata: {"a":\r\ndata: 1}\r\n\r\nevent: reset\rdata:x\r\r';
    for (const char of text) parser.push(char);
    // A CR last in a chunk may be half a CRLF: the event it ends is out once the next chunk says.
    parser.push(': next\n');
    assert.deepEqual(events, [
      { event: 'change', data: '{"a":\n1}', id: '7' },
      { event: 'reset', data: 'x' },
    ]);
  });

  it('refuses a line past its bound', () => {
    const parser = new EventStreamParser(() => {}, 10);
    assert.throws(() => parser.push('data: 0123456789'));
  });
});

describe('ChangeFeed', () => {
  const server = new FakeFeedServer();
  before(() => server.start());
  after(() => server.stop());

  it('signs its request, reports changes, and resumes with Last-Event-ID when the stream ends', async () => {
    server.requests.length = 0;
    server.handlers = [
      sse(`id: 10\nevent: ready\ndata: {"seq":10}\n\n: keep-alive\n\n${change(11, '/a/b')}`),
      hold(`${change(12, '/a/c')}id: 12\nevent: ready\ndata: {"seq":12}\n\n`),
    ];
    const { feed, signals } = feedOn(server, SYSTEM_TIMERS, '/a b+c');
    feed.start();
    await until('the second stream', async () => (server.requests.length === 2 && signals.length >= 7) || undefined);
    feed.stop();
    const [first, second] = server.requests;
    assert.equal(new URL(first!.url!, 'http://x').searchParams.get('prefix'), '/a b+c');
    assert.match(
      String(first!.headers.authorization),
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/coffer\//,
    );
    assert.equal(first!.headers.accept, 'text/event-stream');
    assert.equal(first!.headers['last-event-id'], undefined);
    assert.equal(second!.headers['last-event-id'], '11');
    assert.deepEqual(kinds(signals), [
      'connecting',
      // The first connection expires what was read before it (kept to serve stale), resetting nothing.
      'connected',
      'live',
      'change /a/b',
      'down',
      'change /a/c',
      'connected',
      'off',
    ]);
  });

  it("passes on the server's reset", async () => {
    server.requests.length = 0;
    server.handlers = [hold('id: 3\nevent: ready\ndata: {"seq":3}\n\nid: 9\nevent: reset\ndata: {"seq":9}\n\n')];
    const { feed, signals } = feedOn(server);
    feed.start();
    await until('the reset', async () => signals.filter((s) => s.type === 'reset').length === 1 || undefined);
    feed.stop();
  });

  for (const [status, type] of [
    [404, 'UnknownOperationException'],
    [403, 'AccessDeniedException'],
  ] as const) {
    it(`turns off for good on ${status}`, async () => {
      server.requests.length = 0;
      server.handlers = [refuse(status, type)];
      const time = new FakeTime();
      const { feed, signals } = feedOn(server, time);
      feed.start();
      await until('off', async () => (feed.state === 'off' && signals.length === 2) || undefined);
      assert.equal(time.waiting, 0, 'no reconnect is scheduled, nor any watchdog');
      assert.equal(server.requests.length, 1);
      assert.deepEqual(signals.at(-1), { type: 'state', state: 'off', code: type });
    });
  }

  it('backs off and reconnects after a throttle or a server error', async () => {
    server.requests.length = 0;
    server.handlers = [
      refuse(429, 'ThrottlingException'),
      refuse(500, 'InternalFailure'),
      hold('event: ready\ndata: {}\n\n'),
    ];
    const { feed, signals } = feedOn(server);
    feed.start();
    await until('connected', async () => (feed.state === 'connected' && server.requests.length === 3) || undefined);
    feed.stop();
    const states = signals.filter((s) => s.type === 'state');
    assert.deepEqual(states.slice(0, 3), [
      { type: 'state', state: 'connecting' },
      { type: 'state', state: 'down', code: 'ThrottlingException' },
      { type: 'state', state: 'connected' },
    ]);
  });

  it('takes a silent stream for dead and connects again', async () => {
    server.requests.length = 0;
    server.handlers = [hold('id: 5\nevent: ready\ndata: {"seq":5}\n\n')];
    const time = new FakeTime();
    const { feed } = feedOn(server, time);
    feed.start();
    await until('connected', async () => feed.state === 'connected' || undefined);
    time.advance(44_999);
    assert.equal(feed.state, 'connected');
    time.advance(1);
    assert.equal(feed.state, 'down');
    time.advance(0);
    await until('a second request', async () => server.requests.length === 2 || undefined);
    assert.equal(server.requests[1]!.headers['last-event-id'], '5');
    feed.stop();
    assert.equal(time.waiting, 0, 'stop clears every timer');
  });
});
