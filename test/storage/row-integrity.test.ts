/**
 * RowIntegrity's memo of proven rows: a row read again unchanged skips the HMAC, and every
 * change (of a field's value, its type, a Buffer's bytes, the table) is checked again.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
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

  it('HMACs a row once, then knows it again by the same fields under the same MAC', () => {
    const mac = integrity.seal('ssm_parameter_versions', fields());
    integrity.check('ssm_parameter_versions', fields(), mac, 'k');
    integrity.check('ssm_parameter_versions', fields(), Buffer.from(mac), 'k');
    assert.equal(verifications, 1);
  });

  it('checks again, and refuses, a row changed in any field under a MAC it proved before', () => {
    const mac = integrity.seal('ssm_parameter_versions', fields());
    integrity.check('ssm_parameter_versions', fields(), mac, 'k');
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
    assert.equal(verifications, 1 + changes.length + 1);
  });

  it("checks a row under another table's MAC afresh", () => {
    const mac = integrity.seal('ssm_parameter_versions', fields());
    integrity.check('ssm_parameter_versions', fields(), mac, 'k');
    assert.throws(() => integrity.check('sm_secret_versions', fields(), mac, 'k'), TamperedRowError);
  });

  it('accepts the same bytes in another type only after an HMAC (stricter than the encoding, never looser)', () => {
    const mac = integrity.seal('ssm_parameter_versions', fields());
    integrity.check('ssm_parameter_versions', fields(), mac, 'k');
    const asText = fields();
    asText[3] = '3';
    integrity.check('ssm_parameter_versions', asText, mac, 'k');
    assert.equal(verifications, 2);
  });

  it('is not fooled by a caller changing a Buffer it was given after the check', () => {
    const row = fields();
    const mac = integrity.seal('ssm_parameter_versions', row);
    integrity.check('ssm_parameter_versions', row, mac, 'k');
    (row[5] as Buffer).write('forged', 0);
    assert.throws(() => integrity.check('ssm_parameter_versions', row, mac, 'k'), TamperedRowError);
  });

  it('refuses a row without a MAC', () => {
    assert.throws(() => integrity.check('ssm_parameter_versions', fields(), null, 'k'), TamperedRowError);
  });
});
