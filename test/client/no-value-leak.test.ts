/**
 * No value reaches an error message, an error's inspection, an event payload or the stats: every
 * way the client can fail or report is driven with distinctive values in the store, and
 * everything it said is searched for them.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { type ClientOptions, type CofferClient, createClient, providerFromStoreUrl } from '../../src/client/index.js';
import { FakeTime } from './fake-time.js';
import { ScriptedProvider, unavailable } from './scripted-provider.js';

const VALUES = {
  '/leak/token': 'tok-9f8e7d6c5b4a-VALUE',
  '/leak/not-json': 'not json 3c2b1a-VALUE',
  '/leak/not-base64': 'not base64 ~~ 77aa-VALUE',
} as const;
const SECRET_BITS = Object.values(VALUES).map((v) => v.slice(0, 12));

function assertClean(what: string, text: string): void {
  for (const bit of SECRET_BITS) assert.ok(!text.includes(bit), `${what} holds a value: ${text}`);
}

function recording(options: Partial<ClientOptions>) {
  const said: string[] = [];
  const client = createClient({ changes: false, random: () => 0, ...options } as ClientOptions);
  for (const name of ['hit', 'miss', 'stale', 'refresh', 'breaker', 'fallback', 'feed', 'invalidate'] as const) {
    client.on(name, (payload: unknown) => said.push(`${name} ${JSON.stringify(payload)} ${inspect(payload)}`));
  }
  return { client, said };
}

async function failure(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => assert.fail('expected a failure'),
    (e: unknown) => e,
  );
  return `${String(error)} ${(error as Error).message} ${inspect(error, { depth: 5 })}`;
}

describe('no value leaks', () => {
  it('from transforms, refusals, resilience, fallbacks, invalidations and stats', async () => {
    const time = new FakeTime();
    const provider = new ScriptedProvider('store', { ...VALUES });
    const legacy = new ScriptedProvider('legacy', { '/leak/legacy': `${VALUES['/leak/token']}-legacy` });
    const { client, said } = recording({
      provider,
      fallback: [legacy],
      clock: time,
      maxAgeMs: 1_000,
      refreshAheadRatio: 0.5,
      breaker: { failureThreshold: 2, resetMs: 1_000 },
    });
    const texts: string[] = [];
    texts.push(await failure(client.getParameter('/leak/not-json', { transform: 'json' })));
    texts.push(await failure(client.getParameter('/leak/not-base64', { transform: 'binary' })));
    texts.push(await failure(client.getSecret('/leak/not-json', { transform: 'json' })));
    const refuse = () => {
      throw Object.assign(new Error('downstream said 401'), { status: 401 });
    };
    texts.push(await failure(client.withRefreshOnAuthFailure('/leak/token', refuse)));
    await client.getParameter('/leak/legacy');
    await client.getParameter('/leak/token');
    time.advance(600);
    await client.getParameter('/leak/token');
    await new Promise((resolve) => setImmediate(resolve));
    time.advance(1_000);
    provider.failWith = unavailable;
    legacy.failWith = unavailable;
    await client.getParameter('/leak/token');
    texts.push(await failure(client.getParameter('/leak/other')));
    client.invalidate('/leak/token');
    texts.push(JSON.stringify(client.stats()));
    for (const text of [...texts, ...said]) assertClean('the client', text);
    assert.ok(said.some((s) => s.startsWith('stale')) && said.some((s) => s.startsWith('fallback')));
    assert.ok(said.some((s) => s.startsWith('breaker')) && said.some((s) => s.startsWith('refresh')));
    await client.close();
  });

  it('from files that do not parse, whatever line the value is on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coffer-leak-'));
    try {
      const files = {
        'bad.json': `{"leak": {"token": "${VALUES['/leak/token']}" oops}}`,
        'bad.yaml': `leak:\n  token: "${VALUES['/leak/token']}\n  other: [unclosed`,
        'bad-tree.json': JSON.stringify({ leak: { token: [{ nested: VALUES['/leak/token'] }] } }),
        'bad-binary.json': JSON.stringify({ leak: { token: { $binary: VALUES['/leak/not-base64'] } } }),
      };
      for (const [file, text] of Object.entries(files)) {
        writeFileSync(join(dir, file), text);
        const client = createClient({ provider: providerFromStoreUrl(`file:${join(dir, file)}`).provider });
        const text2 = await failure(client.getParameter('/leak/token'));
        assert.match(text2, /ValidationException/);
        assertClean(file, text2);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('from AWS errors, which name the parameter and never hold what was sent', async () => {
    const client: CofferClient = createClient({
      endpoint: 'http://127.0.0.1:1',
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: VALUES['/leak/token'] },
      retry: { attempts: 1 },
      changes: false,
    });
    const text = await failure(client.getParameter('/leak/token'));
    assert.match(text, /NetworkingError/);
    assertClean('a network error', text);
    await client.close();
  });
});
