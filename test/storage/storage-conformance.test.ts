/**
 * The storage conformance suite: one set of expectations, run against every backend.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LATEST_SCHEMA_VERSION } from '../../src/storage/migrations.js';
import { openStorage } from '../../src/storage/open-storage.js';
import { testRowAuthenticator } from '../helpers/row-authenticator.js';
import { RowIntegrity, TamperedRowError } from '../../src/storage/row-integrity.js';
import { sealExistingRows } from '../../src/storage/row-upgrades.js';
import { NestedTransactionError } from '../../src/storage/transaction-scope.js';
import { postgresExecutor, sqliteExecutor } from '../helpers/raw-executors.js';
import type { ParameterVersionRow, Scope, Storage } from '../../src/storage/storage.js';
import { BACKENDS, rawSql, testLocation, type TestLocation } from '../helpers/test-stores.js';

const scope: Scope = { account: '111111111111', region: 'eu-west-1' };
const otherRegion: Scope = { account: '111111111111', region: 'us-east-1' };

function row(name: string, version: number, extra: Partial<ParameterVersionRow> = {}): ParameterVersionRow {
  return {
    name, version, type: 'String', keyId: null, tier: 'Standard', dataType: 'text', description: null,
    allowedPattern: null, policies: null, value: Buffer.from(`sealed-${name}-${version}`), lastModifiedDate: 1_700_000_000_000 + version,
    lastModifiedUser: 'arn:aws:iam::111111111111:root', ...extra,
  };
}

async function put(storage: Storage, s: Scope, r: ParameterVersionRow): Promise<void> {
  await storage.transaction(async (tx) => {
    await tx.insertVersion(s, r);
    await tx.setLatestVersion(s, r.name, r.version);
  });
}

for (const backend of BACKENDS) {
  describe(`storage conformance: ${backend}`, () => {
    let location: TestLocation;
    let storage: Storage;

    before(async () => {
      location = testLocation(backend);
      storage = await openStorage(location.settings());
      storage.useIntegrity(testRowAuthenticator());
    });
    after(async () => {
      await storage.close();
      await location.destroy();
    });

    it('reports schema version 0 before migrating and the latest after; migrating twice is harmless', async () => {
      assert.equal(await storage.schemaVersion(), 0);
      await storage.migrate();
      await storage.migrate();
      assert.equal(await storage.schemaVersion(), LATEST_SCHEMA_VERSION);
    });

    it('stores meta values, inserting only when absent with insertMeta', async () => {
      await storage.transaction(async (tx) => {
        assert.equal(await tx.insertMeta('k', Buffer.from('one')), true);
        assert.equal(await tx.insertMeta('k', Buffer.from('two')), false);
      });
      assert.equal((await storage.getMeta('k'))!.toString(), 'one');
      await storage.transaction((tx) => tx.putMeta('k', Buffer.from('three')));
      assert.equal((await storage.getMeta('k'))!.toString(), 'three');
      assert.equal(await storage.getMeta('absent'), undefined);
    });

    it('keeps versions and returns the latest through the head', async () => {
      await put(storage, scope, row('/app/a', 1));
      await put(storage, scope, row('/app/a', 2, { type: 'SecureString', keyId: 'alias/aws/ssm', description: 'd' }));
      const latest = await storage.getLatestVersion(scope, '/app/a');
      assert.equal(latest!.version, 2);
      assert.equal(latest!.keyId, 'alias/aws/ssm');
      assert.equal(latest!.description, 'd');
      assert.equal(typeof latest!.lastModifiedDate, 'number');
      assert.ok(Buffer.isBuffer(latest!.value));
      assert.equal((await storage.getVersion(scope, '/app/a', 1))!.value.toString(), 'sealed-/app/a-1');
      assert.equal(await storage.countVersions(scope, '/app/a'), 2);
      assert.deepEqual((await storage.listVersions(scope, '/app/a', 0, 10)).map((r) => r.version), [1, 2]);
      assert.deepEqual((await storage.listVersions(scope, '/app/a', 1, 10)).map((r) => r.version), [2]);
    });

    it('namespaces rows by account and region', async () => {
      assert.equal(await storage.getLatestVersion(otherRegion, '/app/a'), undefined);
      await put(storage, otherRegion, row('/app/a', 1));
      assert.equal((await storage.getLatestVersion(scope, '/app/a'))!.version, 2);
    });

    it('lists latest versions in byte order of name, by prefix, after a cursor, with a limit', async () => {
      for (const name of ['/app/B', '/app/b', '/app/a/x', '/apple', '/app/c']) await put(storage, scope, row(name, 1));
      const all = await storage.listLatest(scope, { prefix: '/app/', limit: 100 });
      assert.deepEqual(all.map((r) => r.name), ['/app/B', '/app/a', '/app/a/x', '/app/b', '/app/c']);
      const page = await storage.listLatest(scope, { prefix: '/app/', after: '/app/a', limit: 2 });
      assert.deepEqual(page.map((r) => r.name), ['/app/a/x', '/app/b']);
      assert.equal((await storage.listLatest(scope, { limit: 100 })).length, 6);
    });

    it('moves a label between versions and deletes it', async () => {
      await storage.transaction(async (tx) => {
        await tx.putLabel(scope, '/app/a', 'prod', 1);
        await tx.putLabel(scope, '/app/a', 'prod', 2);
        await tx.putLabel(scope, '/app/a', 'beta', 1);
      });
      assert.deepEqual(await storage.listLabels(scope, '/app/a'), [{ label: 'beta', version: 1 }, { label: 'prod', version: 2 }]);
      await storage.transaction((tx) => tx.deleteLabel(scope, '/app/a', 'beta'));
      assert.deepEqual(await storage.listLabels(scope, '/app/a'), [{ label: 'prod', version: 2 }]);
    });

    it('upserts, lists and deletes tags', async () => {
      await storage.transaction(async (tx) => {
        await tx.putTag(scope, 'Parameter', { resourceId: '/app/a', key: 'env', value: 'dev' });
        await tx.putTag(scope, 'Parameter', { resourceId: '/app/a', key: 'env', value: 'prod' });
        await tx.putTag(scope, 'Parameter', { resourceId: '/app/b', key: 'team', value: 'x' });
      });
      assert.deepEqual(await storage.listTags(scope, 'Parameter', ['/app/a', '/app/b']), [
        { resourceId: '/app/a', key: 'env', value: 'prod' }, { resourceId: '/app/b', key: 'team', value: 'x' }]);
      await storage.transaction((tx) => tx.deleteTag(scope, 'Parameter', '/app/b', 'team'));
      assert.deepEqual(await storage.listTags(scope, 'Parameter', ['/app/b']), []);
      assert.deepEqual(await storage.listTags(scope, 'Parameter', []), []);
    });

    it('deletes a parameter with its versions, labels and tags', async () => {
      assert.equal(await storage.transaction((tx) => tx.deleteParameter(scope, '/app/a')), true);
      assert.equal(await storage.getLatestVersion(scope, '/app/a'), undefined);
      assert.equal(await storage.countVersions(scope, '/app/a'), 0);
      assert.deepEqual(await storage.listLabels(scope, '/app/a'), []);
      assert.deepEqual(await storage.listTags(scope, 'Parameter', ['/app/a']), []);
      assert.equal(await storage.transaction((tx) => tx.deleteParameter(scope, '/app/a')), false);
      assert.equal((await storage.getLatestVersion(otherRegion, '/app/a'))!.version, 1);
    });

    it('deletes a single version', async () => {
      await put(storage, scope, row('/v/x', 1));
      await put(storage, scope, row('/v/x', 2));
      await storage.transaction((tx) => tx.deleteVersion(scope, '/v/x', 1));
      assert.deepEqual((await storage.listVersions(scope, '/v/x', 0, 10)).map((r) => r.version), [2]);
    });

    it('rolls back every write of a failed transaction', async () => {
      await assert.rejects(storage.transaction(async (tx) => {
        await tx.insertVersion(scope, row('/rollback', 1));
        await tx.setLatestVersion(scope, '/rollback', 1);
        await tx.putMeta('rollback', Buffer.from('x'));
        throw new Error('boom');
      }), /boom/);
      assert.equal(await storage.getLatestVersion(scope, '/rollback'), undefined);
      assert.equal(await storage.getMeta('rollback'), undefined);
    });

    it('commits concurrent transactions independently: one failing among many changes nothing of its own', async () => {
      const outcomes = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => storage.transaction(async (tx) => {
        await tx.putMeta(`group-${i}`, Buffer.from(String(i)));
        if (i === 5) throw new Error('the fifth fails');
        return i;
      })));
      assert.deepEqual(outcomes.map((o) => o.status), outcomes.map((_, i) => (i === 5 ? 'rejected' : 'fulfilled')));
      assert.deepEqual(outcomes.filter((o) => o.status === 'fulfilled').map((o) => (o as PromiseFulfilledResult<number>).value), [0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11]);
      assert.equal(await storage.getMeta('group-5'), undefined);
      assert.equal((await storage.getMeta('group-11'))!.toString(), '11');
    });

    it('refuses a duplicate version inside a transaction and keeps the earlier row', async () => {
      await assert.rejects(put(storage, scope, row('/v/x', 2, { value: Buffer.from('other') })));
      assert.equal((await storage.getVersion(scope, '/v/x', 2))!.value.toString(), 'sealed-/v/x-2');
    });

    it('serialises read-modify-write transactions that take the parameter lock', async () => {
      await storage.transaction((tx) => tx.putMeta('counter', Buffer.from('0')));
      await Promise.all(Array.from({ length: 20 }, () => storage.transaction(async (tx) => {
        await tx.lockParameter(scope, 'counter');
        const n = Number((await tx.getMeta('counter'))!.toString());
        await new Promise((resolve) => setImmediate(resolve));
        await tx.putMeta('counter', Buffer.from(String(n + 1)));
      })));
      assert.equal((await storage.getMeta('counter'))!.toString(), '20');
    });

    it('stores keys, wrapped material generations and aliases', async () => {
      await storage.transaction(async (tx) => {
        await tx.insertKey({ keyId: 'k1', ...scope, description: 'd', keyManager: 'CUSTOMER', createdAt: 5, currentMaterial: 1, enabled: true, attributes: null });
        await tx.setKeyAttributes('k1', '{"state":"Disabled"}');
        await tx.insertKeyMaterial({ keyId: 'k1', materialNo: 1, wrapped: Buffer.from('w1'), createdAt: 5 });
        await tx.insertKeyMaterial({ keyId: 'k1', materialNo: 2, wrapped: Buffer.from('w2'), createdAt: 6 });
        await tx.setKeyCurrentMaterial('k1', 2);
        await tx.updateKeyMaterial({ keyId: 'k1', materialNo: 1, wrapped: Buffer.from('w1b'), createdAt: 5 });
        assert.equal(await tx.insertAlias({ ...scope, aliasName: 'alias/a', keyId: 'k1' }), true);
        assert.equal(await tx.insertAlias({ ...scope, aliasName: 'alias/a', keyId: 'k2' }), false);
      });
      assert.deepEqual(await storage.listKeys(), [{ keyId: 'k1', ...scope, description: 'd', keyManager: 'CUSTOMER', createdAt: 5, currentMaterial: 2, enabled: true, attributes: '{"state":"Disabled"}' }]);
      assert.deepEqual((await storage.listKeyMaterials()).map((m) => [m.materialNo, m.wrapped.toString()]), [[1, 'w1b'], [2, 'w2']]);
      assert.deepEqual(await storage.listAliases(), [{ ...scope, aliasName: 'alias/a', keyId: 'k1' }]);
      assert.equal(await storage.transaction((tx) => tx.deleteAlias(scope.account, scope.region, 'alias/a')), true);
      assert.equal(await storage.transaction((tx) => tx.deleteAlias(scope.account, scope.region, 'alias/a')), false);
      assert.deepEqual(await storage.listAliases(), []);
    });

    it('stores secrets, sealed versions and staging labels, and deletes them together', async () => {
      const secret = { name: 'app/db', arn: 'arn:aws:secretsmanager:us-east-1:1:secret:app/db-AbCdEf', createdAt: 3, attributes: '{}', purgeAt: null };
      await storage.transaction(async (tx) => {
        await tx.putSecret(scope, secret);
        await tx.putSecret(scope, { ...secret, attributes: '{"description":"d"}' });
        await tx.insertSecretVersion(scope, 'app/db', { versionId: 'v1', createdAt: 4, kind: 'string', value: Buffer.from('sealed1'), fingerprint: 'f1' });
        await tx.insertSecretVersion(scope, 'app/db', { versionId: 'v2', createdAt: 5, kind: 'binary', value: Buffer.from('sealed2'), fingerprint: 'f2' });
        await tx.putSecretStage(scope, 'app/db', { stage: 'AWSCURRENT', versionId: 'v1' });
        await tx.putSecretStage(scope, 'app/db', { stage: 'AWSCURRENT', versionId: 'v2' });
        await tx.putSecretStage(scope, 'app/db', { stage: 'AWSPREVIOUS', versionId: 'v1' });
        await tx.putTag(scope, 'Secret', { resourceId: 'app/db', key: 'k', value: 'v' });
      });
      assert.deepEqual(await storage.getSecret(scope, 'app/db'), { ...secret, attributes: '{"description":"d"}' });
      assert.deepEqual((await storage.listSecrets(scope)).map((r) => r.name), ['app/db']);
      assert.deepEqual((await storage.listSecretVersions(scope, 'app/db')).map((v) => [v.versionId, v.kind, v.value.toString(), v.createdAt]),
        [['v1', 'string', 'sealed1', 4], ['v2', 'binary', 'sealed2', 5]]);
      assert.deepEqual(await storage.listSecretStages(scope, 'app/db'), [{ stage: 'AWSCURRENT', versionId: 'v2' }, { stage: 'AWSPREVIOUS', versionId: 'v1' }]);
      await storage.transaction(async (tx) => {
        await tx.deleteSecretStage(scope, 'app/db', 'AWSPREVIOUS');
        await tx.deleteSecretVersion(scope, 'app/db', 'v1');
      });
      assert.deepEqual((await storage.listSecretVersions(scope, 'app/db')).map((v) => v.versionId), ['v2']);
      await storage.transaction((tx) => tx.deleteSecret(scope, 'app/db'));
      assert.equal(await storage.getSecret(scope, 'app/db'), undefined);
      assert.deepEqual(await storage.listSecretVersions(scope, 'app/db'), []);
      assert.deepEqual(await storage.listSecretStages(scope, 'app/db'), []);
      assert.deepEqual(await storage.listTags(scope, 'Secret', ['app/db']), []);
    });

    it('stores rotation functions, schedules with one-winner leases, and runs', async () => {
      await storage.transaction(async (tx) => {
        await tx.putRotationFunction(scope, { name: 'f', kind: 'http', target: 'http://127.0.0.1:1/', options: '{}', keySealed: Buffer.from('k'), createdAt: 1 });
        await tx.putRotationSchedule({ ...scope, targetKind: 'secret', targetName: 'app/db', config: '{"a":1}', nextDue: 100 });
        await tx.putRotationSchedule({ ...scope, targetKind: 'parameter', targetName: '/p', config: '{}', nextDue: 500 });
      });
      assert.equal((await storage.getRotationFunction(scope, 'f'))!.target, 'http://127.0.0.1:1/');
      assert.deepEqual((await storage.listRotationFunctions(scope)).map((f) => f.name), ['f']);
      assert.deepEqual((await storage.listDueRotations(200, 10)).map((r) => r.targetName), ['app/db']);
      const leases = await Promise.all(['node-a', 'node-b', 'node-c'].map((owner) =>
        storage.transaction((tx) => tx.leaseRotation(scope, 'secret', 'app/db', owner, 200, 300))));
      assert.deepEqual(leases.filter(Boolean).length, 1, 'exactly one node gets the lease');
      assert.deepEqual(await storage.listDueRotations(250, 10), [], 'a leased schedule is not due for others');
      const owner = (await storage.getRotationSchedule(scope, 'secret', 'app/db'))!.leaseOwner!;
      assert.equal(await storage.transaction((tx) => tx.leaseRotation(scope, 'secret', 'app/db', owner, 250, 350)), false, 'not even the holder takes it twice');
      assert.equal(await storage.transaction((tx) => tx.leaseRotation(scope, 'secret', 'app/db', 'node-z', 301, 400)), true, 'an expired lease can be taken');
      await storage.transaction((tx) => tx.releaseRotation(scope, 'secret', 'app/db', owner, 999));
      assert.equal((await storage.getRotationSchedule(scope, 'secret', 'app/db'))!.leaseOwner, 'node-z', 'only the holder releases');
      await storage.transaction((tx) => tx.releaseRotation(scope, 'secret', 'app/db', 'node-z', 999));
      assert.deepEqual(await storage.getRotationSchedule(scope, 'secret', 'app/db'), { ...scope, targetKind: 'secret', targetName: 'app/db', config: '{"a":1}', nextDue: 999, leaseOwner: null, leaseUntil: null });
      const run = { runId: 'r1', ...scope, targetKind: 'secret' as const, targetName: 'app/db', token: 't', status: 'pending' as const, step: 'createSecret', error: null, attempts: 1, startedAt: 10, finishedAt: null };
      await storage.transaction(async (tx) => {
        await tx.putRotationRun(run);
        await tx.putRotationRun({ ...run, status: 'failed', step: 'testSecret', error: 'HTTP 500', finishedAt: 20 });
        await tx.putRotationRun({ ...run, runId: 'r2', startedAt: 30 });
      });
      assert.deepEqual((await storage.listRotationRuns(scope, { kind: 'secret', name: 'app/db' }, 10)).map((r) => [r.runId, r.status, r.step, r.finishedAt]),
        [['r2', 'pending', 'createSecret', null], ['r1', 'failed', 'testSecret', 20]]);
      await storage.transaction(async (tx) => {
        assert.equal(await tx.deleteRotationFunction(scope, 'f'), true);
        await tx.deleteRotationSchedule(scope, 'parameter', '/p');
      });
      assert.equal(await storage.getRotationSchedule(scope, 'parameter', '/p'), undefined);
    });

    it('stores IAM entities, documents and links, and access-key status', async () => {
      const user = { account: scope.account, kind: 'user' as const, name: 'ann', id: 'AIDA1', arn: 'arn:aws:iam::1:user/ann', path: '/', createdAt: 7, attributes: '{}' };
      await storage.transaction(async (tx) => {
        await tx.putIamEntity(user);
        await tx.putIamEntity({ ...user, attributes: '{"description":"x"}' });
        await tx.putIamEntity({ ...user, kind: 'group', name: 'devs', arn: 'arn:aws:iam::1:group/devs' });
        await tx.putIamDocument({ ownerArn: user.arn, docKind: 'inline', docName: 'p1', account: scope.account, document: '{}', createdAt: 8 });
        await tx.putIamDocument({ ownerArn: user.arn, docKind: 'inline', docName: 'p1', account: scope.account, document: '{"a":1}', createdAt: 9 });
        await tx.putIamLink({ link: 'member', fromArn: 'arn:aws:iam::1:group/devs', toArn: user.arn, account: scope.account });
        await tx.putIamLink({ link: 'member', fromArn: 'arn:aws:iam::1:group/devs', toArn: user.arn, account: scope.account });
        await tx.insertAccessKey({ accessKeyId: 'AKIAIAMTEST', account: scope.account, principalArn: user.arn, ownerId: 'AIDAOWNER', secretSealed: Buffer.from('s'), status: 'Active', createdAt: 1 });
        await tx.setAccessKeyStatus('AKIAIAMTEST', 'Inactive');
      });
      assert.deepEqual(await storage.getIamEntity(scope.account, 'user', 'ann'), { ...user, attributes: '{"description":"x"}' });
      assert.deepEqual((await storage.listIamEntities(scope.account, 'group')).map((g) => g.name), ['devs']);
      assert.deepEqual((await storage.listIamDocuments(user.arn, 'inline')).map((d) => [d.docName, d.document]), [['p1', '{"a":1}']]);
      assert.deepEqual((await storage.listIamLinks('member', { toArn: user.arn })).map((l) => l.fromArn), ['arn:aws:iam::1:group/devs']);
      assert.deepEqual((await storage.listIamLinks('member', { fromArn: 'arn:aws:iam::1:group/devs' })).map((l) => l.toArn), [user.arn]);
      assert.equal((await storage.getAccessKey('AKIAIAMTEST'))!.status, 'Inactive');
      await storage.transaction(async (tx) => {
        assert.equal(await tx.deleteIamLink({ link: 'member', fromArn: 'arn:aws:iam::1:group/devs', toArn: user.arn }), true);
        assert.equal(await tx.deleteIamDocument(user.arn, 'inline', 'p1'), true);
        assert.equal(await tx.deleteIamDocument(user.arn, 'inline', 'p1'), false);
        await tx.deleteIamEntity(scope.account, 'user', 'ann');
      });
      assert.equal(await storage.getIamEntity(scope.account, 'user', 'ann'), undefined);
      assert.deepEqual(await storage.listIamLinks('member', { toArn: user.arn }), []);
    });

    it('seals every row: one changed behind Coffer\'s back is refused with TamperedRowError, whatever the table', async () => {
      const tagged = { account: scope.account, region: scope.region };
      await storage.transaction(async (tx) => {
        await tx.putTag(tagged, 'Parameter', { resourceId: '/sealed', key: 'classification', value: 'restricted' });
        await tx.insertAccessKey({ accessKeyId: 'AKIASEALED', account: scope.account, principalArn: 'arn:aws:iam::1:user/eve', ownerId: 'AIDAEVE',
          secretSealed: Buffer.from('s'), status: 'Active', createdAt: 2 });
      });
      assert.equal((await storage.listTags(tagged, 'Parameter', ['/sealed']))[0]!.value, 'restricted');
      await rawSql(location, `UPDATE resource_tags SET tag_value = 'open' WHERE resource_id = '/sealed'`);
      await assert.rejects(storage.listTags(tagged, 'Parameter', ['/sealed']), (e: Error) => e instanceof TamperedRowError && e.table === 'resource_tags');
      await rawSql(location, `UPDATE iam_access_keys SET principal_arn = 'arn:aws:iam::1:root' WHERE access_key_id = 'AKIASEALED'`);
      await assert.rejects(storage.getAccessKey('AKIASEALED'), TamperedRowError);
      // Restored exactly, the row matches its MAC again; without its MAC it matches nothing.
      await rawSql(location, `UPDATE iam_access_keys SET principal_arn = 'arn:aws:iam::1:user/eve' WHERE access_key_id = 'AKIASEALED'`);
      assert.equal((await storage.getAccessKey('AKIASEALED'))!.principalArn, 'arn:aws:iam::1:user/eve');
      await rawSql(location, `UPDATE iam_access_keys SET mac = NULL WHERE access_key_id = 'AKIASEALED'`);
      await assert.rejects(storage.getAccessKey('AKIASEALED'), TamperedRowError);
      assert.deepEqual(await storage.listAccessKeyIds('arn:aws:iam::1:user/eve'), ['AKIASEALED']);
      await storage.transaction(async (tx) => {
        await tx.deleteAccessKey('AKIASEALED');
        await tx.deleteTag(tagged, 'Parameter', '/sealed', 'classification');
      });
    });

    it('refuses a transaction begun inside another one at once, instead of waiting for ever', async () => {
      await assert.rejects(storage.transaction(async () => storage.transaction(async () => 1)), NestedTransactionError);
      // The outer transaction failed cleanly; the next one runs.
      assert.equal(await storage.transaction(async () => 2), 2);
    });

    it('finds entities regardless of case, and secrets due for purge in every scope', async () => {
      const user = { account: scope.account, kind: 'user' as const, name: 'Mixed-Case', id: 'AIDAMIX', arn: 'arn:aws:iam::1:user/Mixed-Case', path: '/', createdAt: 7, attributes: '{}' };
      await storage.transaction((tx) => tx.putIamEntity(user));
      assert.equal((await storage.findIamEntityFolded(scope.account, 'user', 'mixed-case'))?.name, 'Mixed-Case');
      await assert.rejects(storage.transaction((tx) => tx.putIamEntity({ ...user, name: 'MIXED-case', arn: 'arn:aws:iam::1:user/MIXED-case' })));
      const other = { account: '210987654321', region: 'eu-west-1' };
      await storage.transaction(async (tx) => {
        await tx.putSecret(other, { name: 'gone', arn: 'arn:x', createdAt: 1, attributes: '{"deletionDate":50}', purgeAt: 50 });
        await tx.putSecret(other, { name: 'later', arn: 'arn:y', createdAt: 1, attributes: '{"deletionDate":500}', purgeAt: 500 });
      });
      assert.deepEqual(await storage.listSecretsToPurge(100, 10), [{ account: other.account, region: other.region, name: 'gone' }]);
      await storage.transaction(async (tx) => {
        await tx.deleteSecret(other, 'gone');
        await tx.deleteSecret(other, 'later');
        await tx.deleteIamEntity(scope.account, 'user', 'Mixed-Case');
      });
    });

    it('seals rows written before integrity existed exactly as new writes are sealed (the upgrade to migration 5)', async () => {
      const tagged = { account: scope.account, region: scope.region };
      await storage.transaction(async (tx) => {
        await tx.insertVersion(tagged, { name: '/upgrade', version: 1, type: 'String', keyId: null, tier: 'Standard', dataType: 'text', description: null,
          allowedPattern: null, policies: null, value: Buffer.from('sealed'), lastModifiedDate: 5, lastModifiedUser: 'u' });
        await tx.setLatestVersion(tagged, '/upgrade', 1);
        await tx.putLabel(tagged, '/upgrade', 'l', 1);
      });
      await rawSql(location, 'UPDATE ssm_parameter_versions SET mac = NULL; UPDATE ssm_parameters SET mac = NULL; UPDATE ssm_parameter_labels SET mac = NULL');
      await assert.rejects(storage.getVersion(tagged, '/upgrade', 1), TamperedRowError);
      const integrity = new RowIntegrity();
      integrity.use(testRowAuthenticator());
      const sql = backend === 'sqlite' ? sqliteExecutor(location) : postgresExecutor(location);
      assert.ok((await sealExistingRows(sql.executor, integrity)) >= 3);
      await sql.close();
      assert.equal((await storage.listLatest(tagged, { prefix: '/upgrade', limit: 5 }))[0]!.version, 1);
      assert.deepEqual(await storage.listLabels(tagged, '/upgrade'), [{ label: 'l', version: 1 }]);
      await storage.transaction((tx) => tx.deleteParameter(tagged, '/upgrade'));
    });
  });
}
