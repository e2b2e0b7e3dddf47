/**
 * `coffer reset --yes`: empties the embedded store: removes the store and its audit trail files,
 * the audit journals and the root credentials, so the next `coffer serve` starts afresh. The
 * master key file and the TLS certificate stay. Refused while a server runs on the data
 * directory, and on PostgreSQL (drop its schema there instead).
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { dataDirectory } from '../../bootstrap/settings.js';
import { UsageError, type CliCommand, type OptionSpecs } from '../cli-command.js';
import { parseOptions } from '../parse-options.js';
import { runningServer } from '../server-state.js';

const OPTIONS = {
  yes: { type: 'boolean', description: 'really remove everything in the store (there is no undo)' },
} as const satisfies OptionSpecs;

const STORE_FILES = [
  'coffer.db',
  'coffer.db-wal',
  'coffer.db-shm',
  'coffer-audit.db',
  'coffer-audit.db-wal',
  'coffer-audit.db-shm',
  'root-credentials',
  'server.json',
];

export const resetCommand: CliCommand = {
  name: 'reset',
  summary: 'empty the embedded store (parameters, secrets, keys, users, audit trail, root credentials)',
  usage: 'coffer reset --yes',
  options: OPTIONS,
  examples: ['coffer reset --yes', 'COFFER_DATA_DIR=/tmp/scratch coffer reset --yes'],
  async run(args, session, io) {
    const { values, positionals } = parseOptions(args, OPTIONS);
    if (positionals.length > 0) throw new UsageError('reset takes no arguments');
    if (session.env.COFFER_DATABASE_URL)
      throw new Error(
        'reset empties the embedded store only; on PostgreSQL, drop the schema (or the database) instead',
      );
    const dataDir = dataDirectory(session.env);
    if (values.yes !== true)
      throw new UsageError(`this removes every parameter, secret, key, user and audit event in ${dataDir}: pass --yes`);
    const server = runningServer(dataDir);
    if (server)
      throw new Error(
        `coffer serve (pid ${server.pid}, ${server.url}) is running on ${dataDir}: stop it first (kill ${server.pid})`,
      );
    const removed = STORE_FILES.filter((f) => existsSync(join(dataDir, f)));
    for (const f of removed) rmSync(join(dataDir, f), { force: true });
    const journal = join(dataDir, 'audit-journal');
    if (existsSync(journal)) rmSync(journal, { recursive: true, force: true });
    io.out(
      removed.length > 0
        ? `emptied ${dataDir}: the next coffer serve starts afresh (new root credentials)\n`
        : `nothing to remove in ${dataDir}\n`,
    );
    return 0;
  },
};
