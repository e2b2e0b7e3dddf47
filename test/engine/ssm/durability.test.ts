/**
 * Writers in separate processes, on each backend: concurrent writers of one name get strictly
 * increasing versions and lose nothing; a writer killed with SIGKILL loses no acknowledged write.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { openCoffer } from '../../../src/bootstrap/open-coffer.js';
import { BACKENDS, ctx, testLocation, type TestLocation } from '../../helpers/test-stores.js';

interface Ack {
  name: string;
  value: string;
  version: number;
}

const WRITER = join(import.meta.dirname, '..', '..', 'fixtures', 'parameter-writer.ts');

function startWriter(
  location: TestLocation,
  args: string[],
): { child: ChildProcess; acks: Ack[]; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, ...args], {
    env: { ...process.env, ...location.env() },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const acks: Ack[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => acks.push(JSON.parse(line) as Ack));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, acks, exited };
}

async function initialise(location: TestLocation): Promise<void> {
  const coffer = await openCoffer(location.settings(), {});
  await coffer.keyring.resolve(ctx, undefined);
  await coffer.close();
}

for (const backend of BACKENDS) {
  describe(`durability across processes: ${backend}`, () => {
    it('two processes overwriting one name get strictly increasing versions and lose no write', async () => {
      const location = testLocation(backend);
      await initialise(location);
      const perWriter = 40;
      const writers = ['a', 'b'].map((tag) =>
        startWriter(location, ['overwrite', '/race/shared', String(perWriter), tag]),
      );
      assert.deepEqual(await Promise.all(writers.map((w) => w.exited)), [0, 0]);
      for (const { acks } of writers) {
        assert.equal(acks.length, perWriter);
        for (let i = 1; i < acks.length; i++)
          assert.ok(acks[i]!.version > acks[i - 1]!.version, 'versions increase within a writer');
      }
      const all = writers.flatMap((w) => w.acks);
      assert.deepEqual(
        all.map((a) => a.version).sort((x, y) => x - y),
        Array.from({ length: perWriter * 2 }, (_, i) => i + 1),
      );
      const coffer = await openCoffer(location.settings(), {});
      const byVersion = new Map<number, string>();
      let token: string | undefined;
      do {
        const page = await coffer.parameters.getParameterHistory(ctx, {
          Name: '/race/shared',
          WithDecryption: true,
          NextToken: token,
        });
        for (const h of page.Parameters!) byVersion.set(h.Version!, h.Value!);
        token = page.NextToken;
      } while (token);
      for (const ack of all)
        assert.equal(byVersion.get(ack.version), ack.value, `version ${ack.version} holds what its writer wrote`);
      await coffer.close();
      await location.destroy();
    });

    it('a writer killed with SIGKILL mid-stream loses no acknowledged write', async () => {
      const location = testLocation(backend);
      await initialise(location);
      const writer = startWriter(location, ['stream', '/crash', 'k']);
      const deadline = Date.now() + 60_000;
      while (writer.acks.length < 40 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      writer.child.kill('SIGKILL');
      await writer.exited;
      const acknowledged = [...writer.acks];
      assert.ok(acknowledged.length >= 40, `the writer acknowledged ${acknowledged.length} writes`);
      const coffer = await openCoffer(location.settings(), {});
      for (const ack of acknowledged) {
        const found = (await coffer.parameters.getParameter(ctx, { Name: ack.name, WithDecryption: true })).Parameter!;
        assert.equal(found.Value, ack.value);
        assert.equal(found.Version, ack.version);
      }
      await coffer.close();
      await location.destroy();
    });
  });
}
