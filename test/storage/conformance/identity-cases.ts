/** Conformance cases of the identity domain (identity-rows.ts): IAM entities, documents, links, access keys. */
import assert from 'node:assert/strict';
import type { AccessKeyRow } from '../../../src/storage/storage.js';
import type { Exercise } from './exercise.js';
import { scope } from './fixtures.js';

const user = {
  account: scope.account,
  kind: 'user' as const,
  name: 'ann',
  id: 'AIDA1',
  arn: 'arn:aws:iam::1:user/ann',
  path: '/',
  createdAt: 7,
  attributes: '{}',
};

function accessKey(accessKeyId: string, extra: Partial<AccessKeyRow> = {}): AccessKeyRow {
  return {
    accessKeyId,
    account: scope.account,
    principalArn: user.arn,
    ownerId: 'AIDA1',
    secretSealed: Buffer.from(`s-${accessKeyId}`),
    status: 'Active',
    createdAt: 1,
    ...extra,
  };
}

export function identityCases(exercise: Exercise): void {
  exercise('keeps when each access key was last used, and never an older use over a newer', async ({ storage }) => {
    assert.equal(await storage.getAccessKeyUse('AKIAUSED'), undefined);
    await storage.transaction((tx) =>
      tx.recordAccessKeyUses([{ accessKeyId: 'AKIAUSED', lastUsedAt: 2000, service: 'ssm', region: 'eu-west-1' }]),
    );
    await storage.transaction((tx) =>
      tx.recordAccessKeyUses([
        { accessKeyId: 'AKIAUSED', lastUsedAt: 1000, service: 'iam', region: 'us-east-1' },
        { accessKeyId: 'AKIAOTHER', lastUsedAt: 5, service: 'sts', region: 'us-east-1' },
      ]),
    );
    assert.deepEqual(await storage.getAccessKeyUse('AKIAUSED'), {
      accessKeyId: 'AKIAUSED',
      lastUsedAt: 2000,
      service: 'ssm',
      region: 'eu-west-1',
    });
    await storage.transaction((tx) =>
      tx.recordAccessKeyUses([{ accessKeyId: 'AKIAUSED', lastUsedAt: 3000, service: 'kms', region: 'us-east-1' }]),
    );
    assert.deepEqual(await storage.getAccessKeyUse('AKIAUSED'), {
      accessKeyId: 'AKIAUSED',
      lastUsedAt: 3000,
      service: 'kms',
      region: 'us-east-1',
    });
    assert.equal((await storage.getAccessKeyUse('AKIAOTHER'))?.service, 'sts');
  });

  exercise('stores IAM entities, documents and links', async ({ storage }) => {
    await storage.transaction(async (tx) => {
      await tx.putIamEntity(user);
      await tx.putIamEntity({ ...user, attributes: '{"description":"x"}' });
      await tx.putIamEntity({ ...user, kind: 'group', name: 'devs', arn: 'arn:aws:iam::1:group/devs' });
      await tx.putIamEntity({ ...user, kind: 'group', name: 'admins', arn: 'arn:aws:iam::1:group/admins' });
      await tx.putIamDocument({
        ownerArn: user.arn,
        docKind: 'inline',
        docName: 'p1',
        account: scope.account,
        document: '{}',
        createdAt: 8,
      });
      await tx.putIamDocument({
        ownerArn: user.arn,
        docKind: 'inline',
        docName: 'p1',
        account: scope.account,
        document: '{"a":1}',
        createdAt: 9,
      });
      await tx.putIamDocument({
        ownerArn: user.arn,
        docKind: 'version',
        docName: 'v1',
        account: scope.account,
        document: '{"v":1}',
        createdAt: 9,
      });
      await tx.putIamLink({
        link: 'member',
        fromArn: 'arn:aws:iam::1:group/devs',
        toArn: user.arn,
        account: scope.account,
      });
      await tx.putIamLink({
        link: 'member',
        fromArn: 'arn:aws:iam::1:group/devs',
        toArn: user.arn,
        account: scope.account,
      });
      await tx.putIamLink({
        link: 'attached',
        fromArn: user.arn,
        toArn: 'arn:aws:iam::1:policy/p',
        account: scope.account,
      });
    });
    assert.deepEqual(await storage.getIamEntity(scope.account, 'user', 'ann'), {
      ...user,
      attributes: '{"description":"x"}',
    });
    assert.equal(await storage.getIamEntity(scope.account, 'role', 'ann'), undefined);
    assert.deepEqual(
      (await storage.listIamEntities(scope.account, 'group')).map((g) => g.name),
      ['admins', 'devs'],
    );
    assert.deepEqual(await storage.listIamEntities('222222222222', 'group'), []);
    assert.deepEqual(
      (await storage.listIamDocuments(user.arn, 'inline')).map((d) => [d.docName, d.document, d.createdAt]),
      [['p1', '{"a":1}', 9]],
    );
    assert.deepEqual(
      (await storage.listIamDocuments(user.arn, 'version')).map((d) => d.docName),
      ['v1'],
    );
    assert.deepEqual(await storage.listIamLinks('member', { toArn: user.arn }), [
      { link: 'member', fromArn: 'arn:aws:iam::1:group/devs', toArn: user.arn, account: scope.account },
    ]);
    assert.deepEqual(
      (await storage.listIamLinks('member', { fromArn: 'arn:aws:iam::1:group/devs' })).map((l) => l.toArn),
      [user.arn],
    );
    assert.deepEqual(
      (await storage.listIamLinks('attached', { fromArn: user.arn })).map((l) => l.toArn),
      ['arn:aws:iam::1:policy/p'],
    );
    await storage.transaction(async (tx) => {
      assert.equal(
        await tx.deleteIamLink({ link: 'member', fromArn: 'arn:aws:iam::1:group/devs', toArn: user.arn }),
        true,
      );
      assert.equal(
        await tx.deleteIamLink({ link: 'member', fromArn: 'arn:aws:iam::1:group/devs', toArn: user.arn }),
        false,
      );
      assert.equal(await tx.deleteIamDocument(user.arn, 'inline', 'p1'), true);
      assert.equal(await tx.deleteIamDocument(user.arn, 'inline', 'p1'), false);
      await tx.deleteIamEntity(scope.account, 'user', 'ann');
    });
    assert.equal(await storage.getIamEntity(scope.account, 'user', 'ann'), undefined);
    assert.deepEqual(await storage.listIamLinks('member', { toArn: user.arn }), []);
    assert.deepEqual(await storage.listIamDocuments(user.arn, 'inline'), []);
  });

  exercise(
    'finds entities regardless of case, and refuses a second name that differs only in case',
    async ({ storage }) => {
      const mixed = { ...user, name: 'Mixed-Case', id: 'AIDAMIX', arn: 'arn:aws:iam::1:user/Mixed-Case' };
      await storage.transaction((tx) => tx.putIamEntity(mixed));
      assert.equal((await storage.findIamEntityFolded(scope.account, 'user', 'mixed-case'))?.name, 'Mixed-Case');
      assert.equal((await storage.findIamEntityFolded(scope.account, 'user', 'MIXED-CASE'))?.id, 'AIDAMIX');
      assert.equal(await storage.findIamEntityFolded(scope.account, 'group', 'mixed-case'), undefined);
      assert.equal(await storage.getIamEntity(scope.account, 'user', 'mixed-case'), undefined, 'getIamEntity is exact');
      await assert.rejects(
        storage.transaction((tx) =>
          tx.putIamEntity({ ...mixed, name: 'MIXED-case', arn: 'arn:aws:iam::1:user/MIXED-case' }),
        ),
      );
    },
  );

  exercise(
    'stores access keys, lists them by principal, changes their status and deletes them',
    async ({ storage }) => {
      await storage.transaction(async (tx) => {
        await tx.insertAccessKey(accessKey('AKIAB', { createdAt: 2 }));
        await tx.insertAccessKey(accessKey('AKIAA', { createdAt: 2 }));
        await tx.insertAccessKey(accessKey('AKIAZ', { createdAt: 1 }));
        await tx.insertAccessKey(accessKey('AKIAOTHER', { principalArn: 'arn:aws:iam::1:user/bob', ownerId: 'AIDA2' }));
        await tx.setAccessKeyStatus('AKIAA', 'Inactive');
        await tx.setAccessKeyStatus('AKIANONE', 'Inactive');
      });
      assert.deepEqual(await storage.getAccessKey('AKIAA'), accessKey('AKIAA', { createdAt: 2, status: 'Inactive' }));
      assert.equal(await storage.getAccessKey('AKIANONE'), undefined);
      assert.deepEqual(
        (await storage.listAccessKeys(user.arn)).map((k) => [k.accessKeyId, k.status]),
        [
          ['AKIAZ', 'Active'],
          ['AKIAA', 'Inactive'],
          ['AKIAB', 'Active'],
        ],
        'by creation time, then id',
      );
      assert.deepEqual(await storage.listAccessKeyIds(user.arn), ['AKIAZ', 'AKIAA', 'AKIAB']);
      await assert.rejects(
        storage.transaction((tx) => tx.insertAccessKey(accessKey('AKIAA'))),
        'an access key id is unique',
      );
      await storage.transaction((tx) => tx.deleteAccessKey('AKIAZ'));
      assert.equal(await storage.getAccessKey('AKIAZ'), undefined);
      assert.deepEqual(await storage.listAccessKeyIds(user.arn), ['AKIAA', 'AKIAB']);
      assert.deepEqual(await storage.listAccessKeyIds('arn:aws:iam::1:user/bob'), ['AKIAOTHER']);
    },
  );
}
