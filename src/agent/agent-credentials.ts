/**
 * The agent's own key pair and extension token: COFFER_AGENT_ACCESS_KEY_ID /
 * COFFER_AGENT_SECRET_ACCESS_KEY and COFFER_AGENT_TOKEN, or made once and kept in
 * `<data-dir>/agent-credentials.json` (0600), as the server keeps its root pair.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDirectory, ensurePrivateFile } from '../storage/private-files.js';
import type { AgentCredentials } from './agent-server.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function keyId(): string {
  return `AKIA${[...randomBytes(16)].map((b) => ALPHABET[b % 32]).join('')}`;
}

export function agentCredentialsFile(dataDir: string): string {
  return join(dataDir, 'agent-credentials.json');
}

/** The credentials, and which parts were made now (each is shown once, and only those). */
export function agentCredentials(
  env: NodeJS.ProcessEnv,
  dataDir: string,
): { credentials: AgentCredentials; generated: boolean; madeKeys: boolean; madeToken: boolean; file: string } {
  const id = env.COFFER_AGENT_ACCESS_KEY_ID;
  const secret = env.COFFER_AGENT_SECRET_ACCESS_KEY;
  if ((id === undefined) !== (secret === undefined))
    throw new Error('set both COFFER_AGENT_ACCESS_KEY_ID and COFFER_AGENT_SECRET_ACCESS_KEY, or neither');
  const file = agentCredentialsFile(dataDir);
  const saved = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<AgentCredentials>) : {};
  const made: AgentCredentials = {
    accessKeyId: id ?? saved.accessKeyId ?? keyId(),
    secretAccessKey: secret ?? saved.secretAccessKey ?? randomBytes(30).toString('base64url'),
    token: env.COFFER_AGENT_TOKEN ?? saved.token ?? randomBytes(24).toString('base64url'),
  };
  const madeKeys = id === undefined && saved.accessKeyId === undefined;
  const madeToken = env.COFFER_AGENT_TOKEN === undefined && saved.token === undefined;
  const generated = madeKeys || madeToken;
  if (generated) {
    ensurePrivateDirectory(dataDir);
    ensurePrivateFile(file);
    writeFileSync(file, `${JSON.stringify(id === undefined ? made : { token: made.token })}\n`, { mode: 0o600 });
  }
  return { credentials: made, generated, madeKeys, madeToken, file };
}
