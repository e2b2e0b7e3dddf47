/**
 * What an ARN names, as the trail records it: CloudTrail's resource type, and the name people
 * look events up by (a parameter's name with its leading slash, a secret's name without its
 * random suffix, a key's id, an IAM entity's name).
 */
import type { AuditResource, NamedResource } from './audit-record.js';

const MAX_RESOURCES = 100;

type Described = (NamedResource & { accountId: string }) | undefined;

/** ARNs recently described: a trail sees the same few again and again. */
const described = new Map<string, Described>();
const MAX_DESCRIBED = 10_000;

/** CloudTrail's type and Coffer's lookup name of `arn`; undefined for what is not one resource. */
export function describeArn(arn: string): Described {
  const known = described.get(arn);
  if (known !== undefined || described.has(arn)) return known;
  if (described.size >= MAX_DESCRIBED) described.clear();
  const result = describeArnUncached(arn);
  described.set(arn, result);
  return result;
}

function describeArnUncached(arn: string): Described {
  // Patterns (a wildcard, or the `-??????` of a secret not yet made) name no one resource.
  if (!arn.startsWith('arn:') || arn.includes('*') || arn.includes('?')) return undefined;
  const parts = arn.split(':');
  if (parts.length < 6) return undefined;
  const [, , service, , accountId] = parts as [string, string, string, string, string];
  const rest = parts.slice(5).join(':');
  const slash = rest.indexOf('/');
  const kind = slash >= 0 ? rest.slice(0, slash) : rest;
  const tail = slash >= 0 ? rest.slice(slash + 1) : '';
  switch (`${service}:${kind}`) {
    case 'ssm:parameter':
      return { type: 'AWS::SSM::Parameter', name: `/${tail}`, accountId };
    case 'kms:key':
      return { type: 'AWS::KMS::Key', name: tail, accountId };
    case 'kms:alias':
      return { type: 'AWS::KMS::Alias', name: `alias/${tail}`, accountId };
    case 'iam:user':
      return { type: 'AWS::IAM::User', name: tail.slice(tail.lastIndexOf('/') + 1), accountId };
    case 'iam:role':
      return { type: 'AWS::IAM::Role', name: tail.slice(tail.lastIndexOf('/') + 1), accountId };
    case 'iam:group':
      return { type: 'AWS::IAM::Group', name: tail.slice(tail.lastIndexOf('/') + 1), accountId };
    case 'iam:policy':
      return { type: 'AWS::IAM::Policy', name: tail.slice(tail.lastIndexOf('/') + 1), accountId };
    case 'sts:assumed-role':
      return { type: 'AWS::STS::AssumedRole', name: tail, accountId };
    default:
      break;
  }
  if (service === 'secretsmanager' && rest.startsWith('secret:')) {
    const full = rest.slice('secret:'.length);
    return {
      type: 'AWS::SecretsManager::Secret',
      name: /-[A-Za-z0-9]{6}$/.test(full) ? full.slice(0, -7) : full,
      accountId,
    };
  }
  if (service === 'lambda' && rest.startsWith('function:'))
    return { type: 'AWS::Lambda::Function', name: rest.slice('function:'.length), accountId };
  return undefined;
}

/** The resources of an event from the ARNs it touched, first mention first, at most 100. */
export function auditResources(arns: Iterable<string>): { resources: AuditResource[]; names: NamedResource[] } {
  const resources: AuditResource[] = [];
  const names: NamedResource[] = [];
  const seen = new Set<string>();
  for (const arn of arns) {
    if (seen.has(arn) || resources.length >= MAX_RESOURCES) continue;
    seen.add(arn);
    const described = describeArn(arn);
    if (!described) continue;
    resources.push({ ARN: arn, accountId: described.accountId, type: described.type });
    names.push({ type: described.type, name: described.name });
  }
  return { resources, names };
}

/** The resources a stored record names, by type and lookup name. */
export function recordResources(record: { resources?: readonly { ARN?: unknown }[] }): NamedResource[] {
  return (record.resources ?? []).flatMap((r) => {
    const described = typeof r.ARN === 'string' ? describeArn(r.ARN) : undefined;
    return described ? [{ type: described.type, name: described.name }] : [];
  });
}
