/**
 * `coffer agent`: a local caching endpoint for any AWS SDK, like AWS's Secrets Manager Agent
 * and the Parameters and Secrets Lambda Extension, pointed at any upstream (a Coffer server, or
 * AWS when --upstream is absent). Reads come from the SDK's cache (refreshed ahead, served stale
 * while the upstream is down, invalidated by the upstream's change feed); writes are refused,
 * or sent upstream with --forward-writes. Loopback only: every local client of an agent has the
 * agent's upstream permissions.
 */
import { dataDirectory } from '../../bootstrap/settings.js';
import { agentCredentials } from '../../agent/agent-credentials.js';
import { AgentServer } from '../../agent/agent-server.js';
import { ClientAgentSource } from '../../agent/client-agent-source.js';
import { createClient } from '../../client/index.js';
import { parseDuration } from '../../client/duration.js';
import { UsageError, type CliCommand, type OptionSpecs } from '../cli-command.js';
import { parseOptions } from '../parse-options.js';

const OPTIONS = {
  upstream: {
    type: 'string',
    value: 'URL',
    description: 'the server to read from (COFFER_AGENT_UPSTREAM); AWS itself when absent',
  },
  port: { type: 'string', value: 'PORT', description: 'the port on 127.0.0.1 (COFFER_AGENT_PORT; 2773 by default)' },
  region: { type: 'string', value: 'REGION', description: 'the upstream region (AWS_REGION; us-east-1 by default)' },
  'max-age': {
    type: 'string',
    value: 'DURATION',
    description: 'how long a value is served before it is read again (COFFER_CACHE_MAX_AGE; 5m by default)',
  },
  'forward-writes': { type: 'boolean', description: 'send writes upstream instead of refusing them' },
} as const satisfies OptionSpecs;

export const agentCommand: CliCommand = {
  name: 'agent',
  summary: 'serve a local caching endpoint (SSM and Secrets Manager reads, the Lambda extension paths) for any SDK',
  usage: 'coffer agent [--upstream URL] [--port 2773] [--forward-writes]',
  options: OPTIONS,
  examples: [
    'coffer agent --upstream http://127.0.0.1:4566',
    'coffer agent --upstream https://coffer.internal:4566 --port 2773 --max-age 1m',
    'coffer agent --forward-writes   # reads AWS itself, with the AWS credential chain',
  ],
  async run(args, session, io) {
    const { values, positionals } = parseOptions(args, OPTIONS);
    if (positionals.length > 0) throw new UsageError('agent takes no arguments');
    const env = session.env;
    const upstream = values.upstream ?? env.COFFER_AGENT_UPSTREAM;
    const port = Number(values.port ?? env.COFFER_AGENT_PORT ?? 2773);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`not a port: ${values.port}`);
    const region = values.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
    const maxAge = values['max-age'] ?? env.COFFER_CACHE_MAX_AGE;
    const client = createClient({
      ...(upstream ? { endpoint: upstream } : {}),
      region,
      ...(maxAge ? { maxAgeMs: parseDuration(maxAge, 'COFFER_CACHE_MAX_AGE') } : {}),
      env,
    });
    const source = new ClientAgentSource(client, { ...(upstream ? { endpoint: upstream } : {}), region });
    const { credentials, madeKeys, madeToken, file } = agentCredentials(env, dataDirectory(env));
    const server = new AgentServer(source, credentials, values['forward-writes'] === true, (error) =>
      io.err(`coffer agent: internal fault: ${(error as Error).name}\n`),
    );
    const bound = await server.listen(port);
    io.err(`coffer agent: listening on http://127.0.0.1:${bound}, reading from ${upstream ?? `AWS (${region})`}\n`);
    // Only what was made now is shown, once; what came from the environment never is.
    if (madeKeys || madeToken)
      io.err(
        `coffer agent: made now (shown once, also saved to ${file}):\n` +
          (madeKeys
            ? `  AWS_ACCESS_KEY_ID=${credentials.accessKeyId}\n  AWS_SECRET_ACCESS_KEY=${credentials.secretAccessKey}\n`
            : '') +
          (madeToken ? `  COFFER_AGENT_TOKEN=${credentials.token}\n` : ''),
      );
    io.err(`coffer agent: access key ${credentials.accessKeyId}\n`);
    await new Promise<void>((resolve) => {
      process.on('SIGTERM', () => resolve());
      process.on('SIGINT', () => resolve());
    });
    await server.close();
    source.close();
    await client.close();
    return 0;
  },
};
