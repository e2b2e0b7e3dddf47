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
      const sessions = new SessionCredentials(new TokenSealer(coffer.keyring, 'sts-session/v1'), () => now);
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
      const pages = new SessionCredentials(new TokenSealer(coffer.keyring), () => now);
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
});
