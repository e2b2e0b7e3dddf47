/**
 * `coffer env`: the shell exports that point every AWS tool at the running server (the
 * `awslocal` convenience without a wrapper): `eval "$(coffer env)"`. The endpoint is the server
 * running on this data directory (its server.json), COFFER_ENDPOINT, or the default port; the
 * credentials are the root credentials (COFFER_ROOT_* or the data directory's file).
 */
import { existsSync, readFileSync } from 'node:fs';
import { rootCredentialsFile } from '../../bootstrap/root-credentials.js';
import { dataDirectory, settingsFromEnv } from '../../bootstrap/settings.js';
import { UsageError, type CliCommand, type OptionSpecs } from '../cli-command.js';
import { parseOptions } from '../parse-options.js';
import { runningServer } from '../server-state.js';

const OPTIONS = {
  'credentials-file': {
    type: 'boolean',
    description: 'export AWS_SHARED_CREDENTIALS_FILE (the root credentials file) instead of the keys themselves',
  },
} as const satisfies OptionSpecs;

/** A value quoted for a POSIX shell. */
const quoted = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/** The key pair of an AWS credentials file's [default] profile. */
function keysOf(file: string): { id: string; secret: string } | undefined {
  const text = readFileSync(file, 'utf8');
  const id = /^aws_access_key_id\s*=\s*(\S+)/m.exec(text)?.[1];
  const secret = /^aws_secret_access_key\s*=\s*(\S+)/m.exec(text)?.[1];
  return id && secret ? { id, secret } : undefined;
}

export const envCommand: CliCommand = {
  name: 'env',
  summary: 'print shell exports that point the AWS CLI, boto3 and the SDKs at the running server: eval "$(coffer env)"',
  usage: 'coffer env [--credentials-file]',
  options: OPTIONS,
  examples: ['eval "$(coffer env)" && aws ssm describe-parameters', 'coffer env --credentials-file >> .envrc'],
  async run(args, session, io) {
    const { values, positionals } = parseOptions(args, OPTIONS);
    if (positionals.length > 0) throw new UsageError('env takes no arguments');
    const settings = settingsFromEnv(session.env);
    const dataDir = dataDirectory(session.env);
    const server = runningServer(dataDir);
    const endpoint = session.endpoint ?? server?.url ?? 'http://127.0.0.1:4566';
    const lines: string[] = [];
    if (!server && !session.endpoint)
      lines.push(
        `# no coffer serve is running on ${dataDir}: start one with coffer serve (the default port is assumed)`,
      );
    lines.push(`export AWS_ENDPOINT_URL=${quoted(endpoint)}`);
    const file = rootCredentialsFile(dataDir);
    const fromEnv =
      session.env.COFFER_ROOT_ACCESS_KEY_ID && session.env.COFFER_ROOT_SECRET_ACCESS_KEY
        ? { id: session.env.COFFER_ROOT_ACCESS_KEY_ID, secret: session.env.COFFER_ROOT_SECRET_ACCESS_KEY }
        : undefined;
    if (values['credentials-file'] && fromEnv)
      throw new Error(
        'the root credentials come from COFFER_ROOT_ACCESS_KEY_ID and COFFER_ROOT_SECRET_ACCESS_KEY here, not from a ' +
          'file: there is no credentials file to point at (leave out --credentials-file to export the keys)',
      );
    if (values['credentials-file']) {
      if (!existsSync(file)) throw new Error(`no root credentials file at ${file} yet: start coffer serve once`);
      lines.push(
        `export AWS_SHARED_CREDENTIALS_FILE=${quoted(file)}`,
        'export AWS_PROFILE=default',
        'unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN',
      );
    } else {
      const keys = fromEnv ?? (existsSync(file) ? keysOf(file) : undefined);
      if (!keys)
        throw new Error(
          `no root credentials: set COFFER_ROOT_ACCESS_KEY_ID and COFFER_ROOT_SECRET_ACCESS_KEY, or start coffer ` +
            `serve once (it writes ${file})`,
        );
      lines.push(
        `export AWS_ACCESS_KEY_ID=${quoted(keys.id)}`,
        `export AWS_SECRET_ACCESS_KEY=${quoted(keys.secret)}`,
        'unset AWS_SESSION_TOKEN',
      );
    }
    lines.push(`export AWS_REGION=${quoted(settings.region)}`, `export AWS_DEFAULT_REGION=${quoted(settings.region)}`);
    io.out(`${lines.join('\n')}\n`);
    return 0;
  },
};
