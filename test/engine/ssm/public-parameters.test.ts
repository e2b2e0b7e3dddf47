/**
 * AWS's public parameters (`/aws/service/...`): served from the catalog of the request's region
 * through GetParameter, GetParameters and GetParametersByPath in AWS's shapes, never from (or
 * touching) the store, and not listed by DescribeParameters.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { brotliCompressSync } from 'node:zlib';
import type { ParameterStore } from '../../../src/engine/ssm/parameter-store.js';
import { ParameterStore as Engine } from '../../../src/engine/ssm/parameter-store.js';
import { PublicParameterCatalog, publicParameterCatalog } from '../../../src/engine/ssm/public-parameter-catalog.js';
import { SsmPermissions } from '../../../src/engine/ssm/ssm-permissions.js';
import { TokenSealer } from '../../../src/crypto/token-sealer.js';
import type { Storage } from '../../../src/storage/storage.js';
import type { RequestContext } from '../../../src/engine/request-context.js';
import { expectError } from '../../helpers/expect-error.js';
import { ctx, freshCoffer } from '../../helpers/test-stores.js';

const REGIONS = '/aws/service/global-infrastructure/regions';
const LONG_NAME = `${REGIONS}/us-east-1/longName`;
const AL2023 = '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64';
const inRegion = (region: string): RequestContext => ({ ...ctx, region });

/** A storage that fails any use: public reads must not reach it. */
const untouchable = new Proxy({} as Storage, {
  get: (_target, property) => {
    throw new Error(`the store was used: ${String(property)}`);
  },
});

/** Every page of a GetParametersByPath listing. */
async function allByPath(
  store: ParameterStore,
  request: { Path: string; Recursive?: boolean; MaxResults?: number },
  context = ctx,
) {
  const names: string[] = [];
  let NextToken: string | undefined;
  for (let page = 0; page < 10_000; page++) {
    const result = await store.getParametersByPath(context, { ...request, ...(NextToken ? { NextToken } : {}) });
    assert.ok(result.Parameters!.length <= (request.MaxResults ?? 10));
    names.push(...result.Parameters!.map((p) => p.Name!));
    NextToken = result.NextToken;
    if (!NextToken) return names;
  }
  assert.fail('the listing never ended');
}

