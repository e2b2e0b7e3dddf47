/**
 * The AWS-fidelity suites: every test/fixtures/fidelity_*.py boto3 script, one check per
 * behaviour AWS documents, run against Coffer (every check must pass, none skipped) and against
 * moto_server (none may fail; checks marked coffer_only, where moto differs from AWS, are
 * skipped there), as evidence that the expectations are AWS's. FIDELITY_ONLY=<file name> runs one.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startMoto } from '../helpers/moto-server.js';
import { ROOT, startServer } from '../helpers/server-process.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const SCRIPTS = readdirSync(FIXTURES)
  .filter((name) => /^fidelity_\w+\.py$/.test(name))
  .filter((name) => process.env.FIDELITY_ONLY === undefined || name === process.env.FIDELITY_ONLY)
  .sort();

interface CheckResults {
  passed: string[];
  failed: string[];
  skipped: string[];
}

function runChecks(script: string, endpoint: string, target: 'coffer' | 'moto', key: string, secret: string) {
  const run = spawnSync('python3', [join(FIXTURES, script), endpoint, key, secret, target], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as CheckResults;
}

for (const script of SCRIPTS) {
  describe(`AWS fidelity: ${script}`, () => {
    it('passes every check against Coffer', async () => {
      const server = await startServer({ dev: true });
      try {
        const results = runChecks(script, server.endpoint, 'coffer', ROOT.accessKeyId, ROOT.secretAccessKey);
        assert.deepEqual(results.failed, []);
        assert.deepEqual(results.skipped, []);
        assert.ok(results.passed.length > 0);
      } finally {
        await server.stop();
      }
    });

    it('fails no check against moto_server (where moto agrees with AWS)', async (t) => {
      const moto = await startMoto();
      if (!moto) return t.skip('moto_server is not installed');
      try {
        const results = runChecks(script, moto.endpoint, 'moto', 'testing', 'testing');
        assert.deepEqual(results.failed, []);
      } finally {
        moto.stop();
      }
    });
  });
}
