/**
 * Session credentials: the token carries the session sealed, so it verifies on any node, and
 * it expires, cannot be altered, and belongs to one access key id.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SessionCredentials } from '../../../src/engine/sts/session-credentials.js';
import { expectError } from '../../helpers/expect-error.js';
import { freshCoffer } from '../../helpers/test-stores.js';
import { TokenSealer } from '../../../src/crypto/token-sealer.js';

describe('session credentials', () => {
  it('open until they expire, then ExpiredTokenException; forged or mismatched tokens open nothing', async () => {
    const { coffer, done } = await freshCoffer('sqlite');
    try {
      let now = Date.UTC(2026, 0, 1);
      const sessions = new SessionCredentials(new TokenSealer(coffer.keyring, 'sts-session/v1'), 'epoch-a', () => now);
      const issued = sessions.issue(
        '123456789012',
        'arn:aws:iam::123456789012:role/r',
        { roleName: 'r', roleId: 'AROAEXAMPLEROLEID123', sessionName: 's', tags: { tenant_id: 't1' } },
        900,
      );
      assert.match(issued.AccessKeyId!, /^ASIA[A-Z2-7]{16}$/);
      const opened = sessions.open(issued.AccessKeyId!, issued.SessionToken);
      assert.equal(opened!.secretAccessKey, issued.SecretAccessKey);
      assert.deepEqual(opened!.session, {
        roleName: 'r',
        roleId: 'AROAEXAMPLEROLEID123',
        sessionName: 's',
        tags: { tenant_id: 't1' },
        expiresAt: now + 900_000,
      });
      assert.equal(sessions.open('ASIAOTHERKEYID000000', issued.SessionToken), undefined);
      assert.equal(sessions.open(issued.AccessKeyId!, `${issued.SessionToken!.slice(0, -2)}xx`), undefined);
      assert.equal(sessions.open(issued.AccessKeyId!, undefined), undefined);
      // Another purpose's sealer (page tokens) cannot open a session token, nor forge one.
      const pages = new SessionCredentials(new TokenSealer(coffer.keyring), 'epoch-a', () => now);
      assert.equal(pages.open(issued.AccessKeyId!, issued.SessionToken), undefined);
      now += 900_000;
      await expectError(
        (async () => sessions.open(issued.AccessKeyId!, issued.SessionToken))(),
        'ExpiredTokenException',
      );
    } finally {
      await done();
    }
  });

  it("open only on the store that issued them; a user's own session lives only while its key does", async () => {
    const { coffer, done } = await freshCoffer('sqlite');
    try {
      const sealer = new TokenSealer(coffer.keyring, 'sts-session/v1');
      const here = new SessionCredentials(sealer, 'epoch-a');
      const user = 'arn:aws:iam::123456789012:user/alice';
      const issued = here.issueForUser('123456789012', user, 'AIDAEXAMPLEUSERID123', 'AKIAPARENTKEY0000001', 900);
      // Another store sharing the master key (or this one after coffer reset) has another epoch.
      assert.equal(new SessionCredentials(sealer, 'epoch-b').open(issued.AccessKeyId!, issued.SessionToken), undefined);
      const keys = new Map<string, { principalArn: string; account: string }>();
      const find = async (id: string) => {
        const key = keys.get(id);
        return key ? { accessKeyId: id, ownerId: 'x', secretAccessKey: 'x', ...key } : undefined;
      };
      const open = () => here.authenticate(issued.AccessKeyId!, issued.SessionToken!, { find });
      assert.equal(await open(), undefined, 'the parent key is gone (or not Active: find returns only Active keys)');
      keys.set('AKIAPARENTKEY0000001', { principalArn: 'arn:aws:iam::123456789012:user/bob', account: '123456789012' });
      assert.equal(await open(), undefined, "the key id is another principal's now");
      keys.set('AKIAPARENTKEY0000001', { principalArn: user, account: '123456789012' });
      const opened = await open();
      assert.equal(opened?.principalArn, user);
      assert.equal(opened?.parentAccessKeyId, 'AKIAPARENTKEY0000001');
      assert.equal(opened?.temporary, true);
    } finally {
      await done();
    }
  });
});