describe('public parameters', () => {
  let store: ParameterStore;
  let detached: ParameterStore;
  let done: () => Promise<void>;
  before(async () => {
    const fresh = await freshCoffer('sqlite');
    store = fresh.coffer.parameters;
    done = fresh.done;
    // The same engine over a store that fails if used (keys and barrier are never needed either).
    const none = undefined as never;
    detached = new Engine(
      untouchable,
      none,
      none,
      new TokenSealer(fresh.coffer.keyring),
      none,
      new SsmPermissions(untouchable),
    );
  });
  after(() => done());

  it("GetParameter answers in AWS's shape: String, text, no account in the ARN, the request's region", async () => {
    const { Parameter } = await detached.getParameter(inRegion('eu-west-1'), { Name: LONG_NAME, WithDecryption: true });
    assert.ok(Parameter!.LastModifiedDate instanceof Date);
    assert.deepEqual(
      { ...Parameter, LastModifiedDate: undefined },
      {
        Name: LONG_NAME,
        Type: 'String',
        Value: 'US East (N. Virginia)',
        Version: 1,
        LastModifiedDate: undefined,
        ARN: `arn:aws:ssm:eu-west-1::parameter${LONG_NAME}`,
        DataType: 'text',
      },
    );
  });

  it("the request's region decides the AMI ids; a region without recorded AMIs has none", async () => {
    const east = (await detached.getParameter(ctx, { Name: AL2023 })).Parameter!;
    const north = (await detached.getParameter(inRegion('eu-north-1'), { Name: AL2023 })).Parameter!;
    assert.match(east.Value!, /^ami-[0-9a-f]+$/);
    assert.match(north.Value!, /^ami-[0-9a-f]+$/);
    assert.notEqual(east.Value, north.Value);
    assert.ok(east.Version! > 1);
    assert.equal(north.ARN, `arn:aws:ssm:eu-north-1::parameter${AL2023}`);
    await expectError(
      detached.getParameter(inRegion('ap-east-2'), { Name: AL2023 }),
      'ParameterNotFound',
      `Parameter ${AL2023} not found.`,
    );
    assert.equal(
      (await detached.getParameter(inRegion('ap-east-2'), { Name: LONG_NAME })).Parameter!.Value,
      'US East (N. Virginia)',
    );
  });

  it('a version selector names the current version only; labels select nothing', async () => {
    const current = (await detached.getParameter(ctx, { Name: AL2023 })).Parameter!;
    const selected = (await detached.getParameter(ctx, { Name: `${AL2023}:${current.Version}` })).Parameter!;
    assert.equal(selected.Value, current.Value);
    assert.equal(selected.Selector, `:${current.Version}`);
    await expectError(
      detached.getParameter(ctx, { Name: `${AL2023}:${current.Version! + 1}` }),
      'ParameterVersionNotFound',
      `Systems Manager could not find version ${current.Version! + 1} of ${AL2023}. Verify the version and try again.`,
    );
    await expectError(
      detached.getParameter(ctx, { Name: `${LONG_NAME}:prod` }),
      'ParameterNotFound',
      `Parameter ${LONG_NAME}:prod not found.`,
    );
  });

  it('an ARN names a public parameter without an account, in the request region only', async () => {
    const arn = `arn:aws:ssm:us-east-1::parameter${LONG_NAME}`;
    assert.equal((await detached.getParameter(ctx, { Name: arn })).Parameter!.Name, LONG_NAME);
    await expectError(
      detached.getParameter(ctx, { Name: `arn:aws:ssm:eu-west-1::parameter${LONG_NAME}` }),
      'ValidationException',
    );
    await expectError(
      detached.getParameter(ctx, { Name: `arn:aws:ssm:us-east-1:${ctx.account}:parameter${LONG_NAME}` }),
      'ValidationException',
    );
  });

  it('an absent public name is ParameterNotFound without a look in the store', async () => {
    await expectError(
      detached.getParameter(ctx, { Name: `${REGIONS}/us-east-1/noSuchAttribute` }),
      'ParameterNotFound',
    );
  });

  it('GetParameters of public names alone never reaches the store; mixed with own names it reads both', async () => {
    const missing = '/aws/service/ami-amazon-linux-latest/none';
    const alone = await detached.getParameters(ctx, { Names: [AL2023, LONG_NAME, missing] });
    assert.deepEqual(
      alone.Parameters!.map((p) => p.Name),
      [AL2023, LONG_NAME],
    );
    assert.deepEqual(alone.InvalidParameters, [missing]);
    await store.putParameter(ctx, { Name: '/own/value', Value: 'mine', Type: 'String' });
    const mixed = await store.getParameters(ctx, { Names: ['/own/value', LONG_NAME] });
    assert.deepEqual(
      mixed.Parameters!.map((p) => [p.Name, p.Value]),
      [
        [LONG_NAME, 'US East (N. Virginia)'],
        ['/own/value', 'mine'],
      ],
    );
  });

  it('GetParametersByPath pages one level (or, with Recursive, every level) in name order', async () => {
    const regions = await allByPath(detached, { Path: REGIONS, MaxResults: 3 });
    assert.ok(regions.includes(`${REGIONS}/us-east-1`) && regions.includes(`${REGIONS}/eu-west-1`));
    assert.deepEqual(regions, [...new Set(regions)].sort());
    assert.ok(regions.every((name) => name.lastIndexOf('/') === REGIONS.length));
    const usEast = await allByPath(detached, { Path: `${REGIONS}/us-east-1/` });
    assert.ok(usEast.includes(LONG_NAME) && !usEast.some((n) => n.includes('/services/')));
    const deep = await allByPath(detached, { Path: `${REGIONS}/us-east-1/services/s3`, Recursive: true });
    assert.ok(deep.includes(`${REGIONS}/us-east-1/services/s3/endpoint`));
    assert.deepEqual(await allByPath(detached, { Path: '/aws/service/global-infrastructure' }), []);
  });

  it('a NextToken serves only the listing that made it', async () => {
    const first = await detached.getParametersByPath(ctx, { Path: REGIONS, MaxResults: 2 });
    assert.ok(first.NextToken);
    await expectError(
      detached.getParametersByPath(ctx, { Path: REGIONS, Recursive: true, MaxResults: 2, NextToken: first.NextToken }),
      'InvalidNextToken',
    );
    await expectError(
      detached.getParametersByPath(inRegion('eu-west-1'), { Path: REGIONS, MaxResults: 2, NextToken: first.NextToken }),
      'InvalidNextToken',
    );
  });

  it('ParameterFilters apply as to any parameter: Type matches String, KeyId and Label match nothing', async () => {
    const filtered = (ParameterFilters: { Key: string; Values: string[]; Option?: string }[]) =>
      detached.getParametersByPath(ctx, { Path: REGIONS, ParameterFilters });
    assert.equal((await filtered([{ Key: 'Type', Values: ['String'] }])).Parameters!.length, 10);
    assert.deepEqual((await filtered([{ Key: 'Type', Values: ['SecureString'] }])).Parameters, []);
    assert.deepEqual((await filtered([{ Key: 'KeyId', Values: ['alias/aws/ssm'] }])).Parameters, []);
    assert.deepEqual((await filtered([{ Key: 'Label', Values: ['prod'] }])).Parameters, []);
    await expectError(filtered([{ Key: 'Name', Values: ['x'] }]), 'InvalidFilterKey');
  });

  it('a filter that matches nothing examines a bounded number of names a page, as the store does', async () => {
    let examined = 0;
    const page = publicParameterCatalog().list('us-east-1', '/aws/service', true, undefined, 10, () => {
      examined++;
      return false;
    });
    assert.deepEqual(page.parameters, []);
    assert.ok(examined <= 2000, `examined ${examined} names`);
    assert.ok(page.next, 'more may follow');
    // Paged through to the end, the listing is empty and ends.
    const request = {
      Path: '/aws/service/global-infrastructure/regions',
      Recursive: true,
      ParameterFilters: [{ Key: 'Type', Values: ['SecureString'] }],
    };
    let NextToken: string | undefined;
    let pages = 0;
    do {
      const result = await detached.getParametersByPath(ctx, { ...request, ...(NextToken ? { NextToken } : {}) });
      assert.deepEqual(result.Parameters, []);
      NextToken = result.NextToken;
      pages++;
    } while (NextToken && pages < 1000);
    assert.equal(NextToken, undefined);
  });

  it('DescribeParameters lists only the account’s own parameters', async () => {
    await store.getParameter(ctx, { Name: LONG_NAME });
    const described = await store.describeParameters(ctx, {});
    assert.ok(described.Parameters!.length > 0);
    assert.ok(described.Parameters!.every((p) => !p.Name!.startsWith('/aws/')));
  });

  it('a permission on a public parameter names it without an account and reads no tags from the store', async () => {
    const permission = new SsmPermissions(untouchable).onParameter(ctx, 'ssm:GetParameter', `${AL2023}:3`);
    assert.equal(permission.resource, `arn:aws:ssm:us-east-1::parameter${AL2023}`);
    assert.deepEqual(await permission.resourceTags!(), {});
  });
});

