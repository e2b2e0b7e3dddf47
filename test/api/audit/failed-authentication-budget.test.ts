/**
 * The budget of failed authentications recorded one by one: per address and window, the rest
 * counted into one summary per window, a bounded number of addresses tracked.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  FailedAuthenticationBudget,
  addressGroup,
  failedAuthenticationBudget,
} from '../../../src/api/audit/failed-authentication-budget.js';

describe('failed authentication budget', () => {
  it('admits a budget per address and window, then counts; a summary per window that suppressed any', () => {
    const budget = new FailedAuthenticationBudget({ perWindow: 3, windowMs: 1000, maxAddresses: 100 });
    const admitted = Array.from({ length: 10 }, (_, i) =>
      budget.admit('10.0.0.1', undefined, i % 2 ? 'InvalidSignatureException' : 'UnrecognizedClientException', 100 + i),
    );
    assert.deepEqual(admitted, [true, true, true, false, false, false, false, false, false, false]);
    assert.equal(
      budget.admit('10.0.0.2', undefined, 'UnrecognizedClientException', 150),
      true,
      'another address has its own budget',
    );
    assert.deepEqual(budget.takeEnded(500), [], 'nothing ended yet');
    assert.deepEqual(
      budget.takeEnded(1100),
      [
        {
          sourceIPAddress: '10.0.0.1',
          accessKeyId: undefined,
          count: 7,
          firstTime: 103,
          lastTime: 109,
          errorCodes: ['InvalidSignatureException', 'UnrecognizedClientException'],
        },
      ],
      'the address that stayed within its budget has nothing to summarise',
    );
    assert.equal(
      budget.admit('10.0.0.1', undefined, 'UnrecognizedClientException', 1200),
      true,
      'a new window, a new budget',
    );
  });

  it('keeps the summary of a window replaced before it was taken', () => {
    const budget = new FailedAuthenticationBudget({ perWindow: 1, windowMs: 1000, maxAddresses: 100 });
    budget.admit('a', undefined, 'X', 0);
    budget.admit('a', undefined, 'X', 10);
    assert.equal(budget.admit('a', undefined, 'X', 2000), true, 'the next window');
    assert.deepEqual(
      budget.takeEnded(2100).map((s) => [s.sourceIPAddress, s.count]),
      [['a', 1]],
    );
  });

  it('shares one budget among addresses past the bound, and reports every window at the end', () => {
    const budget = new FailedAuthenticationBudget({ perWindow: 2, windowMs: 60_000, maxAddresses: 2 });
    for (const address of ['a', 'b']) budget.admit(address, undefined, 'X', 0);
    const rest = ['c', 'd', 'e', 'f'].map((address) => budget.admit(address, undefined, 'X', 1));
    assert.deepEqual(rest, [true, true, false, false], 'c, d, e and f share the budget of "others"');
    assert.deepEqual(
      budget.takeEnded(2, true).map((s) => [s.sourceIPAddress, s.count]),
      [['others', 2]],
    );
  });

  it('budgets each claimed key apart, and an IPv6 host by its /64', () => {
    const budget = new FailedAuthenticationBudget({ perWindow: 1, windowMs: 1000, maxAddresses: 100 });
    assert.equal(budget.admit('10.0.0.1', 'AKIAFLOOD', 'X', 0), true);
    assert.equal(budget.admit('10.0.0.1', 'AKIAFLOOD', 'X', 1), false);
    assert.equal(
      budget.admit('10.0.0.1', 'AKIAREALUSER', 'X', 2),
      true,
      "a flood with one key does not hide another key's failure",
    );
    assert.equal(budget.admit('2001:db8:1:2::a', undefined, 'X', 3), true);
    assert.equal(budget.admit('2001:db8:1:2:ffff::b', undefined, 'X', 4), false, 'the same /64');
    assert.deepEqual(
      budget.takeEnded(5, true).map((s) => [s.sourceIPAddress, s.accessKeyId, s.count]),
      [
        ['10.0.0.1', 'AKIAFLOOD', 1],
        ['2001:db8:1:2::/64', undefined, 1],
      ],
    );
    assert.equal(addressGroup('::1'), '0:0:0:0::/64');
    assert.equal(addressGroup('2001:0db8:0000:0042::1'), '2001:db8:0:42::/64');
    assert.equal(addressGroup('127.0.0.1'), '127.0.0.1');
  });

  it('reads its settings from the environment, refusing nonsense', () => {
    assert.deepEqual(
      failedAuthenticationBudget({
        COFFER_AUDIT_FAILED_AUTH_PER_MINUTE: '5',
        COFFER_AUDIT_FAILED_AUTH_WINDOW_MS: '500',
      }),
      { perWindow: 5, windowMs: 500, maxAddresses: 10_000 },
    );
    assert.equal(failedAuthenticationBudget({}).perWindow, 100);
    assert.throws(() => failedAuthenticationBudget({ COFFER_AUDIT_FAILED_AUTH_PER_MINUTE: '0' }), /at least 1/);
    assert.throws(() => failedAuthenticationBudget({ COFFER_AUDIT_FAILED_AUTH_WINDOW_MS: 'soon' }), /whole number/);
  });
});
