/**
 * `coffer iam ...`: the everyday IAM subset, locally (as the account's root) or against a
 * server: create a user with tags and a policy file, issue an access key, attach a managed
 * policy, list users, and say who the caller is.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { UsageError, type CliCommand, type OptionSpecs } from '../cli-command.js';
import { parseOptions, parseTagPairs, toJson } from '../parse-options.js';

const USAGE =
  'coffer iam create-user NAME [--tag KEY=VALUE]... [--policy-file FILE [--policy-name NAME]] | ' +
  'iam create-key [USER] | iam attach-policy USER POLICY | iam users [--json] | iam whoami [--json]';

/** A managed policy by ARN, or by the name of an AWS-managed one (AmazonSSMReadOnlyAccess). */
function policyArn(reference: string): string {
  return reference.startsWith('arn:') ? reference : `arn:aws:iam::aws:policy/${reference}`;
}

const OPTIONS = {
  tag: { type: 'string', multiple: true, value: 'KEY=VALUE', description: 'create-user: a tag for the user' },
  'policy-file': {
    type: 'string',
    value: 'FILE',
    description: 'create-user: an inline policy for the user, from a JSON file',
  },
  'policy-name': {
    type: 'string',
    value: 'NAME',
    description: "create-user: the inline policy's name (the file's name by default)",
  },
  json: { type: 'boolean', description: 'print as JSON' },
} as const satisfies OptionSpecs;

export const iamCommand: CliCommand = {
  name: 'iam',
  summary: 'create users with tags and policies, issue access keys, attach managed policies, whoami',
  usage: USAGE,
  options: OPTIONS,
  examples: [
    'coffer iam create-user app --tag team=payments --policy-file app-policy.json',
    'coffer iam create-key app',
    'coffer iam attach-policy app AmazonSSMReadOnlyAccess',
    'coffer iam whoami',
  ],
  async run(args, session, io) {
    const [action, ...rest] = args;
    const { values, positionals } = parseOptions(rest, OPTIONS);
    const iam = await session.identity();
    switch (action) {
      case 'create-user': {
        if (positionals.length !== 1) throw new UsageError('iam create-user takes one NAME');
        const name = positionals[0]!;
        // Read the policy before creating anything, so a missing file leaves no half-made user.
        const document = values['policy-file'] === undefined ? undefined : readFileSync(values['policy-file'], 'utf8');
        const user = await iam.createUser({ UserName: name, Tags: parseTagPairs(values.tag) });
        if (document !== undefined) {
          await iam.putUserPolicy(
            name,
            values['policy-name'] ?? basename(values['policy-file']!).replace(/\.json$/, ''),
            document,
          );
        }
        io.out(values.json ? toJson(user) : `${user.Arn}\n`);
        return 0;
      }
      case 'create-key': {
        if (positionals.length > 1) throw new UsageError('iam create-key takes at most one USER');
        const key = await iam.createAccessKey(positionals[0]);
        io.err('coffer: the secret is shown once; store it now\n');
        io.out(
          values.json
            ? toJson(key)
            : `AWS_ACCESS_KEY_ID=${key.AccessKeyId}\nAWS_SECRET_ACCESS_KEY=${key.SecretAccessKey}\n`,
        );
        return 0;
      }
      case 'attach-policy': {
        if (positionals.length !== 2)
          throw new UsageError('iam attach-policy takes USER and POLICY (an ARN or an AWS-managed policy name)');
        await iam.attachUserPolicy(positionals[0]!, policyArn(positionals[1]!));
        return 0;
      }
      case 'users': {
        const users = await iam.listUsers();
        io.out(values.json ? toJson(users) : users.map((u) => `${u.UserName}  ${u.Arn}\n`).join(''));
        return 0;
      }
      case 'whoami': {
        const identity = await iam.whoami();
        io.out(values.json ? toJson(identity) : `${identity.Arn}\n`);
        return 0;
      }
      default:
        throw new UsageError(`iam takes create-user, create-key, attach-policy, users or whoami: ${USAGE}`);
    }
  },
};
