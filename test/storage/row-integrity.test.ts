/**
 * RowIntegrity's memo of proven rows: a row read twice lately is remembered, then read again
 * unchanged it skips the HMAC, and every change (of a field's value, its type, a Buffer's bytes,
 * the table) is checked again.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { ReadAgainFilter } from '../../src/storage/read-again-filter.js';
import { RowIntegrity, TamperedRowError, type RowField } from '../../src/storage/row-integrity.js';
import { testRowAuthenticator } from '../helpers/row-authenticator.js';

describe('RowIntegrity.check', () => {
  let integrity: RowIntegrity;
  let verifications: number;
  const fields = (): RowField[] => ['123456789012', 'us-east-1', '/a', 3, null, Buffer.from('sealed value')];

  beforeEach(() => {
    const authenticator = testRowAuthenticator();
    verifications = 0;
    integrity = new RowIntegrity();
    integrity.use({
      mac: authenticator.mac,
      verify: (data, mac) => {
        verifications++;
        return authenticator.verify(data, mac);
      },
    });
  });

  /** Checks a row twice, so that it is remembered. */
  const proven = (row: RowField[], mac: Buffer) => {
    integrity.check('ssm_parameter_versions', row, mac, 'k');
    integrity.check('ssm_parameter_versions', row, mac, 'k');
  };

  it('HMACs a row on its first two reads, then knows it by the same fields under the same MAC', () => {
    const mac = integrity.seal('ssm_parameter_versions', fields());
    integrity.check('ssm_parameter_versions', fields(), mac, 'k');
    assert.equal(verifications, 1);
    integrity.check('ssm_parameter_versions', fields(), mac, 'k');
    integrity.check('ssm_parameter_versions', fields(), Buffer.from(mac), 'k');
    integrity.check('ssm_parameter_versions', fields(), mac, 'k');
    assert.equal(verifications, 2);
  });

  it('checks again, and refuses, a row changed in any field under a MAC it proved before', () => {
    const mac = integrity.seal('ssm_parameter_versions', fields());
    proven(fields(), mac);
    const changes: [number, RowField][] = [
      [2, '/b'],
      [3, 4],
      [3, Number.NaN],
      [4, ''],
      [5, Buffer.from('sealed valuf')],
      [5, Buffer.from('sealed value ')],
    ];
    for (const [at, value] of changes) {
      const changed = fields();
      changed[at] = value;
      assert.throws(() => integrity.check('ssm_parameter_versions', changed, mac, 'k'), TamperedRowError);
    }
    assert.throws(() => integrity.check('ssm_parameter_versions', fields().slice(0, 5), mac, 'k'), TamperedRowError);
    assert.equal(verifications, 2 + changes.length + 1);
  });

  it("checks a row under another table's MAC afresh", () => {
    const mac = integrity.seal('ssm_parameter_versions', fields());
    proven(fields(), mac);
    assert.throws(() => integrity.check('sm_secret_versions', fields(), mac, 'k'), TamperedRowError);
  });

  it('accepts the same bytes in another type only after an HMAC (stricter than the encoding, never looser)', () => {
    const mac = integrity.seal('ssm_parameter_versions', fields());
    proven(fields(), mac);
    const asText = fields();
    asText[3] = '3';
    integrity.check('ssm_parameter_versions', asText, mac, 'k');
    assert.equal(verifications, 3);
  });

  it('is not fooled by a caller changing a Buffer it was given after the check', () => {
    const row = fields();
    const mac = integrity.seal('ssm_parameter_versions', row);
    proven(row, mac);
    (row[5] as Buffer).write('forged', 0);
    assert.throws(() => integrity.check('ssm_parameter_versions', row, mac, 'k'), TamperedRowError);
  });

  it('refuses a row without a MAC, or with a MAC column that holds no bytes (a number, text that is no MAC)', () => {
    assert.throws(() => integrity.check('ssm_parameter_versions', fields(), null, 'k'), TamperedRowError);
    for (const mac of [5, 5n, 'not a mac', {}])
      assert.throws(
        () => integrity.check('ssm_parameter_versions', fields(), mac as unknown as Buffer, 'k'),
        TamperedRowError,
      );
    assert.equal(integrity.verifies('ssm_parameter_versions', fields(), 5 as unknown as Buffer), false);
  });

  it('forgets what it proved when given another key', () => {
    const mac = integrity.seal('ssm_parameter_versions', fields());
    proven(fields(), mac);
    integrity.use(testRowAuthenticator('another key'));
    assert.throws(() => integrity.check('ssm_parameter_versions', fields(), mac, 'k'), TamperedRowError);
  });
});

describe('ReadAgainFilter', () => {
  it('says an item was seen once it was, by its bits, and forgets after 16,384 marks', () => {
    const filter = new ReadAgainFilter();
    assert.equal(filter.seenBefore(7), false);
    assert.equal(filter.seenBefore(7), true);
    assert.equal(filter.seenBefore(8), false);
    for (let i = 0; i < 16_384; i++) filter.seenBefore(1_000 + i);
    assert.equal(filter.seenBefore(7), false, 'forgotten when the marks started over');
  });
});
