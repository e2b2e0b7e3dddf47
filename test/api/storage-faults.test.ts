/**
 * Storage faults fail cleanly (issue 9, item 15): while writes fail, each service answers with
 * its own 500 code and nothing of the fault, the log says what failed (never a value), /ready
 * answers 503 and recovers by itself, reads keep working, and nothing acknowledged is lost nor
 * any partial row left. SQLite fills a small tmpfs when the machine lets the test mount one (else
 * a trigger fails its writes); PostgreSQL gets a trigger that fails writes as a full disk does.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CreateUserCommand } from '@aws-sdk/client-iam';
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, GetParameterHistoryCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { clientsFor } from '../helpers/identity-clients.js';
import { rawRequest } from '../helpers/raw-request.js';
import { ROOT, startServer, type RunningServer } from '../helpers/server-process.js';
import { rawSql, testLocation, type TestLocation, POSTGRES_SKIP } from '../helpers/test-stores.js';

const FAILING_TABLES = [
  'ssm_parameter_versions',
  'ssm_parameters',
  'sm_secrets',
  'kms_keys',
  'iam_entities',
  'coffer_meta',
];

/** A way to make the store's writes fail, and to let them succeed again. */
interface Fault {
  readonly name: string;
  readonly location: TestLocation;
  begin(): Promise<void>;
  end(): Promise<void>;
  dispose(): Promise<void>;
}

/** SQLite on a 16 MiB tmpfs, filled to the last byte; undefined if this machine cannot mount (or COFFER_TEST_NO_MOUNT
 * says not to). */
function fullDisk(): Fault | undefined {
  if (process.env.COFFER_TEST_NO_MOUNT) return undefined;
  const mount = mkdtempSync(join(tmpdir(), 'coffer-tmpfs-'));
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', mount]).status !== 0) {
    rmSync(mount, { recursive: true, force: true });
    return undefined;
  }
  const base = testLocation('sqlite');
  const dataDir = join(mount, 'data');
  mkdirSync(dataDir);
  const location: TestLocation = {
    ...base,
    dataDir,
    settings: () => ({ ...base.settings(), dataDir }),
    env: () => ({ ...base.env(), COFFER_DATA_DIR: dataDir }),
  };
  const filler = join(mount, 'filler');
  return {
    name: 'a full disk (tmpfs)',
    location,
    async begin() {
      const fd = openSync(filler, 'w');
      const chunk = Buffer.alloc(64 * 1024, 1);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      } finally {
        closeSync(fd);
      }
    },
    async end() {
      unlinkSync(filler);
    },
    async dispose() {
      spawnSync('umount', [mount]);
      rmSync(mount, { recursive: true, force: true });
      await base.destroy();
    },
  };
}

/** Triggers that fail every write of the tables a request writes, as a full disk would. */
function failingWrites(backend: 'sqlite' | 'postgres'): Fault {
  const location = testLocation(backend);
  const triggers = FAILING_TABLES.flatMap((t) => [`${t}_fault_insert`, `${t}_fault_update`]);
  return {
    name: `writes failing by trigger (${backend})`,
    location,
    async begin() {
      if (backend === 'sqlite') {
        await rawSql(
          location,
          FAILING_TABLES.map((t) =>
            ['INSERT', 'UPDATE']
              .map(
                (op) =>
                  `CREATE TRIGGER ${t}_fault_${op.toLowerCase()} BEFORE ${op} ON ${t} BEGIN SELECT RAISE(ABORT, ` +
                  `'database or disk is full'); END;`,
              )
              .join(' '),
          ).join(' '),
        );
      } else {
        await rawSql(
          location,
          `CREATE FUNCTION coffer_fault() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'could not extend file' USING ` +
            `ERRCODE = '53100'; END $$ LANGUAGE plpgsql;`,
        );
        for (const t of FAILING_TABLES)
          await rawSql(
            location,
            `CREATE TRIGGER ${t}_fault_insert BEFORE INSERT OR UPDATE ON ${t} FOR EACH ROW EXECUTE FUNCTION ` +
              `coffer_fault();`,
          );
      }
    },
    async end() {
      if (backend === 'sqlite') await rawSql(location, triggers.map((t) => `DROP TRIGGER IF EXISTS ${t};`).join(' '));
      else for (const t of FAILING_TABLES) await rawSql(location, `DROP TRIGGER ${t}_fault_insert ON ${t};`);
    },
    async dispose() {
      await location.destroy();
    },
  };
}

