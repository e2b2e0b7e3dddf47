/**
 * `coffer rotation ...`: rotate a secret or a parameter with a function, now and on a schedule
 * (`--every 30d`, `--every 12h`, or `--schedule 'cron(0 4 ? * MON *)'`), cancel it, and show the
 * status of every run (pending, succeeded, failed with the failing step and the error).
 */
import type { RotationRulesType } from '@aws-sdk/client-secrets-manager';
import { UsageError, type CliCommand } from '../cli-command.js';
import { parseOptions, toJson } from '../parse-options.js';

const USAGE = 'coffer rotation secret|parameter NAME [--function F] [--every 30d|12h | --schedule EXPR] [--later] | '
  + 'rotation cancel NAME [--parameter] | rotation status [NAME] [--parameter] [--json]';

function rulesFrom(every: string | undefined, schedule: string | undefined): RotationRulesType | undefined {
  if (every !== undefined && schedule !== undefined) throw new UsageError('give --every or --schedule, not both');
  if (schedule !== undefined) return { ScheduleExpression: schedule };
  if (every === undefined) return undefined;
  const match = /^(\d+)([dh])$/.exec(every);
  if (!match) throw new UsageError('--every is a number of days or hours: 30d, 12h');
  return match[2] === 'd' ? { AutomaticallyAfterDays: Number(match[1]) } : { ScheduleExpression: `rate(${match[1]} hours)` };
}

export const rotationCommand: CliCommand = {
  name: 'rotation',
  summary: 'rotate secrets and parameters now and on schedules; cancel; show each run\'s status',
  usage: USAGE,
  async run(args, session, io) {
    const [action, ...rest] = args;
    const { values, positionals } = parseOptions(rest, {
      function: { type: 'string' }, every: { type: 'string' }, schedule: { type: 'string' }, later: { type: 'boolean' },
      parameter: { type: 'boolean' }, json: { type: 'boolean' },
    });
    const rotation = await session.rotation();
    switch (action) {
      case 'secret':
      case 'parameter': {
        if (positionals.length !== 1) throw new UsageError(`rotation ${action} takes one NAME`);
        const request = { name: positionals[0]!, ...(values.function ? { functionName: values.function } : {}), rules: rulesFrom(values.every, values.schedule), immediately: values.later !== true };
        const result = action === 'secret' ? await rotation.rotateSecret(request) : await rotation.rotateParameter(request);
        io.out(values.json ? toJson(result) : `${request.name}: ${request.immediately ? 'rotating now' : 'scheduled'}${request.rules ? ` (${values.every ?? values.schedule})` : ''}\n`);
        return 0;
      }
      case 'cancel': {
        if (positionals.length !== 1) throw new UsageError('rotation cancel takes one NAME');
        await (values.parameter ? rotation.cancelParameter(positionals[0]!) : rotation.cancelSecret(positionals[0]!));
        return 0;
      }
      case 'status': {
        const runs = await rotation.status(positionals[0], values.parameter ? 'parameter' : positionals[0]?.startsWith('/') ? 'parameter' : positionals[0] ? 'secret' : undefined);
        io.out(values.json ? toJson(runs) : runs.map((r) => `${String(r.StartedDate)}  ${String(r.Kind)} ${String(r.Target)}  ${String(r.Status)}`
          + `${r.Step && r.Status !== 'succeeded' ? ` at ${String(r.Step)}` : ''}${r.Error ? `: ${String(r.Error)}` : ''}  (attempt ${String(r.Attempts)})\n`).join(''));
        return 0;
      }
      default:
        throw new UsageError(USAGE);
    }
  },
};
