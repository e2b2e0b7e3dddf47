/**
 * IAM names, paths, ids and ARNs, with the constraints AWS's IAM API reference gives them.
 */
import { randomBytes } from 'node:crypto';
import { constraintFailure, validationMessage } from '../service-error.js';
import { IamValidationError } from './iam-errors.js';
import type { IamEntityRow } from '../../storage/storage.js';

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const ID_PREFIX: Record<IamEntityRow['kind'], string> = { user: 'AIDA', group: 'AGPA', role: 'AROA', policy: 'ANPA' };
const NAME_LIMIT: Record<IamEntityRow['kind'], number> = { user: 64, group: 128, role: 64, policy: 128 };
const NAME_FIELD: Record<IamEntityRow['kind'], string> = {
  user: 'userName',
  group: 'groupName',
  role: 'roleName',
  policy: 'policyName',
};
const NAME_PATTERN = /^[\w+=,.@-]+$/;

/** A unique id the way IAM shapes them: a kind prefix and 17 base32 characters. */
export function entityId(kind: IamEntityRow['kind']): string {
  return ID_PREFIX[kind] + [...randomBytes(17)].map((b) => ID_ALPHABET[b % 32]).join('');
}

/** The ARN of an entity: `arn:aws:iam::<account>:<kind><path><name>`. */
export function entityArn(account: string, kind: IamEntityRow['kind'], path: string, name: string): string {
  return `arn:aws:iam::${account}:${kind}${path}${name}`;
}

/** Checks an entity name against IAM's pattern and length. */
export function checkEntityName(kind: IamEntityRow['kind'], name: unknown): string {
  const field = NAME_FIELD[kind];
  if (typeof name !== 'string')
    throw new IamValidationError(validationMessage([constraintFailure(field, null, 'Member must not be null')]));
  const failures: string[] = [];
  if (name.length < 1 || name.length > NAME_LIMIT[kind])
    failures.push(constraintFailure(field, name, `Member must have length less than or equal to ${NAME_LIMIT[kind]}`));
  if (!NAME_PATTERN.test(name))
    failures.push(constraintFailure(field, name, 'Member must satisfy regular expression pattern: [\\w+=,.@-]+'));
  if (failures.length > 0) throw new IamValidationError(validationMessage(failures));
  return name;
}

/** Checks a path: `/`, or `/` + segments + `/`, at most 512 characters. */
export function checkPath(path: unknown): string {
  if (path === undefined) return '/';
  if (typeof path !== 'string' || path.length > 512 || !/^\/([\x21-\x7E]*\/)?$/.test(path)) {
    throw new IamValidationError(
      validationMessage([
        constraintFailure(
          'path',
          path,
          'Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)',
        ),
      ]),
    );
  }
  return path;
}

/** Splits a managed-policy ARN into its account (`aws` for AWS-managed) and name. */
export function parsePolicyArn(arn: unknown): { account: string; name: string } | undefined {
  if (typeof arn !== 'string') return undefined;
  const match = /^arn:aws:iam::(\d{12}|aws):policy\/(?:.*\/)?([\w+=,.@-]+)$/.exec(arn);
  return match ? { account: match[1]!, name: match[2]! } : undefined;
}
