/**
 * The `coffer` command line: dispatches to subcommands, prints one clear line on stderr for any
 * failure (the AWS error code first when there is one), and sets the exit code:
 * 0 success, 1 failure, 2 usage mistake.
 */
import { CryptoError } from '../crypto/errors.js';
import { ServiceError } from '../engine/service-error.js';
import { UsageError, type CliCommand, type CliIo } from './cli-command.js';
import { CliSession } from './cli-session.js';
import { auditCommand } from './commands/audit.js';
import { reportCommand } from './commands/report.js';
import { execCommand } from './commands/exec.js';
import { exportCommand } from './commands/export.js';
import { getCommand } from './commands/get.js';
import { functionsCommand } from './commands/functions.js';
import { historyCommand } from './commands/history.js';
import { iamCommand } from './commands/iam.js';
import { importCommand } from './commands/import.js';
import { keysCommand } from './commands/keys.js';
import { labelCommand } from './commands/label.js';
import { lsCommand } from './commands/ls.js';
import { putCommand } from './commands/put.js';
import { rmCommand } from './commands/rm.js';
import { rotationCommand } from './commands/rotation.js';
import { serveCommand } from './commands/serve.js';
import { tagCommand } from './commands/tag.js';
import { envCommand } from './commands/env.js';
import { resetCommand } from './commands/reset.js';
import { agentCommand } from './commands/agent.js';
import { profileCommand } from './commands/profile.js';
import { diffCommand } from './commands/diff.js';
import { syncCommand } from './commands/sync.js';
import { commandHelp, nearest } from './parse-options.js';
import { COFFER_VERSION } from './version.js';
import { rootCredentialsFile } from '../bootstrap/root-credentials.js';
import { dataDirectory } from '../bootstrap/settings.js';

