/**
 * Parameter policies enforced (Expiration, ExpirationNotification, NoChangeNotification) and
 * `aws:ec2:image` values validated after PutParameter, on every storage backend: the engines'
 * clock is moved, the PolicyScheduler ticked, and the parameter, its PolicyStatus, the audit
 * trail, the change log and a webhook are checked. Two schedulers over one store run an action once.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { openCoffer, type Coffer } from '../../../src/bootstrap/open-coffer.js';
import { PolicyActions } from '../../../src/engine/ssm/policy-actions.js';
import { PolicyNotifier } from '../../../src/engine/ssm/policy-notifier.js';
import { PolicyScheduler } from '../../../src/engine/ssm/policy-scheduler.js';
import type { StorageWriter } from '../../../src/storage/storage.js';
import { expectError } from '../../helpers/expect-error.js';
import { BACKENDS, ctx, freshCoffer, rawSql, type TestLocation } from '../../helpers/test-stores.js';
import { until } from '../../helpers/until.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

function expiration(at: number) {
  return { Type: 'Expiration', Version: '1.0', Attributes: { Timestamp: iso(at) } };
}

for (const backend of BACKENDS) {
  describe(`parameter policies and AMI validation: ${backend}`, () => {
    let coffer: Coffer;
    let location: TestLocation;
    let done: () => Promise<void>;
    let webhook: Server;
    const posts: { text: string; parameterPolicy: Record<string, string> }[] = [];

    before(async () => {
      webhook = createServer((req, res) => {
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString()));
        req.on('end', () => {
          posts.push(JSON.parse(body) as (typeof posts)[number]);
          res.end();
        });
      });
      await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
      const address = webhook.address() as { port: number };
      ({ coffer, location, done } = await freshCoffer(backend, {
        COFFER_POLICY_WEBHOOK: `http://127.0.0.1:${address.port}/hook`,
      }));
    });
    after(async () => {
      await done();
      await new Promise((resolve) => webhook.close(resolve));
    });

    const put = (name: string, policies?: unknown[], extra: Record<string, unknown> = {}) =>
      coffer.parameters.putParameter(ctx, {
        Name: name,
        Value: 'v',
        Type: 'String',
        Tier: 'Advanced',
        ...(policies ? { Policies: JSON.stringify(policies) } : {}),
        ...extra,
      });
    const statuses = async (name: string) =>
      (
        await coffer.parameters.describeParameters(ctx, { ParameterFilters: [{ Key: 'Name', Values: [name] }] })
      ).Parameters![0]!.Policies!.map((p) => [p.PolicyType, p.PolicyStatus]);
    const events = async (eventName: string, name: string) =>
      (await coffer.audit.lookup({ attribute: { name: 'EventName', value: eventName }, descending: false, limit: 50 }))
        .map((e) => e.record as { serviceEventDetails: Record<string, unknown>; errorCode?: string })
        .filter((r) => JSON.stringify(r).includes(`"${name}"`));
    const postsFor = (name: string) => posts.filter((p) => p.parameterPolicy.parameter === name);
    const tick = () => coffer.policyScheduler.tick();

    it("refuses malformed policies with AWS's errors, and accepts an empty policy as none", async () => {
      const at = coffer.clock.now() + DAY;
      await expectError(put('/pol/bad-type', [{ Type: 'Nope' }]), 'InvalidPolicyTypeException');
      await expectError(
        put('/pol/bad-time', [{ Type: 'Expiration', Version: '1.0', Attributes: { Timestamp: 'tomorrow' } }]),
        'InvalidPolicyAttributeException',
      );
      await expectError(
        put('/pol/bad-unit', [
          { Type: 'NoChangeNotification', Version: '1.0', Attributes: { After: '2', Unit: 'Weeks' } },
        ]),
        'InvalidPolicyAttributeException',
      );
      await expectError(
        put(
          '/pol/too-many',
          Array.from({ length: 11 }, () => expiration(at)),
        ),
        'PoliciesLimitExceededException',
        'You specified more than the maximum number of allowed policies for the parameter. The maximum is 10.',
      );
      await expectError(put('/pol/two', [expiration(at), expiration(at + 1)]), 'IncompatiblePolicyException');
      await expectError(put('/pol/standard', [expiration(at)], { Tier: 'Standard' }), 'IncompatiblePolicyException');
      // An offset is at most 18 hours, its minutes and seconds below 60 (java.time's ZoneOffset).
      for (const offset of ['+99:99', '+19:00', '-05:75', '+18:00:01'])
        await expectError(
          put('/pol/bad-offset', [
            { Type: 'Expiration', Version: '1.0', Attributes: { Timestamp: `2099-01-01T00:00:00${offset}` } },
          ]),
          'InvalidPolicyAttributeException',
        );
      await put('/pol/far-offset', [
        { Type: 'Expiration', Version: '1.0', Attributes: { Timestamp: '2099-01-01T00:00:00-18:00' } },
      ]);
      // ISO_OFFSET_DATE_TIME, as the user guide shows it.
      await put('/pol/offset', [
        { Type: 'Expiration', Version: '1.0', Attributes: { Timestamp: '2099-11-01T22:13:48.87+10:30' } },
      ]);
      await put('/pol/empty', [{}], { Tier: 'Standard' });
      assert.deepEqual(await statuses('/pol/empty'), []);
    });

    it("deletes the parameter at its Expiration: history gone, change noted, audited as Coffer's own", async () => {
      await put('/pol/exp', [expiration(coffer.clock.now() + HOUR)]);
      await put('/pol/exp', undefined, { Value: 'v2', Overwrite: true });
      assert.deepEqual(await statuses('/pol/exp'), [['Expiration', 'Pending']], 'policies kept by a new version');
      assert.equal(await tick(), 0);
      coffer.clock.advance(HOUR + 1000);
      await tick();
      await expectError(coffer.parameters.getParameter(ctx, { Name: '/pol/exp' }), 'ParameterNotFound');
      await expectError(coffer.parameters.getParameterHistory(ctx, { Name: '/pol/exp' }), 'ParameterNotFound');
      assert.deepEqual(await coffer.storage.listPolicyActions(ctx, '/pol/exp'), []);
      const changes = (await coffer.storage.listChanges(0, 1000)).filter((c) => c.name === '/pol/exp');
      assert.deepEqual(changes.at(-1)?.operation, 'ExpireParameter');
      const [event] = await events('ParameterStorePolicyAction', '/pol/exp');
      assert.deepEqual(event!.serviceEventDetails, {
        'parameter-name': '/pol/exp',
        'parameter-type': 'String',
        'parameter-version': 2,
        'policy-type': 'Expiration',
        'action-status': 'Finished',
        'action-reason': event!.serviceEventDetails['action-reason'],
      });
      assert.equal((event as unknown as { userIdentity: { type: string } }).userIdentity.type, 'AWSService');
      await until('the webhook for /pol/exp', async () => postsFor('/pol/exp').length === 1 || undefined);
      assert.equal(postsFor('/pol/exp')[0]!.parameterPolicy.kind, 'Expiration');
    });

    it('sends an ExpirationNotification Before N Days, once, and keeps it Finished across new versions', async () => {
      const at = coffer.clock.now() + 10 * DAY;
      const notice = { Type: 'ExpirationNotification', Version: '1.0', Attributes: { Before: '2', Unit: 'Days' } };
      await put('/pol/notice', [expiration(at), notice]);
      coffer.clock.advance(7 * DAY);
      await tick();
      assert.deepEqual(await statuses('/pol/notice'), [
        ['Expiration', 'Pending'],
        ['ExpirationNotification', 'Pending'],
      ]);
      coffer.clock.advance(DAY + 1000);
      await tick();
      assert.deepEqual(await statuses('/pol/notice'), [
        ['Expiration', 'Pending'],
        ['ExpirationNotification', 'Finished'],
      ]);
      await put('/pol/notice', undefined, { Value: 'v2', Overwrite: true });
      await tick();
      assert.deepEqual((await statuses('/pol/notice'))[1], ['ExpirationNotification', 'Finished']);
      const sent = await events('ParameterStorePolicyAction', '/pol/notice');
      assert.deepEqual(
        sent.map((e) => e.serviceEventDetails['policy-type']),
        ['ExpirationNotification'],
      );
      await until('the webhook for /pol/notice', async () => postsFor('/pol/notice').length === 1 || undefined);
      assert.match(postsFor('/pol/notice')[0]!.text, /\/pol\/notice/);
      assert.ok(!JSON.stringify(posts).includes('v2'), 'no value in a notification');
    });

    it('sends a NoChangeNotification After N Hours without a new version; a new version resets it', async () => {
      const policy = { Type: 'NoChangeNotification', Version: '1.0', Attributes: { After: '1', Unit: 'Hours' } };
      await put('/pol/stale', [policy]);
      coffer.clock.advance(HOUR / 2);
      await put('/pol/stale', undefined, { Value: 'v2', Overwrite: true });
      coffer.clock.advance((3 * HOUR) / 4);
      await tick();
      assert.deepEqual(await statuses('/pol/stale'), [['NoChangeNotification', 'Pending']]);
      coffer.clock.advance(HOUR / 3);
      await tick();
      assert.deepEqual(await statuses('/pol/stale'), [['NoChangeNotification', 'Finished']]);
      assert.equal((await events('ParameterStorePolicyAction', '/pol/stale')).length, 1);
    });

    it('replaces policies with new ones, and removes them with an empty policy', async () => {
      await put('/pol/replace', [expiration(coffer.clock.now() + HOUR)]);
      const stale = { Type: 'NoChangeNotification', Version: '1.0', Attributes: { After: '30', Unit: 'Days' } };
      await put('/pol/replace', [stale], { Overwrite: true });
      assert.deepEqual(await statuses('/pol/replace'), [['NoChangeNotification', 'Pending']]);
      await put('/pol/replace', [{}], { Overwrite: true });
      assert.deepEqual(await statuses('/pol/replace'), []);
      assert.deepEqual(await coffer.storage.listPolicyActions(ctx, '/pol/replace'), []);
      coffer.clock.advance(2 * HOUR);
      await tick();
      assert.equal((await coffer.parameters.getParameter(ctx, { Name: '/pol/replace' })).Parameter!.Version, 3);
    });

    it('never acts early on a due time forged in the store: the sealed version decides', async () => {
      await put('/pol/forged', [expiration(coffer.clock.now() + 30 * DAY)]);
      await rawSql(location, `UPDATE ssm_policy_actions SET due = 0 WHERE name = '/pol/forged'`);
      await tick();
      assert.equal((await coffer.parameters.getParameter(ctx, { Name: '/pol/forged' })).Parameter!.Version, 1);
      const [action] = await coffer.storage.listPolicyActions(ctx, '/pol/forged');
      assert.deepEqual([action!.status, action!.due! > coffer.clock.now()], ['Pending', true]);
    });

    it('retries an action that fails, five minutes apart, and marks it Failed after three attempts', async () => {
      const policy = { Type: 'NoChangeNotification', Version: '1.0', Attributes: { After: '1', Unit: 'Hours' } };
      await put('/pol/broken', [policy]);
      // A version changed behind Coffer's back cannot be read: the action fails rather than act on it.
      await rawSql(location, `UPDATE ssm_parameter_versions SET description = 'x' WHERE name = '/pol/broken'`);
      coffer.clock.advance(HOUR + 1000);
      const attempts = async () =>
        (await coffer.storage.listPolicyActions(ctx, '/pol/broken')).map((a) => [a.status, a.attempts]);
      await tick();
      assert.deepEqual(await attempts(), [['Pending', 1]]);
      await tick();
      assert.deepEqual(await attempts(), [['Pending', 1]], 'not again before five minutes');
      for (const _ of [2, 3]) {
        coffer.clock.advance(5 * 60_000 + 1000);
        await tick();
      }
      assert.deepEqual(await attempts(), [['Failed', 3]]);
      assert.equal((await events('ParameterStorePolicyAction', '/pol/broken')).length, 0);
      for (const table of ['ssm_parameter_versions', 'ssm_parameters', 'ssm_policy_actions'])
        await rawSql(location, `DELETE FROM ${table} WHERE name = '/pol/broken'`);
    });

    it('logs why an action failed (a tampered version: its table and key), never a value', async () => {
      const lines: string[] = [];
      const actions = new PolicyActions(
        coffer.storage,
        coffer.clock,
        coffer.audit,
        new PolicyNotifier(undefined, (l) => lines.push(l)),
      );
      const policy = { Type: 'NoChangeNotification', Version: '1.0', Attributes: { After: '1', Unit: 'Hours' } };
      await put('/pol/tampered', [policy], { Value: 'do-not-log-this-value' });
      await rawSql(location, `UPDATE ssm_parameter_versions SET description = 'x' WHERE name = '/pol/tampered'`);
      coffer.clock.advance(HOUR + 1000);
      const now = coffer.clock.now();
      assert.ok(
        await coffer.storage.transaction((tx) =>
          tx.leasePolicyAction(ctx, '/pol/tampered', 0, 'node-t', now, now + HOUR),
        ),
      );
      const [row] = await coffer.storage.listPolicyActions(ctx, '/pol/tampered');
      await actions.run(row!, 'node-t');
      assert.equal(lines.length, 1, lines.join('\n'));
      const line = JSON.parse(lines[0]!) as Record<string, string>;
      assert.deepEqual(
        [line.event, line.parameter, line.error, line.code, line.table],
        ['parameter-policy-fault', '/pol/tampered', 'TamperedRowError', 'TAMPERED_ROW', 'ssm_parameter_versions'],
      );
      assert.ok(!lines[0]!.includes('do-not-log-this-value') && !lines[0]!.includes('outside Coffer'));
      for (const table of ['ssm_parameter_versions', 'ssm_parameters', 'ssm_policy_actions'])
        await rawSql(location, `DELETE FROM ${table} WHERE name = '/pol/tampered'`);
    });

    it('runs a due action on exactly one of two nodes sharing the store', async () => {
      const notifier = new PolicyNotifier(undefined, () => {});
      const nodes = [0, 1].map(
        () =>
          new PolicyScheduler(
            coffer.storage,
            new PolicyActions(coffer.storage, coffer.clock, coffer.audit, notifier),
            coffer.clock,
          ),
      );
      const policy = { Type: 'NoChangeNotification', Version: '1.0', Attributes: { After: '1', Unit: 'Hours' } };
      await put('/pol/two-nodes', [policy]);
      coffer.clock.advance(HOUR + 1000);
      const ran = await Promise.all(nodes.map((n) => n.tick()));
      assert.equal(
        ran.reduce((a, b) => a + b, 0),
        1,
        `ran ${ran}`,
      );
      assert.equal((await events('ParameterStorePolicyAction', '/pol/two-nodes')).length, 1);
      assert.deepEqual(await statuses('/pol/two-nodes'), [['NoChangeNotification', 'Finished']]);
    });

    it('acts once when another node takes over an expired lease while the first is acting', async () => {
      const notifier = new PolicyNotifier(undefined, () => {});
      const policy = { Type: 'NoChangeNotification', Version: '1.0', Attributes: { After: '1', Unit: 'Hours' } };
      await put('/pol/taken-over', [policy]);
      coffer.clock.advance(HOUR + 1000);
      const now = coffer.clock.now();
      const leased = await coffer.storage.transaction((tx) =>
        tx.leasePolicyAction(ctx, '/pol/taken-over', 0, 'node-a', now, now + 1),
      );
      assert.ok(leased);
      // Node B (its clock past A's lease) takes the action over just after node A has read it:
      // on PostgreSQL nothing orders B's lease against A's transaction but the row itself.
      let takenOver = false;
      const interleaved = new Proxy(coffer.storage, {
        get(target, property, receiver) {
          if (property !== 'transaction') return Reflect.get(target, property, receiver);
          return <T>(work: (tx: StorageWriter) => Promise<T>) =>
            target.transaction((tx) =>
              work(
                new Proxy(tx, {
                  get(inner, key) {
                    const value = Reflect.get(inner, key) as unknown;
                    if (key !== 'listPolicyActions' || takenOver)
                      return typeof value === 'function' ? value.bind(inner) : value;
                    return async (...args: Parameters<StorageWriter['listPolicyActions']>) => {
                      const rows = await inner.listPolicyActions(...args);
                      takenOver = true;
                      assert.ok(await inner.leasePolicyAction(ctx, '/pol/taken-over', 0, 'node-b', now + 2, now + 9));
                      return rows;
                    };
                  },
                }),
              ),
            );
        },
      });
      const [row] = await coffer.storage.listPolicyActions(ctx, '/pol/taken-over');
      await new PolicyActions(interleaved, coffer.clock, coffer.audit, notifier).run(row!, 'node-a');
      assert.ok(takenOver);
      const [mine] = await coffer.storage.listPolicyActions(ctx, '/pol/taken-over');
      await new PolicyActions(coffer.storage, coffer.clock, coffer.audit, notifier).run(mine!, 'node-b');
      assert.equal((await events('ParameterStorePolicyAction', '/pol/taken-over')).length, 1, 'one notice, not two');
      assert.deepEqual(await statuses('/pol/taken-over'), [['NoChangeNotification', 'Finished']]);
    });

    it('accepts an aws:ec2:image value that is no AMI id, then creates or updates nothing and reports it', async () => {
      const image = { Type: 'String' as const, DataType: 'aws:ec2:image', Tier: 'Standard' as const };
      assert.deepEqual(await put('/pol/ami', undefined, { ...image, Value: 'not-an-ami' }), {
        Version: 1,
        Tier: 'Standard',
      });
      await expectError(coffer.parameters.getParameter(ctx, { Name: '/pol/ami' }), 'ParameterNotFound');
      await put('/pol/ami', undefined, { ...image, Value: 'ami-0123456789abcdef0' });
      assert.deepEqual(await put('/pol/ami', undefined, { Value: 'ami-XYZ', Overwrite: true, Tier: 'Standard' }), {
        Version: 2,
        Tier: 'Standard',
      });
      const kept = (await coffer.parameters.getParameter(ctx, { Name: '/pol/ami' })).Parameter!;
      assert.deepEqual([kept.Version, kept.Value, kept.DataType], [1, 'ami-0123456789abcdef0', 'aws:ec2:image']);
      const failures = await events('ParameterStoreChange', '/pol/ami');
      assert.deepEqual(
        failures.map((e) => [e.errorCode, e.serviceEventDetails.operation]),
        [
          ['ValidationException', 'Create'],
          ['ValidationException', 'Update'],
        ],
      );
      assert.ok(!JSON.stringify(failures).includes('not-an-ami'), 'no value in the audit trail');
      await until('the webhook for /pol/ami', async () => postsFor('/pol/ami').length === 2 || undefined);
      assert.deepEqual(
        postsFor('/pol/ami').map((p) => [p.parameterPolicy.kind, p.parameterPolicy.status]),
        [
          ['ImageValidation', 'Failed'],
          ['ImageValidation', 'Failed'],
        ],
      );
    });
  });
}

for (const backend of BACKENDS) {
  describe(`parameter policies stored before they were enforced: ${backend}`, () => {
    it('are planned by the upgrade and timed from the sealed version at the first look', async () => {
      const first = await freshCoffer(backend);
      const now = first.coffer.clock.now();
      const policy = (at: number) => JSON.stringify([expiration(at)]);
      for (const [name, at] of [
        ['/up/later', now + HOUR],
        ['/up/past', now - HOUR],
      ] as const)
        await first.coffer.parameters.putParameter(ctx, {
          Name: name,
          Value: 'v',
          Type: 'String',
          Tier: 'Advanced',
          Policies: policy(at),
        });
      await first.coffer.close();
      // The store as an older Coffer left it: no planned actions, migration 10 not applied.
      await rawSql(
        first.location,
        'DROP TABLE ssm_policy_actions; DELETE FROM coffer_schema_migrations WHERE version = 10',
      );
      const coffer = await openCoffer(first.location.settings(), {});
      try {
        const [planned] = await coffer.storage.listPolicyActions(ctx, '/up/later');
        assert.deepEqual([planned!.policyType, planned!.due, planned!.status], ['Expiration', 0, 'Pending']);
        await coffer.policyScheduler.tick();
        await expectError(coffer.parameters.getParameter(ctx, { Name: '/up/past' }), 'ParameterNotFound');
        assert.equal((await coffer.parameters.getParameter(ctx, { Name: '/up/later' })).Parameter!.Version, 1);
        const [timed] = await coffer.storage.listPolicyActions(ctx, '/up/later');
        assert.deepEqual([timed!.due, timed!.status], [now + HOUR, 'Pending']);
      } finally {
        await coffer.close();
        await first.location.destroy();
      }
    });
  });
}
