/** The agent's key pair and token: from the environment, or made once, kept 0600 and shown once. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { agentCredentials, agentCredentialsFile } from '../../src/agent/agent-credentials.js';

describe('agent credentials', () => {
  it('are made once, kept in a 0600 file, and the same on the next start', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coffer-agent-keys-'));
    try {
      const first = agentCredentials({}, dir);
      assert.equal(first.generated, true);
      assert.match(first.credentials.accessKeyId, /^AKIA[A-Z2-7]{16}$/);
      assert.ok(first.credentials.secretAccessKey.length >= 40 && first.credentials.token.length >= 32);
      assert.equal(statSync(agentCredentialsFile(dir)).mode & 0o777, 0o600);
      const second = agentCredentials({}, dir);
      assert.equal(second.generated, false, 'shown once');
      assert.deepEqual(second.credentials, first.credentials);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('come from the environment when set, both halves of the pair or neither', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coffer-agent-keys-'));
    try {
      const env = {
        COFFER_AGENT_ACCESS_KEY_ID: 'AKIAFROMENVIRONMENT1',
        COFFER_AGENT_SECRET_ACCESS_KEY: 'from-env-secret',
        COFFER_AGENT_TOKEN: 'from-env-token',
      };
      const given = agentCredentials(env, dir);
      assert.deepEqual(given.credentials, {
        accessKeyId: 'AKIAFROMENVIRONMENT1',
        secretAccessKey: 'from-env-secret',
        token: 'from-env-token',
      });
      assert.equal(given.generated, false);
      assert.throws(() => agentCredentials({ COFFER_AGENT_ACCESS_KEY_ID: 'AKIAONLYHALF00000001' }, dir), /both/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
