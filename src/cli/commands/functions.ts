/**
 * `coffer functions register|list|remove`: the rotation functions RotationLambdaARN names —
 * an HTTP endpoint Coffer POSTs Lambda's rotation event to, or a built-in rotator.
 */
import { UsageError, type CliCommand, type OptionSpecs } from '../cli-command.js';
import { parseOptions, toJson } from '../parse-options.js';

const USAGE =
  'coffer functions register NAME (--url URL | --builtin random-password|postgres [--field NAME] [--length N]) | ' +
  'functions list [--json] | functions remove NAME';

const OPTIONS = {
  url: {
    type: 'string',
    value: 'URL',
    description: "register an HTTP endpoint that Coffer POSTs Lambda's rotation events to (signed)",
  },
  builtin: { type: 'string', value: 'random-password|postgres', description: 'register a built-in rotator' },
  field: {
    type: 'string',
    value: 'NAME',
    description:
      'built-in rotators: the JSON field to rotate (password by default; a value that is not JSON is replaced whole)',
  },
  length: { type: 'string', value: 'N', description: "random-password: the new password's length" },
  json: { type: 'boolean', description: 'print as JSON' },
} as const satisfies OptionSpecs;

export const functionsCommand: CliCommand = {
  name: 'functions',
  summary: 'register, list and remove rotation functions (HTTP endpoints or built-in rotators)',
  usage: USAGE,
  options: OPTIONS,
  examples: [
    'coffer functions register pw --builtin random-password --length 32',
    'coffer functions register mine --url http://127.0.0.1:9000/rotate',
    'coffer functions list',
  ],
  async run(args, session, io) {
    const [action, ...rest] = args;
    const { values, positionals } = parseOptions(rest, OPTIONS);
    const rotation = await session.rotation();
    switch (action) {
      case 'register': {
        if (positionals.length !== 1) throw new UsageError('functions register takes one NAME');
        if ((values.url === undefined) === (values.builtin === undefined))
          throw new UsageError('give either --url or --builtin');
        const options = {
          ...(values.field ? { field: values.field } : {}),
          ...(values.length ? { length: Number(values.length) } : {}),
        };
        const registered = await rotation.registerFunction({
          Name: positionals[0]!,
          ...(values.url ? { Url: values.url } : { Builtin: values.builtin!, Options: options }),
        });
        if (values.url)
          io.err(
            'coffer: the signing key is shown once: the function checks X-Coffer-Signature = sha256=HMAC(key, ' +
              '"<X-Coffer-Timestamp>.<body>")\n',
          );
        io.out(
          values.json
            ? toJson(registered)
            : `${registered.Arn}\n${values.url ? `COFFER_SIGNING_KEY=${registered.SigningKey}\n` : ''}`,
        );
        return 0;
      }
      case 'list': {
        const functions = await rotation.listFunctions();
        io.out(
          values.json
            ? toJson(functions)
            : functions.map((f) => `${f.Name}  ${f.Kind}  ${f.Target}  ${f.Arn}\n`).join(''),
        );
        return 0;
      }
      case 'remove': {
        if (positionals.length !== 1) throw new UsageError('functions remove takes one NAME');
        await rotation.removeFunction(positionals[0]!);
        return 0;
      }
      default:
        throw new UsageError(USAGE);
    }
  },
};