describe('the public parameter catalog', () => {
  const catalog = PublicParameterCatalog.decode([
    brotliCompressSync(
      JSON.stringify({
        snapshotDate: 1_700_000_000_000,
        tree: {
          regions: {
            a: { Value: 'a', x: { Value: 'ax' }, y: { z: { Value: 'ayz' } } },
            'a-b': { Value: 'a-b' },
            b: { Value: 'b' },
          },
        },
        amis: { 'r-1': { img: ['ami-1', 7, 1_600_000_000_000, 'text'] } },
      }),
    ).toString('base64'),
  ]);
  const names = (path: string, recursive: boolean, limit = 10, after?: string) =>
    catalog.list('r-1', path, recursive, after, limit, () => true);

  it('lists children in name order, skipping every deeper name, even past siblings that sort between', () => {
    assert.deepEqual(
      names(REGIONS, false).parameters.map((p) => p.value),
      ['a', 'a-b', 'b'],
    );
    assert.deepEqual(
      names(`${REGIONS}/a`, false).parameters.map((p) => p.value),
      ['ax'],
    );
    assert.deepEqual(
      names(REGIONS, true).parameters.map((p) => p.value),
      ['a', 'a-b', 'ax', 'ayz', 'b'],
    );
  });

  it('pages after a name, with a next name only while more may follow', () => {
    const first = names(REGIONS, false, 2);
    assert.deepEqual([first.parameters.map((p) => p.value), first.next], [['a', 'a-b'], `${REGIONS}/a-b`]);
    const second = names(REGIONS, false, 2, first.next);
    assert.deepEqual([second.parameters.map((p) => p.value), second.next], [['b'], undefined]);
  });

  it('keeps recorded versions and dates for AMIs, version 1 of the snapshot date for the rest', () => {
    assert.deepEqual(catalog.get('r-1', '/aws/service/ami-amazon-linux-latest/img'), {
      name: '/aws/service/ami-amazon-linux-latest/img',
      value: 'ami-1',
      version: 7,
      lastModifiedDate: 1_600_000_000_000,
      dataType: 'text',
    });
    assert.equal(catalog.get('r-2', '/aws/service/ami-amazon-linux-latest/img'), undefined);
    assert.deepEqual(catalog.get('r-2', `${REGIONS}/b`), {
      name: `${REGIONS}/b`,
      value: 'b',
      version: 1,
      lastModifiedDate: 1_700_000_000_000,
      dataType: 'text',
    });
  });
});