async function ready(server: RunningServer): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 1100)); // past the probe's one-second memory
  return (await rawRequest(server.endpoint, { method: 'GET', path: '/ready' })).status;
}

async function failure(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  return promise.then(
    () => assert.fail('expected the write to fail'),
    (e: Error) => e,
  );
}

for (const make of [
  () => fullDisk() ?? failingWrites('sqlite'),
  ...(POSTGRES_SKIP ? [] : [() => failingWrites('postgres')]),
]) {
  const fault = make();
  describe(`storage faults: ${fault.name}`, () => {
    it(
      "answers each service's 500, logs what failed, reports not ready, recovers, and loses nothing " + 'acknowledged',
      async () => {
        const server = await startServer({ location: fault.location });
        const root = clientsFor(server, ROOT);
        const sm = new SecretsManagerClient({
          endpoint: server.endpoint,
          region: 'us-east-1',
          credentials: ROOT,
          maxAttempts: 1,
        });
        try {
          await root.ssm.send(
            new PutParameterCommand({ Name: '/fault/kept', Value: 'acknowledged-1', Type: 'SecureString' }),
          );
          assert.equal(await ready(server), 200);
          await fault.begin();

          const put = await failure(
            root.ssm.send(
              new PutParameterCommand({
                Name: '/fault/kept',
                Value: 'never-acknowledged',
                Type: 'SecureString',
                Overwrite: true,
              }),
            ),
          );
          assert.deepEqual(
            [put.name, put.$metadata?.httpStatusCode, put.message],
            ['InternalServerError', 500, 'An internal error occurred. Try again later.'],
          );
          assert.equal(
            (await failure(sm.send(new CreateSecretCommand({ Name: 'fault/s', SecretString: 'never-acknowledged' }))))
              .name,
            'InternalServiceError',
          );
          assert.equal((await failure(root.kms.send(new CreateKeyCommand({})))).name, 'KMSInternalException');
          assert.equal(
            (await failure(root.iam.send(new CreateUserCommand({ UserName: 'fault-user' })))).name,
            'ServiceFailureException',
          );
          assert.equal(await ready(server), 503);
          const read = root.ssm.send(new GetParameterCommand({ Name: '/fault/kept', WithDecryption: true }));
          if (fault.name.includes('tmpfs')) {
            // A full disk takes the audit trail too, and a read whose event cannot be written fails closed.
            assert.equal((await failure(read)).name, 'InternalServerError');
          } else {
            assert.equal(
              (await read).Parameter!.Value,
              'acknowledged-1',
              'reads go on while their events can be written',
            );
          }

          await fault.end();
          assert.equal(await ready(server), 200, '/ready recovers by itself');
          await root.ssm.send(
            new PutParameterCommand({
              Name: '/fault/kept',
              Value: 'acknowledged-2',
              Type: 'SecureString',
              Overwrite: true,
            }),
          );
          const history = await root.ssm.send(
            new GetParameterHistoryCommand({ Name: '/fault/kept', WithDecryption: true }),
          );
          assert.deepEqual(
            history.Parameters!.map((p) => [p.Version, p.Value]),
            [
              [1, 'acknowledged-1'],
              [2, 'acknowledged-2'],
            ],
            'no partial version',
          );
          const log = server.output();
          assert.match(
            log,
            /"event":"internal_fault"[^\n]*"code":"(SQLITE_FULL|SQLITE_CONSTRAINT_TRIGGER|53100)"[^\n]*"at":"storage\//,
          );
          assert.doesNotMatch(log, /never-acknowledged|acknowledged-1|acknowledged-2/);
        } finally {
          root.destroy();
          sm.destroy();
          await server.stop({ keepStore: true });
          await fault.dispose();
        }
      },
    );
  });
}
