/**
 * `coffer diff SRC DST`: the plan `coffer sync` would apply, applying nothing; exit 0 when the
 * two are in sync, 1 when they differ.
 */
import type { CliCommand } from '../cli-command.js';
import { PLAN_OPTIONS, runSync } from '../sync-runner.js';

export const diffCommand: CliCommand = {
  name: 'diff',
  summary: 'show what coffer sync would change between two stores (exit 1 when they differ)',
  usage:
    'coffer diff SRC DST [--delete] [--json] [--show-values] [--src-endpoint URL] [--dst-endpoint URL]    ' +
    '(SRC, DST: ssm:/PATH, secretsmanager:PREFIX, file:PATH)',
  options: PLAN_OPTIONS,
  examples: [
    'coffer diff ssm:/ragstar/local ssm:/ragstar/production',
    'coffer diff file:./app.env ssm:/app --delete --json',
    'coffer diff ssm:/app ssm:/app --src-endpoint http://localhost:4566',
  ],
  run: (args, session, io) => runSync(args, session, io, 'diff'),
};
