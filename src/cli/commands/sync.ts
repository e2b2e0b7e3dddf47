/**
 * `coffer sync SRC DST`: makes DST hold what SRC holds (Parameter Store paths, Secrets Manager
 * prefixes, files and directories), planning first and applying idempotently (sync-runner.ts).
 */
import type { CliCommand } from '../cli-command.js';
import { APPLY_OPTIONS, PLAN_OPTIONS, runSync } from '../sync-runner.js';

export const syncCommand: CliCommand = {
  name: 'sync',
  summary: 'copy parameters and secrets between stores, files and directories (plan, apply, verify)',
  usage:
    'coffer sync SRC DST [--dry-run] [--delete] [--verify] [--json] [--show-values] [--src-endpoint URL] ' +
    '[--dst-endpoint URL]    (SRC, DST: ssm:/PATH, secretsmanager:PREFIX, file:PATH)',
  options: { ...PLAN_OPTIONS, ...APPLY_OPTIONS },
  examples: [
    'coffer sync ssm:/ragstar/local ssm:/ragstar/production --dry-run',
    'coffer sync ssm:/app file:./app.env',
    'coffer sync file:./secrets/ secretsmanager:app/prod --delete --verify',
    'coffer sync ssm:/app ssm:/app --dst-endpoint aws --verify --json',
  ],
  run: (args, session, io) => runSync(args, session, io, 'sync'),
};
