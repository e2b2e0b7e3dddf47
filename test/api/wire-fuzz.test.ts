/**
 * Wire fuzzing from the service models: for every action of every service, each input member
 * replaced by the wrong type (a list for a string, a structure for a list, a number for a
 * string), an over-long value, deep nesting and invalid UTF-8, sent unauthenticated and signed as
 * a narrow user. Always a 4xx, never a 500, never a change to the store, and never a byte of the
 * request text in the log. Bounded in count and in time.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import type { ModelShape, ServiceModel } from '../../src/api/models/service-model.js';
import { cofferModel } from '../../src/api/models/coffer.js';
import { iamModel } from '../../src/api/models/iam.js';
import { kmsModel } from '../../src/api/models/kms.js';
import { secretsManagerModel } from '../../src/api/models/secretsmanager.js';
import { ssmModel } from '../../src/api/models/ssm.js';
import { stsModel } from '../../src/api/models/sts.js';
import { clientsFor, userWithKey, type Credentials } from '../helpers/identity-clients.js';
import { rawRequest, type RawResponse } from '../helpers/raw-request.js';
import { ROOT, startServer, type RunningServer } from '../helpers/server-process.js';
import { signedRequest } from '../helpers/signed-request.js';

const MODELS: readonly ServiceModel[] = [ssmModel, secretsManagerModel, kmsModel, cofferModel, iamModel, stsModel];
const MAX_REQUESTS = 8000;
const MAX_MS = 120_000;
const MARK = 'FUZZMARK';

/** A plausible value of a shape: mutations then break one member at a time. */
function plausible(model: ServiceModel, name: string, depth = 0): unknown {
  const shape = model.shapes[name]! as ModelShape & { min?: number; enum?: readonly string[] };
  switch (shape.type) {
    case 'structure':
      return depth > 3
        ? {}
        : Object.fromEntries((shape.required ?? []).map((m) => [m, plausible(model, shape.members[m]!, depth + 1)]));
    case 'list':
      return [plausible(model, shape.member, depth + 1)];
    case 'map':
      return { k: plausible(model, shape.value, depth + 1) };
    case 'string':
      return shape.enum?.[0] ?? 'f'.repeat(Math.max(shape.min ?? 1, 1));
    case 'blob':
      return 'ZnV6eg==';
    case 'boolean':
      return false;
    case 'timestamp':
      return 0;
    default:
      return Math.max(shape.min ?? 1, 1);
  }
}

interface Mutation {
  readonly label: string;
  readonly json?: unknown;
  readonly form?: string;
  readonly raw?: Buffer;
}

/** The wrong values for one member of a shape, in both encodings. */
function mutations(model: ServiceModel, member: string, shapeName: string, mark: string): Mutation[] {
  const shape = model.shapes[shapeName]! as ModelShape & { max?: number };
  const key = encodeURIComponent(member);
  const long = mark.padEnd(Math.max((shape.max ?? 4096) + 1, 70_000), 'x');
  const scalar = shape.type !== 'structure' && shape.type !== 'list' && shape.type !== 'map';
  const out: Mutation[] = [
    { label: 'list', json: [mark], form: `${key}.member.1=${mark}` },
    { label: 'structure', json: { [mark]: mark }, form: `${key}.${mark}=${mark}` },
    { label: 'number', json: 7, form: `${key}=${mark}` },
    { label: 'over-long', json: long, form: `${key}=${long}` },
    {
      label: 'deep',
      json: JSON.parse(`${'['.repeat(40)}"${mark}"${']'.repeat(40)}`),
      form: `${key}.${'a.'.repeat(40)}b=${mark}`,
    },
    {
      label: 'invalid-utf8',
      raw: Buffer.concat([Buffer.from(`{"${member}":"${mark}`), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]),
      form: `${key}=${mark}%FF%FE`,
    },
  ];
  if (!scalar) out.push({ label: 'scalar', json: mark, form: `${key}=${mark}` });
  return out;
}

/**
 * A snapshot of every row of every table of the SQLite store but the audit trail's, which
 * records every request (refused ones too) by design.
 */
