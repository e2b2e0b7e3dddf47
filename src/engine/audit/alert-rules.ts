/**
 * Alert rules: what the AlertMonitor counts on the audit stream, and how many of it in how long
 * is too many. Rules come from an operator's file (COFFER_ALERTS_FILE, YAML or JSON), from the
 * documented defaults (the seeds' alarms), or both; the loader validates strictly, rejecting
 * unknown fields, and names the rule and field at fault. Rule text is data: principal patterns
 * are compiled by the IAM wildcard matcher (linear, never a regular expression), and no message
 * ever echoes a webhook URL (a Slack webhook's path is its credential).
 */
import { readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';

/** Which audit events a rule counts; every field given must match (an empty filter counts all). */
export interface AlertFilter {
  /** ssm.amazonaws.com, secretsmanager.amazonaws.com, ... (any of them, exactly). */
  readonly eventSource?: string | readonly string[];
  /** GetParameter, RotationFailed, ... (any of them, exactly). */
  readonly eventName?: string | readonly string[];
  /** Any of these error codes; `*` means any error at all. */
  readonly errorCode?: string | readonly string[];
  /** true: only AccessDenied / AccessDeniedException; false: only events that were not denied. */
  readonly denied?: boolean;
  /** The caller's ARN (userIdentity.arn), with `*` and `?` wildcards. */
  readonly principal?: string;
  /** Some resource the event touched has a name starting with this. */
  readonly resourcePrefix?: string;
  readonly readOnly?: boolean;
}

/** One alert rule: more than `threshold` matching events within `windowSeconds` fires it once. */
export interface AlertRule {
  readonly name: string;
  readonly description?: string;
  readonly filter: AlertFilter;
  /** The count must exceed this to fire: 0 fires on the first matching event. */
  readonly threshold: number;
  readonly windowSeconds: number;
  /** Count per resource name or per principal instead of overall. */
  readonly groupBy?: 'resource' | 'principal';
  /** Where to POST; when absent, the file's `webhook`, then COFFER_ALERTS_WEBHOOK. */
  readonly webhook?: string;
}

/** An alerts file as written: `{ defaults?, webhook?, rules? }`. */
export interface AlertRulesFile {
  /** Include DEFAULT_ALERT_RULES (a rule of the file with a default's name replaces it). */
  readonly defaults: boolean;
  readonly webhook?: string;
  readonly rules: readonly AlertRule[];
}

/** A rules file or rule that does not validate; the message names the file, rule and field. */
export class InvalidAlertRules extends Error {
  override readonly name = 'InvalidAlertRules';
}

/** The read actions of Parameter Store and Secrets Manager, the ones a retrieval is. */
export const READ_EVENT_NAMES: readonly string[] = Object.freeze([
  'GetParameter',
  'GetParameters',
  'GetParametersByPath',
  'GetParameterHistory',
  'GetSecretValue',
  'BatchGetSecretValue',
]);

/** The seeds' alarms (000: denied and unusual access; 003: failed retrievals, rotation failures). */
export const DEFAULT_ALERT_RULES: readonly AlertRule[] = Object.freeze(
  [
    {
      name: 'denied-access',
      description: 'Any denied access in 5 minutes (seed 000: SSM-Parameter-Access-Denied)',
      filter: { denied: true },
      threshold: 0,
      windowSeconds: 300,
    },
    {
      name: 'read-burst',
      description: 'More than 1,000 reads of one name in an hour (seed 000: Unusual-Parameter-Access)',
      filter: { eventName: READ_EVENT_NAMES },
      groupBy: 'resource',
      threshold: 1000,
      windowSeconds: 3600,
    },
    {
      name: 'failed-retrievals',
      description: 'More than 5 failed retrievals in 5 minutes (seed 003)',
      filter: { eventName: READ_EVENT_NAMES, errorCode: '*' },
      threshold: 5,
      windowSeconds: 300,
    },
    {
      name: 'rotation-failure',
      description: 'Any rotation failure (seed 003)',
      filter: { eventName: 'RotationFailed' },
      threshold: 0,
      windowSeconds: 300,
    },
  ].map((rule) => Object.freeze(rule) as AlertRule),
);

const FILE_FIELDS = ['defaults', 'webhook', 'rules'];
const RULE_FIELDS = ['name', 'description', 'filter', 'threshold', 'windowSeconds', 'groupBy', 'webhook'];
const FILTER_FIELDS = ['eventSource', 'eventName', 'errorCode', 'denied', 'principal', 'resourcePrefix', 'readOnly'];
const RULE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const MAX_FILE_BYTES = 1024 * 1024;
const MAX_RULES = 1000;
const MAX_LIST = 100;
const MAX_TEXT = 2048;

type Fields = Readonly<Record<string, unknown>>;

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Names a place in the file for messages: `alerts.yaml: rule "x": threshold`. */
class Place {
  constructor(private readonly text: string) {}

  at(more: string): Place {
    return new Place(`${this.text}: ${more}`);
  }

  toString(): string {
    return this.text;
  }
}

/** Throws InvalidAlertRules for the place (a function declaration, so callers' types narrow). */
function fail(place: Place, message: string): never {
  throw new InvalidAlertRules(`${place} ${message}`);
}

function onlyFields(value: Fields, allowed: readonly string[], place: Place): void {
  for (const key of Object.keys(value))
    if (!allowed.includes(key))
      fail(place.at(JSON.stringify(key.slice(0, 64))), `is not a known field (expected one of ${allowed.join(', ')})`);
}

function text(value: unknown, place: Place): string {
  if (typeof value !== 'string' || value === '' || value.length > MAX_TEXT)
    fail(place, `must be a non-empty string of at most ${MAX_TEXT} characters`);
  return value;
}

function textList(value: unknown, place: Place): string | readonly string[] {
  if (!Array.isArray(value)) return text(value, place);
  if (value.length === 0 || value.length > MAX_LIST)
    fail(place, `must be a string or a list of 1 to ${MAX_LIST} strings`);
  return Object.freeze(value.map((item, i) => text(item, place.at(`[${i}]`))));
}

function bool(value: unknown, place: Place): boolean {
  if (typeof value !== 'boolean') fail(place, 'must be true or false');
  return value;
}

function integer(value: unknown, min: number, max: number, place: Place): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max)
    fail(place, `must be an integer from ${min} to ${max}`);
  return value;
}

