/**
 * `coffer import --from-csv|--from-json`: seed 003's credentials, one parameter per row, named
 * by a template, printed with ARNs; every row checked before any write; values never printed.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../src/cli/main.js';
import { parseCsv, parseCsvRecords } from '../../src/cli/csv-format.js';
import { CapturedIo } from '../helpers/captured-io.js';
import { ROOT, startServer, type RunningServer } from '../helpers/server-process.js';
import { testLocation, type TestLocation } from '../helpers/test-stores.js';

const TEMPLATE = '/rcm/{env}/{org}/endpoints/{endpoint}/{account}';
const ARN_PREFIX = 'arn:aws:ssm:us-east-1:123456789012:parameter';

describe('CSV parsing (RFC 4180)', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, CRLF or LF, BOM and blank lines', () => {
    const text = '\uFEFFa,b,c\r\n1,"x, y","say ""hi"""\r\n\r\n2,"line1\r\nline2",\n3,,"z"';
    assert.deepEqual(parseCsv(text), {
      header: ['a', 'b', 'c'],
      rows: [
        { line: 2, fields: ['1', 'x, y', 'say "hi"'] },
        { line: 4, fields: ['2', 'line1\r\nline2', ''] },
        { line: 6, fields: ['3', '', 'z'] },
      ],
    });
    assert.deepEqual(parseCsvRecords('""\n'), [{ line: 1, fields: [''] }]);
  });

  it('refuses malformed files, naming lines and rows but no field text', () => {
    assert.throws(() => parseCsv('a,b\n"open,1\n'), /line 2: a quoted field is never closed/);
    assert.throws(
      () => parseCsv('a,b\nse"cret,1\n'),
      (e: Error) => /line 2/.test(e.message) && !/se"cret/.test(e.message),
    );
    assert.throws(() => parseCsv('a,b\n"x"y,1\n'), /line 2: text after a closing quote/);
    assert.throws(() => parseCsv('a,b\n1,2,3\n'), /CSV row 1 \(line 2\) has 3 fields; the header has 2/);
    assert.throws(() => parseCsv('a,a\n1,2\n'), /the column a appears twice/);
    assert.throws(() => parseCsv(''), /needs a header row/);
  });
});

for (const mode of ['local', 'remote'] as const) {
  describe(`coffer import rows: ${mode}`, () => {
    let location: TestLocation;
    let server: RunningServer | undefined;
    let env: Record<string, string>;
    const run = async (args: string[], io = new CapturedIo()) => ({ code: await runCli(args, env, io), io });
    const file = (name: string, text: string) => {
      const path = join(location.dataDir, name);
      writeFileSync(path, text);
      return path;
    };
    const get = async (name: string) => (await run(['get', name])).io.stdout;

    before(async () => {
      if (mode === 'remote') {
        server = await startServer();
        location = server.location;
        env = {
          COFFER_ENDPOINT: server.endpoint,
          AWS_ACCESS_KEY_ID: ROOT.accessKeyId,
          AWS_SECRET_ACCESS_KEY: ROOT.secretAccessKey,
          AWS_REGION: 'us-east-1',
        };
      } else {
        location = testLocation('sqlite');
        env = location.env();
      }
    });
    after(() => (server ? server.stop() : location.destroy()));

    it('imports CSV rows with quotes, commas and newlines, and prints NAME<TAB>ARN', async () => {
      const csv = file(
        'creds.csv',
        'env,org,endpoint,account,username,password\r\n' +
          'prod,7b1d-1111-cafe,endpoint-123,provider-456,portal_user,"p,ss ""q"""\r\n' +
          'prod,7b1d-1111-cafe,endpoint-123,provider-789,other,"multi\r\nline"\r\n',
      );
      const { code, io } = await run([
        'import',
        '--from-csv',
        csv,
        '--name-template',
        TEMPLATE,
        '--value-column',
        'password',
      ]);
      assert.equal(code, 0, io.stderr);
      const first = '/rcm/prod/7b1d-1111-cafe/endpoints/endpoint-123/provider-456';
      const second = '/rcm/prod/7b1d-1111-cafe/endpoints/endpoint-123/provider-789';
      assert.equal(io.stdout, `${first}\t${ARN_PREFIX}${first}\n${second}\t${ARN_PREFIX}${second}\n`);
      assert.equal(await get(first), 'p,ss "q"\n');
      assert.equal(await get(second), 'multi\r\nline\n');
      const shown = JSON.parse((await run(['get', first, '--json'])).io.stdout);
      assert.equal(shown.Type, 'SecureString');
      assert.equal(shown.ARN, `${ARN_PREFIX}${first}`);
    });

    it('imports JSON rows, several value columns as one JSON object, tags, and --json output', async () => {
      const rows = [
        {
          env: 'dev',
          org: 'acme',
          endpoint: 'bcbs',
          account: 'p-1',
          username: 'u1',
          password: 'pw1',
          custom_fields: { api_key: 'k1' },
        },
        { env: 'dev', org: 'acme', endpoint: 'bcbs', account: 2, username: 'u2', password: 'pw2', custom_fields: null },
      ];
      const json = file('rows.json', JSON.stringify(rows));
      const { code, io } = await run([
        'import',
        '--from-json',
        json,
        '--name-template',
        TEMPLATE,
        '--value-column',
        'username',
        '--value-column',
        'password',
        '--value-column',
        'custom_fields',
        '--tag-column',
        'org',
        '--tag-column',
        'env',
        '--json',
      ]);
      assert.equal(code, 0, io.stderr);
      assert.deepEqual(JSON.parse(io.stdout), [
        {
          row: 1,
          name: '/rcm/dev/acme/endpoints/bcbs/p-1',
          arn: `${ARN_PREFIX}/rcm/dev/acme/endpoints/bcbs/p-1`,
          version: 1,
        },
        {
          row: 2,
          name: '/rcm/dev/acme/endpoints/bcbs/2',
          arn: `${ARN_PREFIX}/rcm/dev/acme/endpoints/bcbs/2`,
          version: 1,
        },
      ]);
      assert.ok(!io.stdout.includes('pw1'));
      assert.deepEqual(JSON.parse(await get('/rcm/dev/acme/endpoints/bcbs/p-1')), {
        username: 'u1',
        password: 'pw1',
        custom_fields: { api_key: 'k1' },
      });
      assert.deepEqual(JSON.parse(await get('/rcm/dev/acme/endpoints/bcbs/2')), {
        username: 'u2',
        password: 'pw2',
        custom_fields: null,
      });
      const tags = (await run(['tag', '/rcm/dev/acme/endpoints/bcbs/p-1'])).io.stdout;
      assert.match(tags, /org\s*=?\s*acme/);
      assert.match(tags, /env\s*=?\s*dev/);
    });

    it('names the row and the field of a missing or unusable field, never its value, and writes nothing', async () => {
      const csv = file(
        'bad.csv',
        'env,org,endpoint,account,password\n' +
          'qa,o1,e1,a1,s3cr3t-one\n' +
          'qa,o1,e1,a2,s3cr3t-two\n' +
          'qa,,e1,a3,s3cr3t-three\n',
      );
      const missing = await run([
        'import',
        '--from-csv',
        csv,
        '--name-template',
        TEMPLATE,
        '--value-column',
        'password',
      ]);
      assert.equal(missing.code, 1);
      assert.match(missing.io.stderr, /row 3: the name column org is missing or empty/);
      assert.equal(missing.io.stdout, '');
      for (const name of ['/rcm/qa/o1/endpoints/e1/a1', '/rcm/qa/o1/endpoints/e1/a2']) {
        const { code, io } = await run(['get', name]);
        assert.equal(code, 1, `${name} was not written`);
        assert.match(io.stderr, /ParameterNotFound/);
      }
      const slash = file('slash.csv', 'env,org,endpoint,account,password\nqa,o1,e1,a1,pw\nqa,x/../y,e1,a2,pw-secret\n');
      const traversal = await run([
        'import',
        '--from-csv',
        slash,
        '--name-template',
        TEMPLATE,
        '--value-column',
        'password',
      ]);
      assert.equal(traversal.code, 1);
      assert.match(traversal.io.stderr, /row 2: the name column org cannot be part of a parameter name/);
      assert.doesNotMatch(traversal.io.stderr, /x\/\.\.\/y|pw-secret/);
      assert.equal((await run(['get', '/rcm/qa/o1/endpoints/e1/a1'])).code, 1);
      const dots = file(
        'dots.json',
        JSON.stringify([{ env: 'qa', org: '..', endpoint: 'e', account: 'a', password: 'p' }]),
      );
      const dotted = await run([
        'import',
        '--from-json',
        dots,
        '--name-template',
        TEMPLATE,
        '--value-column',
        'password',
      ]);
      assert.match(dotted.io.stderr, /row 1: the name column org cannot be part/);
      const noValue = file('novalue.json', JSON.stringify([{ env: 'qa', org: 'o', endpoint: 'e', account: 'a' }]));
      const empty = await run([
        'import',
        '--from-json',
        noValue,
        '--name-template',
        TEMPLATE,
        '--value-column',
        'password',
      ]);
      assert.match(empty.io.stderr, /row 1: the value column password is missing or empty/);
      const header = await run([
        'import',
        '--from-csv',
        csv,
        '--name-template',
        '/x/{nope}',
        '--value-column',
        'password',
      ]);
      assert.match(header.io.stderr, /--name-template names nope, which is not a column of the CSV header/);
      for (const output of [missing, traversal, dotted, empty, header])
        assert.doesNotMatch(output.io.stderr + output.io.stdout, /s3cr3t/);
    });

    it('refuses existing names without --overwrite, and --tag-column with --overwrite up front', async () => {
      const csv = file('again.csv', 'env,org,endpoint,account,password\nov,o,e,a1,one\nov,o,e,a2,two\n');
      const args = ['import', '--from-csv', csv, '--name-template', TEMPLATE, '--value-column', 'password'];
      assert.equal((await run(args)).code, 0);
      const again = await run(args);
      assert.equal(again.code, 1);
      assert.match(again.io.stderr, /2 of these parameters already exist \(rows 1-2: .*nothing was written/);
      const tagged = await run([...args, '--overwrite', '--tag-column', 'org']);
      assert.equal(tagged.code, 2);
      assert.match(tagged.io.stderr, /--tag-column cannot be used with --overwrite: PutParameter refuses tags/);
      writeFileSync(csv, 'env,org,endpoint,account,password\nov,o,e,a1,one-v2\nov,o,e,a2,two-v2\n');
      const rerun = await run([...args, '--overwrite', '--json']);
      assert.equal(rerun.code, 0, rerun.io.stderr);
      assert.deepEqual(
        JSON.parse(rerun.io.stdout).map((r: { version: number }) => r.version),
        [2, 2],
      );
      assert.equal(await get('/rcm/ov/o/endpoints/e/a2'), 'two-v2\n');
    });

    it('reports the rows written and not written when a write fails part-way, exit code 3', async () => {
      const csv = file('mid.csv', 'env,org,endpoint,account,password\nmid,o,e,a1,x1\nmid,o,e,a2,x2\nmid,o,e,a3,x3\n');
      // Row 2's name exists with an allowed pattern its new value does not match: it fails after row 1.
      await run(['put', '/rcm/mid/o/endpoints/e/a2', 'abc', '--type', 'String', '--allowed-pattern', '^[a-z]+$']);
      const partial = await run([
        'import',
        '--from-csv',
        csv,
        '--name-template',
        TEMPLATE,
        '--value-column',
        'password',
        '--type',
        'String',
        '--overwrite',
      ]);
      assert.equal(partial.code, 3, partial.io.stderr);
      assert.equal(partial.io.stdout, `/rcm/mid/o/endpoints/e/a1\t${ARN_PREFIX}/rcm/mid/o/endpoints/e/a1\n`);
      assert.match(partial.io.stderr, /row 2 failed \(ParameterPatternMismatch.*written: row 1; not written: rows 2-3/);
      assert.match(partial.io.stderr, /Rerunning with --overwrite is safe/);
      assert.doesNotMatch(partial.io.stderr, /x2/);
      assert.equal((await run(['get', '/rcm/mid/o/endpoints/e/a3'])).code, 1);
    });
  });
}
