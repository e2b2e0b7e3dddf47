/**
 * The agent's API: SSM's and Secrets Manager's reads answered from the cache, in AWS's shapes,
 * from inputs already decoded against AWS's models. Anything else the models name is a write,
 * refused with an AWS-shaped error, or sent upstream with --forward-writes.
 */
import type { ParameterRecord, SecretRecord } from '../client/value-provider.js';
import { ServiceError } from '../engine/service-error.js';
import { toWireJson } from '../api/json/json-output.js';
import type { AgentSource, Served } from './agent-source.js';

type Input = Record<string, unknown>;
export type AgentService = 'ssm' | 'secretsmanager';

/** A write this agent does not send upstream. */
export class ReadOnlyAgent extends ServiceError {
  constructor(operation: string) {
    super(
      'AccessDeniedException',
      `coffer agent serves reads only: ${operation} was not sent upstream (start the agent with --forward-writes ` +
        'to send writes).',
      400,
    );
  }
}

class InvalidNextToken extends ServiceError {
  constructor(code: string) {
    super(code, 'The specified token is not valid.', 400);
  }
}

/**
 * Reads kept whole in the cache (with max age and invalidation by name): those the agent does not
 * answer record by record (a filtered listing among them). Every other operation is a write.
 */
const PASSED_THROUGH = new Set([
  'GetParametersByPath',
  'BatchGetSecretValue',
  'DescribeParameters',
  'GetParameterHistory',
  'ListTagsForResource',
  'DescribeSecret',
  'ListSecrets',
  'ListSecretVersionIds',
  'GetResourcePolicy',
]);

const PAGE = 10;

/**
 * The wire text of one record's answer, made once per cached record: a cache hit then costs no
 * serialisation (records are the cache's own objects, never changed, so their text never changes).
 */
const ANSWERS = new WeakMap<object, string>();
function answerText(record: object, answer: () => object): string {
  let text = ANSWERS.get(record);
  if (text === undefined) {
    text = toWireJson(answer());
    ANSWERS.set(record, text);
  }
  return text;
}

/** Secrets Manager's JSON carries binary values as base64. */
function secretShape(record: SecretRecord): Record<string, unknown> {
  const { SecretBinary, ...rest } = record;
  return SecretBinary === undefined ? rest : { ...rest, SecretBinary: Buffer.from(SecretBinary).toString('base64') };
}

function pageOf<T>(items: readonly T[], input: Input, tokenError: string): { page: T[]; next?: string } {
  const size = typeof input.MaxResults === 'number' ? input.MaxResults : PAGE;
  let offset = 0;
  if (typeof input.NextToken === 'string') {
    const match = /^o([0-9]{1,9})$/.exec(input.NextToken);
    if (!match) throw new InvalidNextToken(tokenError);
    offset = Number(match[1]);
  }
  const page = items.slice(offset, offset + size);
  return offset + size < items.length ? { page, next: `o${offset + size}` } : { page };
}

/** The name a request is about, for invalidation after a forwarded write. */
function namesOf(input: Input): string[] {
  return [input.Name, input.SecretId, input.ResourceId].filter((n): n is string => typeof n === 'string');
}

/** Runs one decoded operation; returns the output and whether any of it was stale. */
export async function runAgentOperation(
  source: AgentSource,
  service: AgentService,
  operation: string,
  input: Input,
  forwardWrites: boolean,
): Promise<Served<object>> {
  const run = service === 'ssm' ? ssmRead(source, operation, input) : secretsRead(source, operation, input);
  if (run) return run;
  if (PASSED_THROUGH.has(operation)) return source.passThrough(service, operation, input, namesOf(input));
  if (!forwardWrites) throw new ReadOnlyAgent(operation);
  return { value: await source.forward(service, operation, input, namesOf(input)), stale: false };
}

function ssmRead(source: AgentSource, operation: string, input: Input): Promise<Served<object>> | undefined {
  const decrypt = input.WithDecryption === true;
  switch (operation) {
    case 'GetParameter':
      return source.parameter(String(input.Name), decrypt).then(({ value, stale }) => ({
        value: { Parameter: value },
        stale,
        text: answerText(value, () => ({ Parameter: value })),
      }));
    case 'GetParameters':
      return getParameters(source, input.Names as string[], decrypt);
    case 'GetParametersByPath':
      if (input.ParameterFilters !== undefined) return undefined;
      return source.parametersByPath(String(input.Path), input.Recursive === true, decrypt).then(({ value, stale }) => {
        const { page, next } = pageOf(value, input, 'InvalidNextToken');
        return { value: { Parameters: page, ...(next ? { NextToken: next } : {}) }, stale };
      });
    default:
      return undefined;
  }
}

async function getParameters(source: AgentSource, names: readonly string[], decrypt: boolean): Promise<Served<object>> {
  const found: ParameterRecord[] = [];
  const invalid: string[] = [];
  let stale = false;
  for (const name of new Set(names)) {
    try {
      const served = await source.parameter(name, decrypt);
      found.push(served.value);
      stale ||= served.stale;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== 'ParameterNotFound' && code !== 'ParameterVersionNotFound') throw error;
      invalid.push(name);
    }
  }
  return { value: { Parameters: found, InvalidParameters: invalid }, stale };
}

function secretsRead(source: AgentSource, operation: string, input: Input): Promise<Served<object>> | undefined {
  switch (operation) {
    case 'GetSecretValue':
      return source
        .secret(String(input.SecretId), input.VersionId as string | undefined, input.VersionStage as string | undefined)
        .then(({ value, stale }) => ({
          value: secretShape(value),
          stale,
          text: answerText(value, () => secretShape(value)),
        }));
    case 'BatchGetSecretValue':
      if (!Array.isArray(input.SecretIdList)) return undefined;
      return batchGet(source, input.SecretIdList as string[], input);
    default:
      return undefined;
  }
}

async function batchGet(source: AgentSource, ids: readonly string[], input: Input): Promise<Served<object>> {
  const values: Record<string, unknown>[] = [];
  const errors: Record<string, string>[] = [];
  let stale = false;
  for (const id of ids) {
    try {
      const served = await source.secret(id);
      values.push(secretShape(served.value));
      stale ||= served.stale;
    } catch (error) {
      const e = error as { code?: string; message?: string };
      if (e.code === undefined) throw error;
      errors.push({ SecretId: id, ErrorCode: e.code, Message: e.message ?? e.code });
    }
  }
  const { page, next } = pageOf(values, input, 'InvalidNextTokenException');
  return { value: { SecretValues: page, Errors: errors, ...(next ? { NextToken: next } : {}) }, stale };
}