/** Checks a webhook URL without ever quoting it. */
export function checkWebhook(value: unknown, place: string | Place): string {
  const where = typeof place === 'string' ? new Place(place) : place;
  let url: URL | undefined;
  try {
    if (typeof value === 'string') url = new URL(value);
  } catch {
    // not a URL: refused below
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '')
    fail(where, 'must be an http(s) URL');
  return url.href;
}

function filterOf(value: unknown, place: Place): AlertFilter {
  if (!isFields(value)) fail(place, 'must be a mapping of filter fields');
  onlyFields(value, FILTER_FIELDS, place);
  const filter: Record<string, unknown> = {};
  for (const key of ['eventSource', 'eventName', 'errorCode'] as const)
    if (value[key] !== undefined) filter[key] = textList(value[key], place.at(key));
  for (const key of ['denied', 'readOnly'] as const)
    if (value[key] !== undefined) filter[key] = bool(value[key], place.at(key));
  for (const key of ['principal', 'resourcePrefix'] as const)
    if (value[key] !== undefined) filter[key] = text(value[key], place.at(key));
  return Object.freeze(filter) as AlertFilter;
}

/** Validates one rule as written (`where` names it in messages before its name is known). */
export function parseAlertRule(value: unknown, where: string): AlertRule {
  let place = new Place(where);
  if (!isFields(value)) fail(place, 'must be a mapping with name, filter, threshold and windowSeconds');
  if (typeof value.name !== 'string' || !RULE_NAME.test(value.name))
    fail(place.at('name'), 'must be 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit');
  place = new Place(`${where} "${value.name}"`);
  onlyFields(value, RULE_FIELDS, place);
  for (const key of ['filter', 'threshold', 'windowSeconds'])
    if (value[key] === undefined) fail(place.at(key), 'is required');
  const rule: Record<string, unknown> = {
    name: value.name,
    filter: filterOf(value.filter, place.at('filter')),
    threshold: integer(value.threshold, 0, Number.MAX_SAFE_INTEGER, place.at('threshold')),
    windowSeconds: integer(value.windowSeconds, 1, 86_400, place.at('windowSeconds')),
  };
  if (value.description !== undefined) rule.description = text(value.description, place.at('description'));
  if (value.groupBy !== undefined) {
    if (value.groupBy !== 'resource' && value.groupBy !== 'principal')
      fail(place.at('groupBy'), 'must be "resource" or "principal"');
    rule.groupBy = value.groupBy;
  }
  if (value.webhook !== undefined) rule.webhook = checkWebhook(value.webhook, place.at('webhook'));
  return Object.freeze(rule) as unknown as AlertRule;
}

