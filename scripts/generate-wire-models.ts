/**
 * Generates src/api/models/<service>.ts: AWS's own model of every operation Coffer serves,
 * taken from the botocore service models (`data/<service>/<version>/service-2.json.gz`), reduced
 * to what input decoding needs: shapes, member types, required members, lengths, ranges, enums,
 * patterns and sensitivity. Also the AWS region names from botocore's endpoints.json.
 *
 *   npm run generate:models      (needs python3 with botocore, as on every Coffer machine)
 *
 * Adding an API action: add its name below, run this, commit the regenerated table.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';

const SERVED: Record<string, { version: string; exportName: string; operations: string }> = {
  ssm: {
    version: '2014-11-06',
    exportName: 'ssmModel',
    operations:
      'PutParameter GetParameter GetParameters GetParametersByPath DescribeParameters GetParameterHistory ' +
      'DeleteParameter ' +
      'DeleteParameters LabelParameterVersion UnlabelParameterVersion AddTagsToResource RemoveTagsFromResource ' +
      'ListTagsForResource',
  },
  secretsmanager: {
    version: '2017-10-17',
    exportName: 'secretsManagerModel',
    operations:
      'CreateSecret GetSecretValue BatchGetSecretValue PutSecretValue UpdateSecret DescribeSecret ListSecrets ' +
      'ListSecretVersionIds ' +
      'UpdateSecretVersionStage DeleteSecret RestoreSecret TagResource UntagResource GetRandomPassword ' +
      'PutResourcePolicy GetResourcePolicy ' +
      'DeleteResourcePolicy ValidateResourcePolicy RotateSecret CancelRotateSecret ReplicateSecretToRegions ' +
      'RemoveRegionsFromReplication StopReplicationToReplica',
  },
  iam: {
    version: '2010-05-08',
    exportName: 'iamModel',
    operations:
      'CreateUser GetUser ListUsers DeleteUser TagUser UntagUser ListUserTags CreateAccessKey ListAccessKeys ' +
      'UpdateAccessKey ' +
      'DeleteAccessKey CreateGroup AddUserToGroup RemoveUserFromGroup CreateRole GetRole DeleteRole TagRole ' +
      'UpdateAssumeRolePolicy ' +
      'CreatePolicy GetPolicy GetPolicyVersion ListPolicies DeletePolicy CreatePolicyVersion PutUserPolicy ' +
      'GetUserPolicy ListUserPolicies ' +
      'DeleteUserPolicy AttachUserPolicy DetachUserPolicy ListAttachedUserPolicies PutGroupPolicy GetGroupPolicy ' +
      'ListGroupPolicies ' +
      'DeleteGroupPolicy AttachGroupPolicy DetachGroupPolicy ListAttachedGroupPolicies PutRolePolicy GetRolePolicy ' +
      'ListRolePolicies ' +
      'DeleteRolePolicy AttachRolePolicy DetachRolePolicy ListAttachedRolePolicies SimulatePrincipalPolicy ListRoles ' +
      'ListGroups GetGroup ' +
      'ListGroupsForUser ListEntitiesForPolicy GetAccountSummary ListAccountAliases GetAccessKeyLastUsed',
  },
  sts: { version: '2011-06-15', exportName: 'stsModel', operations: 'GetCallerIdentity AssumeRole GetSessionToken' },
  kms: {
    version: '2014-11-01',
    exportName: 'kmsModel',
    operations:
      'CreateKey DescribeKey ListKeys CreateAlias DeleteAlias ListAliases EnableKeyRotation DisableKeyRotation ' +
      'GetKeyRotationStatus ' +
      'EnableKey DisableKey ScheduleKeyDeletion CancelKeyDeletion Encrypt Decrypt GenerateDataKey PutKeyPolicy ' +
      'GetKeyPolicy ListKeyPolicies ' +
      'TagResource UntagResource ListResourceTags GenerateRandom',
  },
  cloudtrail: { version: '2013-11-01', exportName: 'cloudTrailModel', operations: 'LookupEvents' },
};

/** The error code each service answers a fault of its own with (STS models none; AWS's common one). */
const INTERNAL_ERROR: Record<string, string> = {
  ssm: 'InternalServerError',
  secretsmanager: 'InternalServiceError',
  iam: 'ServiceFailure',
  sts: 'InternalFailure',
  kms: 'KMSInternalException',
  cloudtrail: 'InternalFailure',
};

interface BotocoreShape {
  type: string;
  members?: Record<string, { shape: string; locationName?: string; flattened?: boolean }>;
  required?: string[];
  member?: { shape: string; locationName?: string };
  key?: { shape: string };
  value?: { shape: string };
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  sensitive?: boolean;
  flattened?: boolean;
}

interface BotocoreModel {
  metadata: Record<string, string>;
  operations: Record<string, { input?: { shape: string } }>;
  shapes: Record<string, BotocoreShape>;
}

const ROOT = resolve(import.meta.dirname, '..');
// COFFER_MODELS_OUT lets the test regenerate elsewhere and compare with what is checked in.
const OUT = process.env.COFFER_MODELS_OUT ?? join(ROOT, 'src', 'api', 'models');

