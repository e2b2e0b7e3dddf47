/**
 * PutResourcePolicy finds its secret before it reads the document (moto's test_policy and
 * test_secrets_duplication expect this of AWS, as ValidateResourcePolicy already does): an
 * unknown secret is ResourceNotFoundException and a replica is refused as read-only, even with
 * a malformed document; a known primary with a malformed document is still
 * MalformedPolicyDocumentException, and nothing is written.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Coffer } from '../../../src/bootstrap/open-coffer.js';
import type { RequestContext } from '../../../src/engine/request-context.js';
import { REPLICA_READ_ONLY } from '../../../src/engine/secrets/secret-replication.js';
import { expectError } from '../../helpers/expect-error.js';
import { BACKENDS, ctx, freshCoffer } from '../../helpers/test-stores.js';

const west: RequestContext = { ...ctx, region: 'us-west-2' };

for (const backend of BACKENDS) {
  describe(`PutResourcePolicy's order of checks: ${backend}`, () => {
    let coffer: Coffer;
    let done: () => Promise<void>;

    before(async () => {
      ({ coffer, done } = await freshCoffer(backend));
      await coffer.secrets.store.createSecret(ctx, {
        Name: 'order/one',
        SecretString: 'v',
        AddReplicaRegions: [{ Region: 'us-west-2' }],
      });
    });
    after(() => done());

    it('an unknown secret is ResourceNotFoundException whatever the document', async () => {
      await expectError(
        coffer.secrets.policies.putResourcePolicy(ctx, { SecretId: 'order/absent', ResourcePolicy: 'p' }),
        'ResourceNotFoundException',
        "Secrets Manager can't find the specified secret.",
      );
    });

    it('a replica is refused as read-only before its document is read', async () => {
      await expectError(
        coffer.secrets.policies.putResourcePolicy(west, { SecretId: 'order/one', ResourcePolicy: 'p' }),
        'InvalidParameterException',
        REPLICA_READ_ONLY,
      );
    });

    it('a malformed document on a known primary is MalformedPolicyDocument, and nothing is written', async () => {
      await expectError(
        coffer.secrets.policies.putResourcePolicy(ctx, { SecretId: 'order/one', ResourcePolicy: 'some policy' }),
        'MalformedPolicyDocumentException',
      );
      const got = await coffer.secrets.policies.getResourcePolicy(ctx, { SecretId: 'order/one' });
      assert.equal('ResourcePolicy' in got, false);
    });
  });
}
