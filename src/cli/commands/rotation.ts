/**
 * `coffer rotation ...`: rotate a secret or a parameter with a function, now and on a schedule
 * (`--every 30d`, `--every 12h`, or `--schedule 'cron(0 4 ? * MON *)'`), cancel it, and show the
 * status of every run (pending, succeeded, failed with the failing step and the error).
 */
import type { RotationRulesType } from '@aws-sdk/client-secrets-manager';
import { UsageError, type CliCommand, type OptionSpecs } from '../cli-command.js';
import { parseOptions, toJson } from '../parse-options.js';
import type { RotationOperations } from '../rotation-operations.js';

const USAGE =
  'coffer rotation secret|parameter NAME [--function F] [--every 30d|12h | --schedule EXPR] [--later] | ' +
  'rotation cancel NAME [--parameter] | rotation status [NAME] [--parameter] [--json]';

function rulesFrom(every: string | undefined, schedule: string | undefined): RotationRulesType | undefined {
  if (every !== undefined && schedule !== undefined) throw new UsageError('give --every or --schedule, not both');
  if (schedule !== undefined) return { ScheduleExpression: schedule };
  if (every === undefined) return undefined;
  const match = /^(\d+)([dh])$/.exec(every);
  if (!match) throw new UsageError('--every is a number of days or hours: 30d, 12h');
  return match[2] === 'd'
    ? { AutomaticallyAfterDays: Number(match[1]) }
    : { ScheduleExpression: `rate(${match[1]} hours)` };
}

const OPTIONS = {
  function: {
    type: 'string',
    value: 'NAME',
    description: 'the rotation function (coffer functions register), by name or ARN',
  },
  every: { type: 'string', value: '30d|12h', description: 'rotate again every N days or hours' },
  schedule: {
    type: 'string',
    value: 'EXPR',
    description: 'rotate on a schedule: rate(...) or cron(...), as Secrets Manager takes them',
  },
  later: { type: 'boolean', description: 'only set the schedule; do not rotate now' },
  parameter: {
    type: 'boolean',
    description: 'cancel and status: NAME is a parameter (a name starting with / is one anyway)',
  },
  json: { type: 'boolean', description: 'print as JSON' },
} as const satisfies OptionSpecs;

/** How long `rotation secret|parameter` waits for the rotation it started. */
const WAIT_MS = 120_000;

const iso = (d: unknown) =>
  d instanceof Date
    ? d.toISOString()
    : typeof d === 'string' || typeof d === 'number'
      ? new Date(d).toISOString()
      : '-';

/** One status line of a run. */
function runLine(r: Record<string, unknown>): string {
  return (
    `${iso(r.StartedDate)}  ${String(r.Kind)} ${String(r.Target)}  ${String(r.Status)}` +
    `${r.Step && r.Status !== 'succeeded' ? ` at ${String(r.Step)}` : ''}${r.Error ? `: ${String(r.Error)}` : ''}  ` +
    `(attempt ${String(r.Attempts)})`
  );
}

/** Waits for the first run of `name` not in `before` to finish; throws, in one line, if it failed. */
async function awaitRun(
  rotation: RotationOperations,
  name: string,
  kind: 'secret' | 'parameter',
  before: ReadonlySet<unknown>,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const run = (await rotation.status(name, kind)).find((r) => !before.has(r.RunId));
    if (run && run.Status === 'succeeded') return run;
    if (run && run.Status === 'failed')
      throw new Error(
        `RotationFailed: ${name} was not rotated: step ${String(run.Step)} failed: ${String(run.Error ?? 'no detail')}`,
      );
    if (Date.now() > deadline)
      throw new Error(
        `the rotation of ${name} has not finished after ${WAIT_MS / 1000} s; see coffer rotation status ${name}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export const rotationCommand: CliCommand = {
  name: 'rotation',
  summary: "rotate secrets and parameters now and on schedules; cancel; show each run's status",
  usage: USAGE,
  options: OPTIONS,
  examples: [
    'coffer rotation secret prod/db --function pw --every 30d',
    'coffer rotation parameter /prod/api-key --function pw --later --every 12h',
    'coffer rotation status prod/db',
    'coffer rotation cancel prod/db',
  ],
  async run(args, session, io) {
    const [action, ...rest] = args;
    const { values, positionals } = parseOptions(rest, OPTIONS);
    const rotation = await session.rotation();
    switch (action) {
      case 'secret':
      case 'parameter': {
        if (positionals.length !== 1) throw new UsageError(`rotation ${action} takes one NAME`);
        const request = {
          name: positionals[0]!,
          ...(values.function ? { functionName: values.function } : {}),
          rules: rulesFrom(values.every, values.schedule),
          immediately: values.later !== true,
        };
        const before = request.immediately
          ? new Set((await rotation.status(request.name, action)).map((r) => r.RunId))
          : new Set();
        const result =
          action === 'secret' ? await rotation.rotateSecret(request) : await rotation.rotateParameter(request);
        const every = request.rules ? `, again every ${values.every ?? values.schedule}` : '';
        if (!request.immediately) {
          io.out(values.json ? toJson(result) : `${request.name}: scheduled${every}\n`);
          return 0;
        }
        // Rotated now: the command says how it ended, and fails (exit 1) if it did.
        const run = await awaitRun(rotation, request.name, action, before);
        io.out(
          values.json
            ? toJson({ ...result, Run: run })
            : `${request.name}: rotated (version ${String(run.VersionId)})${every}\n`,
        );
        return 0;
      }
      case 'cancel': {
        if (positionals.length !== 1) throw new UsageError('rotation cancel takes one NAME');
        await (values.parameter ? rotation.cancelParameter(positionals[0]!) : rotation.cancelSecret(positionals[0]!));
        return 0;
      }
      case 'status': {
        const runs = await rotation.status(
          positionals[0],
          values.parameter
            ? 'parameter'
            : positionals[0]?.startsWith('/')
              ? 'parameter'
              : positionals[0]
                ? 'secret'
                : undefined,
        );
        io.out(values.json ? toJson(runs) : runs.map((r) => `${runLine(r)}\n`).join(''));
        return 0;
      }
      default:
        throw new UsageError(USAGE);
    }
  },
};