function storeDigest(server: RunningServer): string {
  const db = new Database(join(server.location.dataDir, 'coffer.db'), { readonly: true });
  try {
    const tables = (
      db
        .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'audit_%' ORDER BY name`)
        .all() as { name: string }[]
    ).map((t) => t.name);
    const hash = createHash('sha256');
    for (const table of tables) {
      for (const row of db.prepare(`SELECT * FROM ${table}`).all() as Record<string, unknown>[]) {
        const columns = Object.entries(row).map(([k, v]) => [k, Buffer.isBuffer(v) ? v.toString('base64') : v]);
        hash.update(`${table}:${JSON.stringify(columns)}\n`);
      }
    }
    return hash.digest('hex');
  } finally {
    db.close();
  }
}

describe('wire fuzzing from the service models', () => {
  let server: RunningServer;
  let narrow: Credentials;

  before(async () => {
    server = await startServer({ env: { COFFER_ROTATION_TICK_MS: '3600000', COFFER_SWEEP_TICK_MS: '3600000' } });
    const root = clientsFor(server, ROOT);
    await root.ssm.send(new PutParameterCommand({ Name: '/fuzz/p', Value: 'fuzz-value', Type: 'SecureString' }));
    narrow = await userWithKey(root.iam, 'fuzzer', {
      n: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'ssm:GetParameter', Resource: 'arn:aws:ssm:*:*:parameter/fuzz/*' }],
      },
    });
    root.destroy();
  });
  after(() => server.stop());

  it(
    'answers every mutation of every member of every action with a 4xx, changing nothing and logging none of ' + 'it',
    async () => {
      const started = Date.now();
      const before = storeDigest(server);
      const failures: string[] = [];
      let sent = 0;
      const check = (what: string, answer: RawResponse) => {
        sent++;
        if (answer.status < 400 || answer.status >= 500)
          failures.push(`${what}: ${answer.status} ${answer.body.slice(0, 200)}`);
      };
      outer: for (const model of MODELS) {
        for (const [operation, inputShape] of Object.entries(model.operations)) {
          const shape = inputShape
            ? (model.shapes[inputShape] as Extract<ModelShape, { type: 'structure' }>)
            : undefined;
          const base = inputShape ? (plausible(model, inputShape) as Record<string, unknown>) : {};
          for (const [member, memberShape] of Object.entries(shape?.members ?? {})) {
            for (const mutation of mutations(model, member, memberShape, `${MARK}${sent}`)) {
              if (sent >= MAX_REQUESTS || Date.now() - started > MAX_MS) break outer;
              const what = `${model.service}.${operation}.${member} (${mutation.label})`;
              let body: Buffer;
              let target: string | undefined;
              if (model.protocol === 'json') {
                target = `${model.targetPrefix}.${operation}`;
                body = mutation.raw ?? Buffer.from(JSON.stringify({ ...base, [member]: mutation.json }));
              } else {
                const rest = Object.entries(base)
                  .filter(([k, v]) => k !== member && typeof v !== 'object')
                  .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`);
                body = Buffer.from(
                  [`Action=${operation}`, `Version=${model.apiVersion}`, ...rest, mutation.form!].join('&'),
                );
              }
              const signedHeaders: Record<string, string> = target
                ? { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target }
                : { 'content-type': 'application/x-www-form-urlencoded' };
              check(`${what}, unauthenticated`, await rawRequest(server.endpoint, { headers: signedHeaders, body }));
              check(
                `${what}, narrow user`,
                await signedRequest(server.endpoint, narrow, {
                  service: model.service,
                  ...(target ? { target } : {}),
                  body,
                }),
              );
            }
          }
        }
      }
      assert.deepEqual(failures, []);
      assert.ok(sent > 2000, `${sent} requests sent`);
      assert.equal(storeDigest(server), before, 'the store is unchanged');
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.doesNotMatch(server.output(), new RegExp(MARK));
      assert.doesNotMatch(server.output(), /internal_fault/);
    },
  );
});
