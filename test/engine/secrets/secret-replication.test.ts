/**
 * Multi-Region secrets on each backend, below the wire: replicas made with their primary,
 * sealed for their own ARN and key, kept in step by every write to the primary (values,
 * labels, description, tags, resource policy), read-only, promoted by StopReplicationToReplica,
 * removed by RemoveRegionsFromReplication, a name conflict making a replica Failed (or replaced
 * with ForceOverwriteReplicaSecret), and a primary with replicas refusing deletion.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Coffer } from '../../../src/bootstrap/open-coffer.js';
import { AuditDraft, runWithDraft } from '../../../src/engine/audit/audit-scope.js';
import { serviceEvent } from '../../../src/engine/audit/service-events.js';
import type { RequestContext } from '../../../src/engine/request-context.js';
import { REPLICA_READ_ONLY } from '../../../src/engine/secrets/secret-replication.js';
import { expectError } from '../../helpers/expect-error.js';
import { BACKENDS, ctx, freshCoffer } from '../../helpers/test-stores.js';

const west: RequestContext = { ...ctx, region: 'us-west-2' };
const europe: RequestContext = { ...ctx, region: 'eu-west-1' };
const TOKEN = 'a1a1a1a1-1111-1111-1111-111111111111';

for (const backend of BACKENDS) {
  describe(`Secrets Manager replication: ${backend}`, () => {
    let coffer: Coffer;
    let done: () => Promise<void>;

    before(async () => {
      ({ coffer, done } = await freshCoffer(backend));
    });
    after(() => done());

    it('CreateSecret with AddReplicaRegions makes InSync replicas, same versions, at the replica ARN', async () => {
      const { store } = coffer.secrets;
      const created = await store.createSecret(ctx, {
        Name: 'r/one',
        SecretString: 'v1',
        ClientRequestToken: TOKEN,
        Description: 'd',
        Tags: [{ Key: 'team', Value: 'a' }],
        AddReplicaRegions: [{ Region: 'us-west-2' }],
      });
      assert.deepEqual(
        created.ReplicationStatus?.map((s) => [s.Region, s.Status, s.StatusMessage, s.KmsKeyId]),
        [['us-west-2', 'InSync', 'Replication succeeded', 'alias/aws/secretsmanager']],
      );
      const replicaArn = created.ARN!.replace(':us-east-1:', ':us-west-2:');
      const replica = await store.describeSecret(west, { SecretId: replicaArn });
      assert.equal(replica.ARN, replicaArn);
      assert.equal(replica.PrimaryRegion, 'us-east-1');
      assert.equal(replica.Description, 'd');
      assert.deepEqual(replica.Tags, [{ Key: 'team', Value: 'a' }]);
      assert.deepEqual(replica.VersionIdsToStages, { [TOKEN]: ['AWSCURRENT'] });
      assert.equal(replica.ReplicationStatus, undefined);
      const value = await store.getSecretValue(west, { SecretId: 'r/one' });
      assert.equal(value.SecretString, 'v1');
      assert.equal(value.ARN, replicaArn);
      const primary = await store.describeSecret(ctx, { SecretId: 'r/one' });
      assert.equal(primary.PrimaryRegion, 'us-east-1');
      assert.equal(primary.ReplicationStatus?.[0]?.Status, 'InSync');
      // The replica read is the replica's LastAccessedDate, which its primary reports.
      assert.ok(primary.ReplicationStatus?.[0]?.LastAccessedDate instanceof Date);
    });

    it('seals a replica value for the replica ARN: the primary ciphertext never opens there', async () => {
      const [primary] = await coffer.storage.listSecretVersions(ctx, 'r/one');
      const [replica] = await coffer.storage.listSecretVersions(west, 'r/one');
      assert.ok(primary && replica);
      assert.notDeepEqual(replica.value, primary.value);
      assert.ok(!replica.value.includes(Buffer.from('v1')));
    });

    it('keeps every write to the primary in step: values, labels, description, tags and policy', async () => {
      const { store, policies } = coffer.secrets;
      const put = await store.putSecretValue(ctx, { SecretId: 'r/one', SecretString: 'v2' });
      await store.updateSecret(ctx, { SecretId: 'r/one', Description: 'd2' });
      await store.tagResource(ctx, { SecretId: 'r/one', Tags: [{ Key: 'env', Value: 'prod' }] });
      await store.untagResource(ctx, { SecretId: 'r/one', TagKeys: ['team'] });
      await store.updateSecretVersionStage(ctx, { SecretId: 'r/one', VersionStage: 'MINE', MoveToVersionId: TOKEN });
      const policy = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Deny', Principal: { AWS: '*' }, Action: 'secretsmanager:*', Resource: '*' }],
      });
      await policies.putResourcePolicy(ctx, { SecretId: 'r/one', ResourcePolicy: policy });
      const [p, r] = await Promise.all([
        store.describeSecret(ctx, { SecretId: 'r/one' }),
        store.describeSecret(west, { SecretId: 'r/one' }),
      ]);
      assert.deepEqual(r.VersionIdsToStages, p.VersionIdsToStages);
      assert.deepEqual(r.VersionIdsToStages, { [TOKEN]: ['AWSPREVIOUS', 'MINE'], [put.VersionId!]: ['AWSCURRENT'] });
      assert.equal(r.Description, 'd2');
      assert.deepEqual(r.Tags, [{ Key: 'env', Value: 'prod' }]);
      assert.equal((await store.getSecretValue(west, { SecretId: 'r/one' })).SecretString, 'v2');
      assert.equal(
        ((await policies.getResourcePolicy(west, { SecretId: 'r/one' })) as { ResourcePolicy?: string }).ResourcePolicy,
        policy,
      );
      await policies.deleteResourcePolicy(ctx, { SecretId: 'r/one' });
      assert.equal(
        ((await policies.getResourcePolicy(west, { SecretId: 'r/one' })) as { ResourcePolicy?: string }).ResourcePolicy,
        undefined,
      );
    });

    it('refuses every write to a replica with AWS error, and changes nothing', async () => {
      const { store, policies } = coffer.secrets;
      const before = await store.describeSecret(west, { SecretId: 'r/one' });
      const policy = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Deny', Principal: { AWS: '*' }, Action: 'secretsmanager:*', Resource: '*' }],
      });
      const writes: (() => Promise<unknown>)[] = [
        () => store.putSecretValue(west, { SecretId: 'r/one', SecretString: 'x' }),
        () => store.updateSecret(west, { SecretId: 'r/one', Description: 'x' }),
        () => store.updateSecretVersionStage(west, { SecretId: 'r/one', VersionStage: 'X', MoveToVersionId: TOKEN }),
        () => store.tagResource(west, { SecretId: 'r/one', Tags: [{ Key: 'k', Value: 'v' }] }),
        () => store.untagResource(west, { SecretId: 'r/one', TagKeys: ['env'] }),
        () => store.deleteSecret(west, { SecretId: 'r/one' }),
        () => store.restoreSecret(west, { SecretId: 'r/one' }),
        () => policies.putResourcePolicy(west, { SecretId: 'r/one', ResourcePolicy: policy }),
        () => policies.deleteResourcePolicy(west, { SecretId: 'r/one' }),
        () => coffer.rotation.service.rotateSecret(west, { SecretId: 'r/one' }),
        () => coffer.rotation.service.cancelRotateSecret(west, { SecretId: 'r/one' }),
        () =>
          store.replication.replicateSecretToRegions(west, {
            SecretId: 'r/one',
            AddReplicaRegions: [{ Region: 'eu-west-1' }],
          }),
        () =>
          store.replication.removeRegionsFromReplication(west, {
            SecretId: 'r/one',
            RemoveReplicaRegions: ['us-east-1'],
          }),
      ];
      for (const write of writes) await expectError(write(), 'InvalidParameterException', REPLICA_READ_ONLY);
      const afterwards = await store.describeSecret(west, { SecretId: 'r/one' });
      assert.deepEqual(afterwards, before);
    });

    it('refuses deleting a primary that has replicas, with AWS wording', async () => {
      const { store } = coffer.secrets;
      const arn = (await store.describeSecret(ctx, { SecretId: 'r/one' })).ARN!;
      for (const request of [{ SecretId: 'r/one' }, { SecretId: 'r/one', ForceDeleteWithoutRecovery: true }])
        await expectError(
          store.deleteSecret(ctx, request),
          'InvalidParameterException',
          `You can't delete secret ${arn} that still has replica regions [us-west-2].`,
        );
    });

    it('a name taken in the Region makes a Failed replica; ForceOverwriteReplicaSecret replaces it', async () => {
      const { store } = coffer.secrets;
      await store.createSecret(ctx, { Name: 'r/two', SecretString: 'primary' });
      const other = await store.createSecret(europe, { Name: 'r/two', SecretString: 'theirs' });
      const failed = await store.replication.replicateSecretToRegions(ctx, {
        SecretId: 'r/two',
        AddReplicaRegions: [{ Region: 'eu-west-1' }],
      });
      assert.deepEqual(
        failed.ReplicationStatus.map((s) => [s.Status, s.StatusMessage]),
        [['Failed', 'Replication failed: Secret name r/two already exists in region eu-west-1.']],
      );
      assert.equal((await store.getSecretValue(europe, { SecretId: other.ARN })).SecretString, 'theirs');
      const forced = await store.replication.replicateSecretToRegions(ctx, {
        SecretId: 'r/two',
        AddReplicaRegions: [{ Region: 'eu-west-1' }],
        ForceOverwriteReplicaSecret: true,
      });
      assert.equal(forced.ReplicationStatus[0]?.Status, 'InSync');
      await expectError(store.getSecretValue(europe, { SecretId: other.ARN }), 'ResourceNotFoundException');
      assert.equal((await store.getSecretValue(europe, { SecretId: 'r/two' })).SecretString, 'primary');
    });

    it('refuses the primary Region itself, an unknown one and a repeated one', async () => {
      const { replication } = coffer.secrets.store;
      replication.useRegions(new Set(['us-east-1', 'us-west-2', 'eu-west-1', 'eu-west-3']));
      const asked = [
        [{ Region: 'us-east-1' }],
        [{ Region: 'ap-south-9' }],
        [{ Region: 'eu-west-3' }, { Region: 'eu-west-3' }],
      ];
      for (const regions of asked)
        await expectError(
          replication.replicateSecretToRegions(ctx, { SecretId: 'r/two', AddReplicaRegions: regions }),
          'InvalidParameterException',
          'Invalid replica region.',
        );
    });

    it('StopReplicationToReplica promotes the replica; the primary forgets it and can then be deleted', async () => {
      const { store } = coffer.secrets;
      const promoted = await store.replication.stopReplicationToReplica(europe, { SecretId: 'r/two' });
      assert.match(promoted.ARN, /:eu-west-1:/);
      const standalone = await store.describeSecret(europe, { SecretId: 'r/two' });
      assert.equal(standalone.PrimaryRegion, undefined);
      await store.putSecretValue(europe, { SecretId: 'r/two', SecretString: 'independent' });
      assert.equal((await store.getSecretValue(ctx, { SecretId: 'r/two' })).SecretString, 'primary');
      const primary = await store.describeSecret(ctx, { SecretId: 'r/two' });
      assert.equal(primary.ReplicationStatus, undefined);
      await expectError(
        store.replication.stopReplicationToReplica(ctx, { SecretId: 'r/two' }),
        'InvalidParameterException',
      );
      await store.deleteSecret(ctx, { SecretId: 'r/two', ForceDeleteWithoutRecovery: true });
      assert.equal((await store.getSecretValue(europe, { SecretId: 'r/two' })).SecretString, 'independent');
    });

    it('RemoveRegionsFromReplication deletes the replica, and ListSecrets filters by primary-region', async () => {
      const { store, listing } = coffer.secrets;
      const byPrimary = async (scope: RequestContext, region: string) =>
        (await listing.listSecrets(scope, { Filters: [{ Key: 'primary-region', Values: [region] }] })).SecretList!.map(
          (s) => [s.Name, s.PrimaryRegion],
        );
      assert.deepEqual(await byPrimary(west, 'us-east-1'), [['r/one', 'us-east-1']]);
      assert.deepEqual(await byPrimary(ctx, 'us-east-1'), [['r/one', 'us-east-1']]);
      const removed = await store.replication.removeRegionsFromReplication(ctx, {
        SecretId: 'r/one',
        RemoveReplicaRegions: ['us-west-2'],
      });
      assert.deepEqual(removed.ReplicationStatus, []);
      await expectError(store.describeSecret(west, { SecretId: 'r/one' }), 'ResourceNotFoundException');
      assert.deepEqual(await byPrimary(ctx, 'us-east-1'), []);
      await store.deleteSecret(ctx, { SecretId: 'r/one', ForceDeleteWithoutRecovery: true });
    });

    it('CreateSecret with replicas also needs ReplicateSecretToRegions, with the replica condition keys', async () => {
      const permissions = await coffer.secrets.permissions.permissionsFor(ctx, 'CreateSecret', {
        Name: 'r/auth',
        AddReplicaRegions: [{ Region: 'us-west-2' }],
        ForceOverwriteReplicaSecret: true,
      });
      assert.deepEqual(
        permissions.map((p) => p.action),
        ['secretsmanager:CreateSecret', 'secretsmanager:ReplicateSecretToRegions'],
      );
      for (const p of permissions) {
        assert.deepEqual(p.context?.['secretsmanager:AddReplicaRegions'], ['us-west-2']);
        assert.equal(p.context?.['secretsmanager:ForceOverwriteReplicaSecret'], 'true');
      }
    });

    it("authorizes every Region's key before writing: a refusal leaves no secret and no replica", async () => {
      const asked: string[] = [];
      const refusing: RequestContext = {
        ...ctx,
        authorize: async (permissions) => {
          asked.push(...permissions.map((p) => `${p.action} ${p.resource}`));
          if (permissions.some((p) => p.resource.includes(':eu-west-1:')))
            throw Object.assign(new Error('denied'), { code: 'AccessDeniedException' });
        },
      };
      await expectError(
        coffer.secrets.store.createSecret(refusing, {
          Name: 'r/denied',
          SecretString: 'v',
          AddReplicaRegions: [{ Region: 'eu-west-1' }],
        }),
        'AccessDeniedException',
      );
      assert.ok(
        asked.some((a) => a.startsWith(`kms:GenerateDataKey arn:aws:kms:eu-west-1:${ctx.account}:`)),
        asked.join(),
      );
      assert.equal(await coffer.storage.getSecret(ctx, 'r/denied'), undefined);
      assert.equal(await coffer.storage.getSecret(europe, 'r/denied'), undefined);
    });

    it("names each replica it writes in the request's audit event, which commits with the write", async () => {
      const { store } = coffer.secrets;
      const draft = new AuditDraft(() =>
        serviceEvent(
          { source: 'secretsmanager.amazonaws.com', name: 'PutSecretValue', ...ctx, arns: [], details: {} },
          Date.now(),
        ),
      );
      const created = await store.createSecret(ctx, {
        Name: 'r/audited',
        SecretString: 'v',
        AddReplicaRegions: [{ Region: 'eu-west-1' }],
      });
      // The request's context carries where its event notes touched resources (the pipeline sets it).
      const audited = { ...ctx, touched: draft.touched };
      await runWithDraft(draft, () => store.putSecretValue(audited, { SecretId: 'r/audited', SecretString: 'v2' }));
      assert.ok(draft.touched.includes(created.ARN!.replace(':us-east-1:', ':eu-west-1:')), draft.touched.join());
      assert.equal(draft.appended?.record.eventName, 'PutSecretValue');
    });

    it('seals a replica under its KmsKeyId; a key it cannot use fails the replica, not the write', async () => {
      const { store } = coffer.secrets;
      const { KeyMetadata } = (await coffer.kms.createKey(west, {})) as { KeyMetadata: { KeyId: string; Arn: string } };
      await store.createSecret(ctx, { Name: 'r/keyed', SecretString: 'v' });
      const status = await store.replication.replicateSecretToRegions(ctx, {
        SecretId: 'r/keyed',
        AddReplicaRegions: [
          { Region: 'us-west-2', KmsKeyId: KeyMetadata.KeyId },
          { Region: 'eu-west-1', KmsKeyId: 'alias/none' },
        ],
      });
      assert.deepEqual(
        status.ReplicationStatus.map((s) => [s.Region, s.Status, s.KmsKeyId]),
        [
          ['us-west-2', 'InSync', KeyMetadata.KeyId],
          ['eu-west-1', 'Failed', 'alias/none'],
        ],
      );
      assert.match(status.ReplicationStatus[1]!.StatusMessage!, /^Replication failed: /);
      assert.equal((await store.describeSecret(west, { SecretId: 'r/keyed' })).KmsKeyId, KeyMetadata.KeyId);
      const [version] = await coffer.storage.listSecretVersions(west, 'r/keyed');
      assert.equal(store.versions.keyIdOf(version!), KeyMetadata.KeyId);
      await coffer.kms.disableKey(west, { KeyId: KeyMetadata.KeyId });
      await store.putSecretValue(ctx, { SecretId: 'r/keyed', SecretString: 'v2' });
      assert.equal((await store.getSecretValue(ctx, { SecretId: 'r/keyed' })).SecretString, 'v2');
      const after = await store.describeSecret(ctx, { SecretId: 'r/keyed' });
      assert.equal(after.ReplicationStatus?.[0]?.Status, 'Failed');
      await store.replication.removeRegionsFromReplication(ctx, {
        SecretId: 'r/keyed',
        RemoveReplicaRegions: ['us-west-2', 'eu-west-1'],
      });
      // The replica its key left Failed goes too: nothing read-only is left behind.
      assert.equal(await coffer.storage.getSecret(west, 'r/keyed'), undefined);
    });

    it('tells the change feed of every replica it writes', async () => {
      const { store } = coffer.secrets;
      await store.createSecret(ctx, {
        Name: 'r/feed',
        SecretString: 'v',
        AddReplicaRegions: [{ Region: 'us-west-2' }],
      });
      await store.putSecretValue(ctx, { SecretId: 'r/feed', SecretString: 'v2' });
      const changes = (await coffer.storage.listChanges(0, 10_000)).filter(
        (c) => c.name === 'r/feed' && c.region === 'us-west-2',
      );
      assert.deepEqual(
        changes.map((c) => c.operation),
        ['CreateSecret', 'PutSecretValue'],
      );
    });
  });
}