function botocoreDir(): string {
  return execFileSync('python3', ['-c', 'import botocore,os;print(os.path.dirname(botocore.__file__))'], {
    encoding: 'utf8',
  }).trim();
}

function botocoreVersion(): string {
  return execFileSync('python3', ['-c', 'import botocore;print(botocore.__version__)'], { encoding: 'utf8' }).trim();
}

/** Java patterns as JavaScript ones: `\p{...}` classes need the u flag; others compile as written. */
function patternFlags(pattern: string): string {
  const flags = pattern.includes('\\p{') ? 'u' : '';
  new RegExp(`^(?:${pattern})$`, flags); // throws on a pattern JavaScript cannot compile
  return flags;
}

function reachable(model: BotocoreModel, operations: string[]): string[] {
  const seen = new Set<string>();
  const walk = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const shape = model.shapes[name]!;
    for (const member of Object.values(shape.members ?? {})) {
      if (member.locationName || member.flattened)
        throw new Error(`${name}: locationName/flattened members are not supported by the decoder`);
      walk(member.shape);
    }
    if (shape.flattened || shape.member?.locationName)
      throw new Error(`${name}: flattened lists are not supported by the decoder`);
    if (shape.member) walk(shape.member.shape);
    if (shape.key) walk(shape.key.shape);
    if (shape.value) walk(shape.value.shape);
  };
  for (const op of operations) {
    const input = model.operations[op]?.input?.shape;
    if (!model.operations[op]) throw new Error(`no operation ${op}`);
    if (input) walk(input);
  }
  return [...seen].sort();
}

function shapeLine(name: string, shape: BotocoreShape): string {
  const out: Record<string, unknown> = { type: shape.type };
  if (shape.members) out.members = Object.fromEntries(Object.entries(shape.members).map(([k, v]) => [k, v.shape]));
  if (shape.required?.length) out.required = shape.required;
  if (shape.member) out.member = shape.member.shape;
  if (shape.key) out.key = shape.key.shape;
  if (shape.value) out.value = shape.value.shape;
  for (const k of ['min', 'max', 'enum'] as const) if (shape[k] !== undefined) out[k] = shape[k];
  if (shape.pattern !== undefined) {
    out.pattern = shape.pattern;
    const flags = patternFlags(shape.pattern);
    if (flags) out.flags = flags;
  }
  if (shape.sensitive) out.sensitive = true;
  return `    ${JSON.stringify(name)}: ${JSON.stringify(out)},`;
}

function generate(service: string, data: string, stamp: string): void {
  const spec = SERVED[service]!;
  const model = JSON.parse(
    gunzipSync(readFileSync(join(data, service, spec.version, 'service-2.json.gz'))).toString('utf8'),
  ) as BotocoreModel;
  const operations = spec.operations.split(/\s+/);
  const shapes = reachable(model, operations);
  const meta = model.metadata;
  const lines = [
    `// Generated by scripts/generate-wire-models.ts from ${stamp} (${service} ${spec.version}). Do not edit; ` +
      `regenerate.`,
    `import type { ServiceModel } from './service-model.js';`,
    '',
    `export const ${spec.exportName}: ServiceModel = {`,
    `  service: ${JSON.stringify(service)},`,
    `  apiVersion: ${JSON.stringify(spec.version)},`,
    `  protocol: ${JSON.stringify(meta.protocol)},`,
    ...(meta.targetPrefix ? [`  targetPrefix: ${JSON.stringify(meta.targetPrefix)},`] : []),
    ...(meta.xmlNamespace ? [`  xmlNamespace: ${JSON.stringify(meta.xmlNamespace)},`] : []),
    `  internalError: ${JSON.stringify(INTERNAL_ERROR[service])},`,
    '  operations: {',
    ...operations.map((op) => `    ${op}: ${JSON.stringify(model.operations[op]!.input?.shape ?? null)},`),
    '  },',
    '  shapes: {',
    ...shapes.map((name) => shapeLine(name, model.shapes[name]!)),
    '  },',
    '};',
    '',
  ];
  writeFileSync(join(OUT, `${service}.ts`), lines.join('\n'));
}

/** Every region of every partition botocore knows (the names credential scopes may carry). */
function generateRegions(data: string, stamp: string): void {
  const endpoints = JSON.parse(readFileSync(join(data, 'endpoints.json'), 'utf8')) as {
    partitions: { regions: Record<string, unknown> }[];
  };
  const regions = [...new Set(endpoints.partitions.flatMap((p) => Object.keys(p.regions)))].sort();
  writeFileSync(
    join(OUT, 'aws-regions.ts'),
    [
      `// Generated by scripts/generate-wire-models.ts from ${stamp} (endpoints.json). Do not edit; regenerate.`,
      '',
      '/** The region names AWS publishes, in every partition. */',
      'export const AWS_REGIONS: readonly string[] = [',
      ...regions.map((r) => `  ${JSON.stringify(r)},`),
      '];',
      '',
    ].join('\n'),
  );
}

const data = join(botocoreDir(), 'data');
const stamp = `botocore ${botocoreVersion()}`;
for (const service of Object.keys(SERVED)) generate(service, data, stamp);
generateRegions(data, stamp);
process.stdout.write(`wrote ${Object.keys(SERVED).length} service models and the region list to ${OUT}\n`);
