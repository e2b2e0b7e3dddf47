/**
 * Environment-variable naming (as chamber maps names) and dotenv quoting.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDotenv, parseDotenv, quoteDotenvValue } from '../../src/cli/dotenv-format.js';
import { envName, toEnvironment } from '../../src/cli/env-names.js';

describe('environment variable names', () => {
  it('takes the last segment, upper-cased, with - and . as _', () => {
    assert.equal(envName('/dev/orders/db-password'), 'DB_PASSWORD');
    assert.equal(envName('/dev/orders/api.url'), 'API_URL');
    assert.equal(envName('plain'), 'PLAIN');
  });

  it('refuses names that collide, naming them', () => {
    assert.throws(
      () =>
        toEnvironment([
          { name: '/a/db-host', value: '1' },
          { name: '/a/DB_HOST', value: '2' },
        ]),
      /DB_HOST \(\/a\/db-host, \/a\/DB_HOST\)/,
    );
  });
});

describe('dotenv', () => {
  it('quotes every value so dotenv reads it back unchanged', () => {
    const values = [
      'plain',
      "it's",
      'multi\nline',
      'back`tick',
      "both ' and `",
      'hash # not a comment',
      ' spaced ',
      'a\\nb',
      'x=y',
      '$HOME',
    ];
    const entries = new Map(values.map((v, i) => [`K${i}`, v]));
    assert.deepEqual(parseDotenv(formatDotenv(entries)), entries);
  });

  it('refuses a value no dotenv quoting can hold', () => {
    assert.throws(() => quoteDotenvValue('\'`"\n'), /--format json/);
  });
});
