/**
 * Replication read as an attacker: a caller allowed to replicate one secret must not destroy,
 * read or race past a secret it has no right to in another Region. ForceOverwriteReplicaSecret
 * needs secretsmanager:DeleteSecret on the secret it replaces (its own policy and tags), and
 * replaces only that very secret; a replica never opens, under its own key, a version sealed
 * under a key the caller may not decrypt with.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Coffer } from '../../../src/bootstrap/open-coffer.js';
import { AccessControl } from '../../../src/engine/iam/access-control.js';
import type { Caller } from '../../../src/engine/iam/caller.js';
import { parsePolicyDocument } from '../../../src/engine/iam/policy-document.js';
import { CompiledPolicy } from '../../../src/engine/iam/policy-evaluator.js';
import type { Permission, RequestContext } from '../../../src/engine/request-context.js';
import { expectError } from '../../helpers/expect-error.js';
import { BACKENDS, ctx, freshCoffer } from '../../helpers/test-stores.js';

const europe: RequestContext = { ...ctx, region: 'eu-west-1' };
const DENY_DELETE = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Deny', Principal: { AWS: '*' }, Action: 'secretsmanager:DeleteSecret', Resource: '*' }],
});

const denied = () => Object.assign(new Error('denied'), { code: 'AccessDeniedException' });

/** A caller whose every permission is recorded, refused where `refuse` says so. */
function caller(refuse: (p: Permission) => Promise<boolean>): { ctx: RequestContext; asked: Permission[] } {
  const asked: Permission[] = [];
  return {
    asked,
    ctx: {
      ...ctx,
      authorize: async (permissions) => {
        for (const p of permissions) {
          asked.push(p);
          if (await refuse(p)) throw denied();
        }
      },
    },
  };
}

/** A user allowed everything by its own policy: only a resource's policy can refuse it. */
const ALLOWED_ALL: Caller = {
  kind: 'user',
  arn: `arn:aws:iam::${ctx.account}:user/replicator`,
  principalArn: `arn:aws:iam::${ctx.account}:user/replicator`,
  account: ctx.account,
  userId: 'AIDAREPLICATOR0000001',
  principalId: 'AIDAREPLICATOR0000001',
  userName: 'replicator',
  tags: new Map(),
  policies: [
    new CompiledPolicy(
      'all',
      parsePolicyDocument(
        JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }),
      ),
    ),
  ],
};
const access = new AccessControl();

/** Refuses what AccessControl refuses that user: what a resource's own policy denies. */
async function deniedByResourcePolicy(p: Permission): Promise<boolean> {
  const facts = { service: 'secretsmanager', region: ctx.region, secureTransport: true };
  return (await access.decide(ALLOWED_ALL, facts, p)).effect !== 'Allow';
}

