/** `coffer keys ...`: list, create and rotate logical keys; rotate the master key. */
import { rotateMasterKey } from '../../bootstrap/master-key-rotation.js';
import { dataDirectory } from '../../bootstrap/settings.js';
import { serviceEvent } from '../../engine/audit/service-events.js';
import { UsageError, type CliCommand, type OptionSpecs } from '../cli-command.js';
import { parseOptions, toJson } from '../parse-options.js';
import { runningServer } from '../server-state.js';

const OPTIONS = {
  json: { type: 'boolean', description: 'list, create: print as JSON' },
  description: { type: 'string', value: 'TEXT', description: "create: the key's description" },
  alias: { type: 'string', value: 'alias/NAME', description: 'create: an alias for the key' },
} as const satisfies OptionSpecs;

export const keysCommand: CliCommand = {
  name: 'keys',
  summary: 'list, create and rotate encryption keys; rotate-master re-wraps them under a new master key',
  usage:
    'coffer keys list [--json] | keys create [--description TEXT] [--alias alias/NAME] | keys rotate KEY | keys ' +
    'rotate-master',
  options: OPTIONS,
  examples: [
    'coffer keys list',
    'coffer keys create --alias alias/orders --description "orders service"',
    'coffer keys rotate alias/orders',
    'coffer keys rotate-master',
  ],
  async run(args, session, io) {
    const [action, ...rest] = args;
    const { values, positionals } = parseOptions(rest, OPTIONS);
    const coffer = await session.open();
    const ctx = await session.context();
    switch (action) {
      case 'list': {
        const keys = coffer.keyring.list(ctx);
        io.out(
          values.json
            ? toJson(keys)
            : keys
                .map(
                  (k) =>
                    `${k.keyId}  ${k.keyManager}  generation ${k.generations}  ${k.aliases.join(',')}  ` +
                    `${k.description}\n`,
                )
                .join(''),
        );
        return 0;
      }
      case 'create': {
        const key = await coffer.keyring.createKey(ctx, values.description ?? '', values.alias);
        io.out(values.json ? toJson(key) : `${key.arn}\n`);
        return 0;
      }
      case 'rotate': {
        if (positionals.length !== 1) throw new UsageError('keys rotate takes one KEY (id, ARN or alias)');
        const reference = positionals[0]!;
        const before = await coffer.keyring.describe(ctx, reference);
        // Recorded as KMS records a rotation it makes by itself, committed with the new generation.
        const event = serviceEvent(
          {
            source: 'kms.amazonaws.com',
            name: 'RotateKey',
            ...ctx,
            arns: [before.arn],
            details: { keyId: before.keyId, generation: before.generations + 1, initiatedBy: 'coffer keys rotate' },
          },
          coffer.clock.now(),
        );
        const key = await coffer.audit.recordDuring(event, () => coffer.keyring.rotateKeyMaterial(ctx, reference));
        io.out(`${key.arn}: now at generation ${key.generations}; older generations still decrypt\n`);
        return 0;
      }
      case 'rotate-master': {
        // A running server holds the master key in memory: rewrapping under it would leave every
        // process unable to read its keys again.
        const server = runningServer(dataDirectory(session.env));
        if (server)
          throw new Error(
            `coffer serve (pid ${server.pid}, ${server.url}) is running on this store: stop it before rotate-master`,
          );
        const event = serviceEvent(
          {
            source: 'coffer.amazonaws.com',
            name: 'RotateMasterKey',
            ...ctx,
            arns: [],
            details: {
              initiatedBy: 'coffer keys rotate-master',
              keyLocation: session.env.COFFER_MASTER_KEY ? 'environment' : 'file',
            },
          },
          coffer.clock.now(),
        );
        const result = await coffer.audit.recordDuring(event, () => rotateMasterKey(coffer, session.env));
        if (result.newKeyText) {
          io.err(
            `re-wrapped ${result.rewrapped} key generations. Store this new master key in COFFER_MASTER_KEY now; the ` +
              `old one no longer opens the store:\n`,
          );
          io.out(`${result.newKeyText}\n`);
        } else {
          io.out(`re-wrapped ${result.rewrapped} key generations under a new master key in ${result.keyFile}\n`);
        }
        return 0;
      }
      default:
        throw new UsageError('keys takes list, create, rotate or rotate-master');
    }
  },
};
