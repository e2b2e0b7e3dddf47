/**
 * One suite every ValueProvider runs (as Vault's ExerciseBackend and Hono's shared router
 * cases): the same fixture, seeded in each provider's own form, read back through the provider
 * and through a client over it. A provider that cannot hold bytes (the environment, dotenv)
 * says so and skips those cases only.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CofferClientError } from '../../src/client/client-error.js';
import { createClient } from '../../src/client/index.js';
import type { ValueProvider } from '../../src/client/value-provider.js';

/** The parameters every provider holds. */
export const PARAMETERS: Readonly<Record<string, string>> = {
  '/conformance/top': 'top-level value',
  '/conformance/db/host': 'db.internal.example',
  '/conformance/db/password': 'correct horse battery staple',
  '/conformance/app/settings': '{"retries":3,"mode":"fast"}',
  '/conformance/app/deep/flag': 'flag-is-enabled',
};

/** The text secrets every provider holds (under another root, so listings of /conformance hold none). */
export const SECRETS: Readonly<Record<string, string>> = {
  '/vault/text': 'plain secret text',
  '/vault/json': '{"username":"portal_user","password":"hunter2"}',
};

/** The binary secret, for providers that hold bytes. */
export const BINARY_SECRET = { name: '/vault/bin', value: new Uint8Array([0xff, 0x00, 0x10, 0x80, 0xfe]) };

/** Every fixture value, for checking that none leaks into an error message. */
export const FIXTURE_VALUES: readonly string[] = [...Object.values(PARAMETERS), ...Object.values(SECRETS)];

/** A provider seeded with the fixture. */
export interface SeededProvider {
  provider: ValueProvider;
  /** Whether the provider holds the binary secret. */
  binary: boolean;
  cleanup?(): Promise<void> | void;
}

/** The fixture as a tree of nested objects (JSON and YAML files). */
export function fixtureTree(binary: (bytes: Uint8Array) => unknown): Record<string, unknown> {
  const tree: Record<string, unknown> = {};
  const put = (name: string, value: unknown) => {
    const parts = name.slice(1).split('/');
    let node = tree;
    for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
    node[parts.at(-1)!] = value;
  };
  for (const [name, value] of Object.entries({ ...PARAMETERS, ...SECRETS })) put(name, value);
  put(BINARY_SECRET.name, binary(BINARY_SECRET.value));
  return tree;
}

function assertNoValue(error: unknown): asserts error is CofferClientError {
  assert.ok(error instanceof CofferClientError, `a CofferClientError, not ${String(error)}`);
  for (const value of FIXTURE_VALUES) assert.ok(!error.message.includes(value), 'the message holds no value');
}

/** Runs the shared cases against the provider `setup` makes. */
export function exerciseProvider(name: string, setup: () => Promise<SeededProvider>): void {
  describe(`provider conformance: ${name}`, () => {
    let seeded: SeededProvider;
    let provider: ValueProvider;
    before(async () => {
      seeded = await setup();
      provider = seeded.provider;
    });
    after(async () => {
      await seeded?.provider.close?.();
      await seeded?.cleanup?.();
    });

    it('gets a parameter in SSM shape', async () => {
      const record = await provider.getParameter('/conformance/db/password', { decrypt: true });
      assert.equal(record.Name, '/conformance/db/password');
      assert.equal(record.Value, PARAMETERS['/conformance/db/password']);
      assert.ok(Number.isInteger(record.Version) && record.Version >= 1);
      assert.match(record.ARN, /^arn:aws:ssm:[^:]+:\d{12}:parameter\/conformance\/db\/password$/);
    });

    it('gets version 1 by selector', async () => {
      const record = await provider.getParameter('/conformance/top:1', { decrypt: true });
      assert.equal(record.Value, PARAMETERS['/conformance/top']);
    });

    it('answers ParameterNotFound for a missing parameter', async () => {
      const error = await provider.getParameter('/conformance/missing', { decrypt: true }).catch((e) => e);
      assertNoValue(error);
      assert.equal(error.code, 'ParameterNotFound');
    });

    it('lists a path recursively, every page', async () => {
      const records = await provider.getParametersByPath('/conformance', { recursive: true, decrypt: true });
      assert.deepEqual(Object.fromEntries(records.map((r) => [r.Name, r.Value])), PARAMETERS);
    });

    it('lists one level without recursion', async () => {
      const top = await provider.getParametersByPath('/conformance', { recursive: false, decrypt: true });
      assert.deepEqual(
        top.map((r) => r.Name),
        ['/conformance/top'],
      );
      const db = await provider.getParametersByPath('/conformance/db/', { recursive: false, decrypt: true });
      assert.deepEqual(db.map((r) => r.Name).sort(), ['/conformance/db/host', '/conformance/db/password']);
      assert.deepEqual(await provider.getParametersByPath('/nothing/here', { recursive: true, decrypt: true }), []);
    });

    it('gets a text secret by name and by the ARN it reports', async () => {
      const record = await provider.getSecretValue('/vault/text');
      assert.equal(record.SecretString, SECRETS['/vault/text']);
      assert.equal(record.SecretBinary, undefined);
      assert.equal(record.Name, '/vault/text');
      assert.match(record.ARN, /^arn:aws:secretsmanager:[^:]+:\d{12}:secret:\/vault\/text-[A-Za-z0-9]{6}$/);
      assert.equal((await provider.getSecretValue(record.ARN)).SecretString, SECRETS['/vault/text']);
    });

    it('gets a binary secret as bytes', async (t) => {
      if (!seeded.binary) return t.skip('this provider holds text only');
      const record = await provider.getSecretValue(BINARY_SECRET.name);
      assert.deepEqual(new Uint8Array(record.SecretBinary!), BINARY_SECRET.value);
      assert.equal(record.SecretString, undefined);
    });

    it('answers ResourceNotFoundException for a missing secret', async () => {
      const error = await provider.getSecretValue('/vault/missing').catch((e) => e);
      assertNoValue(error);
      assert.equal(error.code, 'ResourceNotFoundException');
    });

    it('serves a client: JSON transforms of a parameter and a secret, and a path as a record', async () => {
      const client = createClient({ provider, changes: false });
      try {
        assert.deepEqual(await client.getParameter('/conformance/app/settings', { transform: 'json' }), {
          retries: 3,
          mode: 'fast',
        });
        assert.deepEqual(await client.getSecret('/vault/json', { transform: 'json' }), {
          username: 'portal_user',
          password: 'hunter2',
        });
        assert.deepEqual(await client.getParameters('/conformance/db'), {
          '/conformance/db/host': PARAMETERS['/conformance/db/host'],
          '/conformance/db/password': PARAMETERS['/conformance/db/password'],
        });
        const error = await client.getParameter('/conformance/top', { transform: 'json' }).catch((e) => e);
        assertNoValue(error);
        assert.equal(error.code, 'TransformError');
      } finally {
        await client.close();
      }
    });
  });
}