for (const backend of BACKENDS) {
  describe(`Secrets Manager replication against an attacker: ${backend}`, () => {
    let coffer: Coffer;
    let done: () => Promise<void>;

    before(async () => {
      ({ coffer, done } = await freshCoffer(backend));
    });
    after(() => done());

    it("ForceOverwriteReplicaSecret needs DeleteSecret on the Region's secret, its policy and tags", async () => {
      const { store, policies } = coffer.secrets;
      await store.createSecret(ctx, { Name: 'a/one', SecretString: 'mine' });
      const theirs = await store.createSecret(europe, {
        Name: 'a/one',
        SecretString: 'theirs',
        Tags: [{ Key: 'owner', Value: 'them' }],
      });
      await policies.putResourcePolicy(europe, { SecretId: theirs.ARN, ResourcePolicy: DENY_DELETE });
      const { ctx: attacker, asked } = caller(deniedByResourcePolicy);
      await expectError(
        store.replication.replicateSecretToRegions(attacker, {
          SecretId: 'a/one',
          AddReplicaRegions: [{ Region: 'eu-west-1' }],
          ForceOverwriteReplicaSecret: true,
        }),
        'AccessDeniedException',
      );
      const asking = asked.find((p) => p.action === 'secretsmanager:DeleteSecret');
      assert.equal(asking?.resource, theirs.ARN);
      assert.deepEqual(await asking?.resourceTags?.(), { owner: 'them' });
      // Nothing written: their secret, and a primary that knows of no replica.
      assert.equal((await store.getSecretValue(europe, { SecretId: theirs.ARN })).SecretString, 'theirs');
      assert.equal((await store.describeSecret(ctx, { SecretId: 'a/one' })).ReplicationStatus, undefined);
    });

    it('CreateSecret with ForceOverwriteReplicaSecret is refused alike, and creates no primary', async () => {
      const { store, policies } = coffer.secrets;
      const theirs = await store.createSecret(europe, { Name: 'a/three', SecretString: 'theirs' });
      await policies.putResourcePolicy(europe, { SecretId: theirs.ARN, ResourcePolicy: DENY_DELETE });
      const { ctx: attacker } = caller(deniedByResourcePolicy);
      await expectError(
        store.createSecret(attacker, {
          Name: 'a/three',
          SecretString: 'mine',
          AddReplicaRegions: [{ Region: 'eu-west-1' }],
          ForceOverwriteReplicaSecret: true,
        }),
        'AccessDeniedException',
      );
      assert.equal(await coffer.storage.getSecret(ctx, 'a/three'), undefined);
      assert.equal((await store.getSecretValue(europe, { SecretId: theirs.ARN })).SecretString, 'theirs');
    });

    it('replaces only the secret it authorized: one that took the name since is left, the replica Failed', async () => {
      const { store } = coffer.secrets;
      await store.createSecret(ctx, { Name: 'a/two', SecretString: 'mine' });
      const first = await store.createSecret(europe, { Name: 'a/two', SecretString: 'first' });
      let swapped: string | undefined;
      const { ctx: racer } = caller(async (p) => {
        if (p.action === 'secretsmanager:DeleteSecret' && swapped === undefined) {
          // Between the check and the write, another secret takes the name.
          await store.deleteSecret(europe, { SecretId: first.ARN, ForceDeleteWithoutRecovery: true });
          swapped = (await store.createSecret(europe, { Name: 'a/two', SecretString: 'second' })).ARN;
        }
        return false;
      });
      const status = await store.replication.replicateSecretToRegions(racer, {
        SecretId: 'a/two',
        AddReplicaRegions: [{ Region: 'eu-west-1' }],
        ForceOverwriteReplicaSecret: true,
      });
      assert.ok(swapped);
      assert.deepEqual(
        status.ReplicationStatus.map((s) => [s.Status, s.StatusMessage]),
        [['Failed', 'Replication failed: Secret name a/two already exists in region eu-west-1.']],
      );
      assert.equal((await store.getSecretValue(europe, { SecretId: swapped })).SecretString, 'second');
    });

    it('needs kms:Decrypt on every key a version is sealed under, not only the one the secret names', async () => {
      const { store } = coffer.secrets;
      const { KeyMetadata } = (await coffer.kms.createKey(ctx, {})) as { KeyMetadata: { KeyId: string } };
      await store.createSecret(ctx, { Name: 'a/keys', SecretString: 'old', KmsKeyId: KeyMetadata.KeyId });
      await store.updateSecret(ctx, { SecretId: 'a/keys', KmsKeyId: 'alias/aws/secretsmanager' });
      await store.putSecretValue(ctx, { SecretId: 'a/keys', SecretString: 'new' });
      // The old value is still sealed under the first key: reading it there needs that key.
      const { ctx: reader } = caller(async (p) => p.action === 'kms:Decrypt' && p.resource.includes(KeyMetadata.KeyId));
      await expectError(
        store.getSecretValue(reader, { SecretId: 'a/keys', VersionStage: 'AWSPREVIOUS' }),
        'AccessDeniedException',
      );
      // So a replica under another key must not be made for that caller, or it would open it there.
      await expectError(
        store.replication.replicateSecretToRegions(reader, {
          SecretId: 'a/keys',
          AddReplicaRegions: [{ Region: 'eu-west-1' }],
        }),
        'AccessDeniedException',
      );
      assert.equal(await coffer.storage.getSecret(europe, 'a/keys'), undefined);
      assert.equal((await store.describeSecret(ctx, { SecretId: 'a/keys' })).ReplicationStatus, undefined);
    });

    it("needs kms:Encrypt as well as kms:GenerateDataKey on a replica's own key, as AWS documents", async () => {
      const { store } = coffer.secrets;
      const { KeyMetadata } = (await coffer.kms.createKey(europe, {})) as { KeyMetadata: { KeyId: string } };
      await store.createSecret(ctx, { Name: 'a/encrypt', SecretString: 'v' });
      const { ctx: noEncrypt, asked } = caller(async (p) => p.action === 'kms:Encrypt');
      await expectError(
        store.replication.replicateSecretToRegions(noEncrypt, {
          SecretId: 'a/encrypt',
          AddReplicaRegions: [{ Region: 'eu-west-1', KmsKeyId: KeyMetadata.KeyId }],
        }),
        'AccessDeniedException',
      );
      assert.ok(asked.some((p) => p.action === 'kms:Encrypt' && p.resource.includes(`:eu-west-1:`)));
      assert.equal(await coffer.storage.getSecret(europe, 'a/encrypt'), undefined);
      // The default key needs no more than it did.
      const status = await store.replication.replicateSecretToRegions(noEncrypt, {
        SecretId: 'a/encrypt',
        AddReplicaRegions: [{ Region: 'eu-west-1' }],
      });
      assert.equal(status.ReplicationStatus[0]?.Status, 'InSync');
    });

    it('writers racing in two Regions never delete a promoted replica nor undo its promotion', async () => {
      const { store } = coffer.secrets;
      const names = Array.from({ length: 12 }, (_, i) => `a/race-${i}`);
      for (const name of names)
        await store.createSecret(ctx, { Name: name, SecretString: 'v', AddReplicaRegions: [{ Region: 'eu-west-1' }] });
      const outcomes = await Promise.all(
        names.map(async (name, i) => {
          const promote = store.replication.stopReplicationToReplica(europe, { SecretId: name });
          // Half race a removal of the same replica from the primary, half a new value on the primary.
          const other =
            i % 2
              ? store.replication.removeRegionsFromReplication(ctx, {
                  SecretId: name,
                  RemoveReplicaRegions: ['eu-west-1'],
                })
              : store.putSecretValue(ctx, { SecretId: name, SecretString: `v${i}` });
          const [promoted, written] = await Promise.allSettled([promote, other]);
          assert.equal(written.status, 'fulfilled', String((written as PromiseRejectedResult).reason));
          return {
            name,
            promoted: promoted.status === 'fulfilled',
            reason: (promoted as PromiseRejectedResult).reason,
          };
        }),
      );
      for (const { name, promoted, reason } of outcomes) {
        const replica = await coffer.storage.getSecret(europe, name);
        const primary = await store.describeSecret(ctx, { SecretId: name });
        if (promoted) {
          // Promoted: it stays, standalone, and its primary has forgotten it.
          assert.ok(replica, `${name}: a promoted replica was deleted`);
          assert.equal(JSON.parse(replica.attributes).primaryRegion, undefined, `${name}: promotion undone`);
          assert.equal(primary.ReplicationStatus, undefined, name);
        } else {
          // Removed first: the promotion found no secret.
          assert.equal((reason as { code?: string }).code, 'ResourceNotFoundException', String(reason));
          assert.equal(replica, undefined);
        }
      }
    });

    it('writers racing on one primary all succeed, and its replica ends equal to it', async () => {
      const { store } = coffer.secrets;
      await store.createSecret(ctx, {
        Name: 'a/busy',
        SecretString: 'v',
        AddReplicaRegions: [{ Region: 'eu-west-1' }],
      });
      const writes = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) =>
          i % 3
            ? store.putSecretValue(ctx, { SecretId: 'a/busy', SecretString: `v${i}` })
            : store.tagResource(ctx, { SecretId: 'a/busy', Tags: [{ Key: `k${i}`, Value: 'v' }] }),
        ),
      );
      assert.deepEqual(
        writes.filter((w) => w.status === 'rejected').map((w) => String((w as PromiseRejectedResult).reason)),
        [],
      );
      const [primary, replica] = await Promise.all([
        store.describeSecret(ctx, { SecretId: 'a/busy' }),
        store.describeSecret(europe, { SecretId: 'a/busy' }),
      ]);
      assert.deepEqual(replica.VersionIdsToStages, primary.VersionIdsToStages);
      assert.deepEqual(replica.Tags, primary.Tags);
      assert.equal(Object.values(primary.VersionIdsToStages!).filter((s) => s.includes('AWSCURRENT')).length, 1);
      const current = await store.getSecretValue(ctx, { SecretId: 'a/busy' });
      assert.equal((await store.getSecretValue(europe, { SecretId: 'a/busy' })).SecretString, current.SecretString);
    });

    it('DeleteSecret racing PutResourcePolicy never drops a policy that was written', async () => {
      const { store, policies } = coffer.secrets;
      const names = Array.from({ length: 12 }, (_, i) => `a/deny-${i}`);
      for (const name of names) await store.createSecret(ctx, { Name: name, SecretString: 'v' });
      const written = await Promise.all(
        names.map(async (name) => {
          const [, put] = await Promise.allSettled([
            store.deleteSecret(ctx, { SecretId: name, RecoveryWindowInDays: 7 }),
            policies.putResourcePolicy(ctx, { SecretId: name, ResourcePolicy: DENY_DELETE }),
          ]);
          return put.status === 'fulfilled';
        }),
      );
      for (const [i, name] of names.entries()) {
        const attributes = JSON.parse((await coffer.storage.getSecret(ctx, name))!.attributes) as {
          policy?: string;
          deletionDate?: number;
        };
        assert.ok(attributes.deletionDate !== undefined, name);
        if (written[i]) assert.equal(attributes.policy, DENY_DELETE, `${name}: a written policy was lost`);
      }
    });
  });
}