/** The commands, in the groups the help shows them in. */
const GROUPS: readonly (readonly [string, readonly CliCommand[]])[] = [
  [
    'Parameters',
    [
      putCommand,
      getCommand,
      lsCommand,
      historyCommand,
      rmCommand,
      labelCommand,
      tagCommand,
      execCommand,
      exportCommand,
      importCommand,
    ],
  ],
  ['Profiles', [profileCommand]],
  ['Sync', [syncCommand, diffCommand]],
  ['Server', [serveCommand, envCommand, resetCommand, agentCommand]],
  ['Keys, identity and rotation', [keysCommand, iamCommand, functionsCommand, rotationCommand]],
  ['Audit', [auditCommand, reportCommand]],
];
/** Every command (exported for the help tests, which check each one's help against its options). */
export const COMMANDS: readonly CliCommand[] = GROUPS.flatMap(([, commands]) => commands);

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `coffer ${COFFER_VERSION}: secrets and configuration with the AWS Parameter Store and Secrets Manager APIs (and ` +
      `IAM, STS, KMS,\n`,
    'CloudTrail), on an encrypted local store or PostgreSQL. The AWS CLI, boto3 and the SDKs work against `coffer ' +
      'serve`;\n',
    'these commands work on the store directly, or on a server with --endpoint.\n\n',
    'Usage: coffer COMMAND [ARGS]      coffer COMMAND --help (or coffer help COMMAND) for its options and examples\n',
    ...GROUPS.flatMap(([group, commands]) => [
      `\n${group}:\n`,
      ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}\n`),
    ]),
    '\nSecrets Manager: `coffer serve`, then `aws secretsmanager ...` (create-secret, get-secret-value, ' +
      'rotate-secret...);\n',
    '  `coffer rotation` and `coffer functions` rotate secrets and parameters.\n',
    '\nEnvironment: COFFER_DATA_DIR (default ~/.local/share/coffer), COFFER_DATABASE_URL (postgres://...),\n',
    '             COFFER_MASTER_KEY (base64, 32 bytes; default: <data-dir>/master.key), COFFER_ACCOUNT_ID, ' +
      'COFFER_REGION\n',
    'Remote mode: --endpoint URL or COFFER_ENDPOINT talks to a Coffer server with AWS credentials from the ' +
      'environment.\n',
    '\nOptions: -h, --help  this help      -v, --version  the version\n',
  ].join('');
}

/** Whether `args`, before any `--` (what follows is another command's: exec's), ask for help. */
function asksForHelp(args: readonly string[]): boolean {
  const stop = args.includes('--') ? args.indexOf('--') : args.length;
  return args.slice(0, stop).some((a) => a === '--help' || a === '-h');
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ECONNRESET', 'EAI_AGAIN']);

/** One line describing a failure; never a stack trace, never a value. */
export function describeFailure(error: unknown, session?: CliSession): string {
  if (error instanceof ServiceError || error instanceof CryptoError) return `${error.code}: ${error.message}`;
  const code = (error as { code?: unknown } | undefined)?.code;
  if (session?.endpoint && typeof code === 'string' && UNREACHABLE.has(code)) {
    return `no Coffer server answers at ${session.endpoint} (is \`coffer serve\` running? ${code})`;
  }
  if (error instanceof Error && error.name === 'CredentialsProviderError') {
    return (
      `no AWS credentials for ${session?.endpoint ?? 'the server'}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY ` +
      `(a server's root credentials are in ${rootCredentialsFile(dataDirectory(session?.env ?? process.env))}), or ` +
      `run eval "$(coffer env)"`
    );
  }
  // An error answered by a server through the AWS SDK: its name is the AWS error code.
  if (error instanceof Error && '$metadata' in error) return `${error.name}: ${error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** The process's real streams. */
export const processIo: CliIo = {
  out: (text) => {
    process.stdout.write(text);
  },
  err: (text) => {
    process.stderr.write(text);
  },
  errIsTty: process.stderr.isTTY === true,
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
};

/** Takes `--endpoint URL` (or `--endpoint=URL`) out of the arguments before any `--`. */
function takeEndpoint(argv: string[]): { endpoint: string | undefined; rest: string[] } {
  const stop = argv.includes('--') ? argv.indexOf('--') : argv.length;
  for (let i = 0; i < stop; i++) {
    if (argv[i] === '--endpoint' && i + 1 < stop)
      return { endpoint: argv[i + 1], rest: [...argv.slice(0, i), ...argv.slice(i + 2)] };
    if (argv[i]!.startsWith('--endpoint='))
      return { endpoint: argv[i]!.slice(11), rest: [...argv.slice(0, i), ...argv.slice(i + 1)] };
  }
  return { endpoint: undefined, rest: argv };
}

/** Runs one invocation and returns its exit code. */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  const { endpoint, rest } = takeEndpoint(argv);
  const [name, ...args] = rest;
  if (name === '--version' || name === '-v' || name === 'version') {
    io.out(`coffer ${COFFER_VERSION}\n`);
    return 0;
  }
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const topic = COMMANDS.find((c) => c.name === args[0]);
    if (args[0] !== undefined && !topic) return unknownCommand(args[0], io);
    io.out(topic ? commandHelp(topic) : help());
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) return unknownCommand(name, io);
  if (asksForHelp(args)) {
    io.out(commandHelp(command));
    return 0;
  }
  const session = new CliSession(env, endpoint ?? (env.COFFER_ENDPOINT || undefined));
  try {
    return await command.run(args, session, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`coffer ${name}: ${error.message}\nUsage: ${command.usage}\n`);
      return 2;
    }
    io.err(`coffer: ${describeFailure(error, session)}\n`);
    return 1;
  } finally {
    await session.close().catch(() => {});
  }
}

function unknownCommand(name: string, io: CliIo): number {
  const near = nearest(
    name,
    COMMANDS.map((c) => c.name),
  );
  io.err(
    `coffer: unknown command ${name}${near ? ` (did you mean coffer ${near}?)` : ''}; run coffer --help for the list\n`,
  );
  return 2;
}

/** Entry point for bin/coffer.js. */
export async function main(argv: string[]): Promise<void> {
  process.exitCode = await runCli(argv, process.env, processIo);
}