/** Validates a whole alerts file's content (already parsed from YAML or JSON). */
export function parseAlertRulesFile(value: unknown, source: string): AlertRulesFile {
  const place = new Place(source);
  if (!isFields(value)) fail(place, 'must be a mapping with rules, defaults or webhook');
  onlyFields(value, FILE_FIELDS, place);
  const defaults = value.defaults === undefined ? false : bool(value.defaults, place.at('defaults'));
  const webhook = value.webhook === undefined ? undefined : checkWebhook(value.webhook, place.at('webhook'));
  const written = value.rules ?? [];
  if (!Array.isArray(written) || written.length > MAX_RULES)
    fail(place.at('rules'), `must be a list of at most ${MAX_RULES} rules`);
  const rules = written.map((rule, i) => parseAlertRule(rule, `${source}: rule ${i + 1}`));
  const seen = new Set<string>();
  for (const rule of rules) {
    if (seen.has(rule.name)) fail(place, `names rule "${rule.name}" twice`);
    seen.add(rule.name);
  }
  if (!defaults && rules.length === 0) fail(place, 'defines no rules (add rules, or defaults: true)');
  return { defaults, ...(webhook !== undefined ? { webhook } : {}), rules };
}

/** The line and column of an offset, for parse errors (which never quote the text). */
function lineAndColumn(content: string, offset: number): string {
  const before = content.slice(0, offset).split('\n');
  return `line ${before.length}, column ${before[before.length - 1]!.length + 1}`;
}

function parseContent(content: string, path: string): unknown {
  const extension = extname(path).toLowerCase();
  if (extension !== '.yaml' && extension !== '.yml') {
    try {
      return JSON.parse(content);
    } catch (error) {
      if (extension === '.json') {
        // Only the place: newer Nodes quote the text around it, which may hold a webhook URL.
        const message = (error as Error).message;
        const at = /position (\d+)/.exec(message);
        const place = at
          ? ` at ${lineAndColumn(content, Number(at[1]))}`
          : /end of JSON input/.test(message)
            ? ' at its end'
            : '';
        throw new InvalidAlertRules(`${path}: not valid JSON${place}`);
      }
    }
  }
  try {
    return parseYaml(content, { prettyErrors: false, strict: true, uniqueKeys: true, maxAliasCount: 100 });
  } catch (error) {
    if (!(error instanceof YAMLParseError)) throw error;
    throw new InvalidAlertRules(`${path}: not valid YAML at ${lineAndColumn(content, error.pos[0])}: ${error.message}`);
  }
}

/**
 * Reads an alerts file (YAML by .yaml/.yml, JSON by .json; otherwise JSON when it looks like
 * JSON, then YAML) and returns its rules, with the defaults first when it asks for them. Each
 * rule without a webhook gets the file's, then `defaultWebhook` (COFFER_ALERTS_WEBHOOK).
 */
export function loadAlertRules(path: string, defaultWebhook?: string): readonly AlertRule[] {
  let content: string;
  try {
    if (statSync(path).size > MAX_FILE_BYTES) throw new InvalidAlertRules(`${path}: larger than 1 MiB`);
    content = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof InvalidAlertRules) throw error;
    throw new InvalidAlertRules(
      `${path}: cannot read the alerts file (${(error as NodeJS.ErrnoException).code ?? (error as Error).name})`,
    );
  }
  const file = parseAlertRulesFile(parseContent(content, path), path);
  return withWebhooks(mergeDefaults(file), file.webhook ?? defaultWebhook);
}

/** The file's rules after the defaults it asks for; a rule named like a default replaces it. */
export function mergeDefaults(file: AlertRulesFile): readonly AlertRule[] {
  if (!file.defaults) return file.rules;
  const own = new Set(file.rules.map((rule) => rule.name));
  return [...DEFAULT_ALERT_RULES.filter((rule) => !own.has(rule.name)), ...file.rules];
}

/** The rules with `webhook` filled in where they have none (unchanged when it is undefined). */
export function withWebhooks(rules: readonly AlertRule[], webhook: string | undefined): readonly AlertRule[] {
  if (webhook === undefined) return rules;
  return rules.map((rule) => (rule.webhook !== undefined ? rule : Object.freeze({ ...rule, webhook })));
}
