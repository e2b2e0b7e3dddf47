/**
 * `coffer exec PATH... -- COMMAND [ARGS...]`: runs COMMAND with the parameters under each path
 * in its environment (names mapped as chamber maps them). Within one path two names mapping to
 * one variable are refused; a later path overrides an earlier one, so /shared then /app layers.
 * A path that holds nothing is said on stderr (a typo would otherwise start the app with no
 * secrets), and with --strict stops the command before it starts.
 */
import { spawn } from 'node:child_process';
import { UsageError, type CliCommand, type OptionSpecs } from '../cli-command.js';
import { toEnvironment } from '../env-names.js';
import { parametersUnder } from '../parameter-listing.js';
import { parseOptions } from '../parse-options.js';

const OPTIONS = {
  recursive: { type: 'boolean', short: 'r', description: "take the parameters under each path's sub-paths too" },
  strict: { type: 'boolean', description: 'refuse to run the command when a path holds no parameters' },
} as const satisfies OptionSpecs;

export const execCommand: CliCommand = {
  name: 'exec',
  summary: 'run a command with the parameters under paths as environment variables',
  usage: 'coffer exec PATH... [--recursive] [--strict] -- COMMAND [ARGS...]',
  options: OPTIONS,
  examples: [
    'coffer exec /dev/app -- node server.js',
    'coffer exec /shared /dev/app --strict -- env',
    'coffer exec /dev -r -- python3 app.py',
  ],
  async run(args, session, io) {
    const split = args.indexOf('--');
    if (split === -1 || split === args.length - 1) throw new UsageError('exec needs -- followed by the command to run');
    const { values, positionals: paths } = parseOptions(args.slice(0, split), OPTIONS);
    if (paths.length === 0) throw new UsageError('exec takes at least one PATH before --');
    const parameters = await session.parameters();
    const injected: Record<string, string> = {};
    for (const path of paths) {
      const found = await parametersUnder(parameters, path, values.recursive === true);
      if (found.length === 0) {
        if (values.strict)
          throw new Error(
            `no parameters under ${path}${values.recursive ? '' : ' (sub-paths need --recursive)'}: not running ` +
              `${args[split + 1]}`,
          );
        io.err(
          `coffer: warning: no parameters under ${path}${values.recursive ? '' : ' (sub-paths need --recursive)'}\n`,
        );
      }
      for (const [variable, value] of toEnvironment(found.map((p) => ({ name: p.Name!, value: p.Value! }))))
        injected[variable] = value;
    }
    await session.close();
    const [command, ...commandArgs] = args.slice(split + 1) as [string, ...string[]];
    const child = spawn(command, commandArgs, { stdio: 'inherit', env: { ...session.env, ...injected } });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, forward);
    return new Promise<number>((resolve, reject) => {
      child.on('error', (error) => reject(new Error(`cannot run ${command}: ${error.message}`)));
      child.on('exit', (code, signal) =>
        resolve(
          code ??
            128 +
              (signal
                ? (({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1, SIGKILL: 9 } as Record<string, number>)[signal] ?? 1)
                : 1),
        ),
      );
    });
  },
};
