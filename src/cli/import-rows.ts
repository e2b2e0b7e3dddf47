/**
 * `coffer import --from-csv|--from-json`: one parameter per row of a table (seed 003's
 * credentials leaving a database), named by a template such as
 * `/rcm/{env}/{org}/endpoints/{endpoint}/{account}`, its value one column or a JSON object of
 * several, tagged from columns. Every row is checked before anything is written; each written
 * row is printed with its ARN for the application's database. No value ever appears in output
 * or in an error: errors name the row and the column.
 */
import type { Tag } from '@aws-sdk/client-ssm';
import { ServiceError } from '../engine/service-error.js';
import { checkNameForWrite, parameterArn } from '../engine/ssm/parameter-name.js';
import { UsageError, type CliIo } from './cli-command.js';
import type { CliSession } from './cli-session.js';
import { parseCsv } from './csv-format.js';
import { toJson } from './parse-options.js';
import { ProgressBar } from './progress-bar.js';

/** A row as read: column name to cell (CSV cells are text; JSON cells any JSON value). */
type Row = Readonly<Record<string, unknown>>;

/** What the row import is asked to do. */
export interface RowImportOptions {
  readonly source: { readonly format: 'csv' | 'json'; readonly text: string };
  readonly nameTemplate: string;
  readonly valueColumns: readonly string[];
  readonly tagColumns: readonly string[];
  readonly type: string;
  readonly keyId: string | undefined;
  readonly overwrite: boolean;
  readonly json: boolean;
}

/** One parameter to write, from row `row` (1-based, the CSV header not counted). */
interface PlannedRow {
  readonly row: number;
  readonly name: string;
  readonly value: string;
  readonly tags: Tag[];
}

/** Thrown for a bad row: the message names the row and the column, never a cell's text. */
export class RowError extends Error {}

/** Exit code when some rows were written and others not. */
export const PARTIAL_FAILURE = 3;

const SEGMENT = /^[a-zA-Z0-9_.-]+$/;
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const PLACEHOLDER = /\{([^{}]*)\}/g;
const MAX_VALUE_BYTES = 8192;
const TYPES = ['SecureString', 'String'];

/** The `{field}` names of a template, in order; refuses stray braces and empty placeholders. */
export function templateFields(template: string): string[] {
  const fields = [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
  if (fields.length === 0) throw new UsageError('--name-template needs at least one {column} placeholder');
  if (fields.includes('')) throw new UsageError('--name-template has an empty {} placeholder');
  if (/[{}]/.test(template.replace(PLACEHOLDER, ''))) throw new UsageError('--name-template has an unmatched brace');
  return fields;
}

/** Reads the rows of a CSV (header required) or a JSON array of objects. */
function readRows(source: RowImportOptions['source']): { rows: Row[]; columns: ReadonlySet<string> | undefined } {
  if (source.format === 'csv') {
    const table = parseCsv(source.text);
    const rows = table.rows.map((r) => Object.fromEntries(table.header.map((name, i) => [name, r.fields[i]!])));
    return { rows, columns: new Set(table.header) };
  }
  let data: unknown;
  try {
    data = JSON.parse(source.text);
  } catch (error) {
    // JSON.parse's message may quote the text around the mistake: only its position is kept.
    const at = /position (\d+)/.exec((error as Error).message);
    throw new Error(`the JSON file is not valid JSON${at ? ` (at character ${at[1]})` : ''}`);
  }
  if (!Array.isArray(data)) throw new Error('a JSON row import must be an array of objects, one per parameter');
  data.forEach((row, index) => {
    if (row === null || typeof row !== 'object' || Array.isArray(row))
      throw new RowError(`row ${index + 1} is not an object`);
  });
  return { rows: data as Row[], columns: undefined };
}

/** A cell as text for a name or a tag: missing, null, empty or non-scalar cells are errors. */
/** A row's own cell (never one inherited from Object.prototype, such as `constructor`). */
const own = (row: Row, column: string): unknown => (Object.hasOwn(row, column) ? row[column] : undefined);

function cellText(row: Row, index: number, column: string, use: string): string {
  const cell = own(row, column);
  if (cell === undefined || cell === null || cell === '')
    throw new RowError(`row ${index}: the ${use} column ${column} is missing or empty`);
  if (typeof cell === 'object') throw new RowError(`row ${index}: the ${use} column ${column} is not text`);
  return String(cell);
}

/** The parameter's value: one column's text, or a JSON object of several columns. */
function rowValue(row: Row, index: number, columns: readonly string[]): string {
  if (columns.length === 1) {
    const cell = own(row, columns[0]!);
    if (cell === undefined || cell === null || cell === '')
      throw new RowError(`row ${index}: the value column ${columns[0]} is missing or empty`);
    return typeof cell === 'object' ? JSON.stringify(cell) : String(cell);
  }
  const value: Record<string, unknown> = {};
  for (const column of columns) {
    if (!Object.hasOwn(row, column)) throw new RowError(`row ${index}: the value column ${column} is missing`);
    value[column] = row[column];
  }
  return JSON.stringify(value);
}

/** Fills the template from one row; each field must be one name segment (no `/`, no `..`). */
function rowName(template: string, row: Row, index: number): string {
  return template.replace(PLACEHOLDER, (_, field: string) => {
    const text = cellText(row, index, field, 'name');
    if (!SEGMENT.test(text) || text.includes('..') || text === '.')
      throw new RowError(
        `row ${index}: the name column ${field} cannot be part of a parameter name ` +
          '(only letters, digits and . - _ are allowed, with no / and no ..)',
      );
    return text;
  });
}

/** Checks every row and builds the plan; nothing has been written when this throws. */
function planRows(options: RowImportOptions, rows: readonly Row[], columns: ReadonlySet<string> | undefined) {
  const fields = templateFields(options.nameTemplate);
  if (columns) {
    const wanted = [
      ...fields.map((c) => ['--name-template', c] as const),
      ...options.valueColumns.map((c) => ['--value-column', c] as const),
      ...options.tagColumns.map((c) => ['--tag-column', c] as const),
    ];
    for (const [option, column] of wanted)
      if (!columns.has(column)) throw new Error(`${option} names ${column}, which is not a column of the CSV header`);
  }
  if (rows.length === 0) throw new Error('the file has no rows to import');
  const planned: PlannedRow[] = [];
  const byName = new Map<string, number>();
  rows.forEach((row, i) => {
    const index = i + 1;
    const name = rowName(options.nameTemplate, row, index);
    const value = rowValue(row, index, options.valueColumns);
    if (Buffer.byteLength(value) > MAX_VALUE_BYTES)
      throw new RowError(`row ${index}: the value is over 8 KB, more than Parameter Store holds`);
    const tags = options.tagColumns.map((column) => {
      const text = own(row, column);
      if (text === undefined || text === null) throw new RowError(`row ${index}: the tag column ${column} is missing`);
      if (typeof text === 'object') throw new RowError(`row ${index}: the tag column ${column} is not text`);
      const tagValue = String(text);
      if (tagValue.length > 256 || !TAG_TEXT.test(tagValue))
        throw new RowError(
          `row ${index}: the tag column ${column} is not a valid tag value ` +
            '(up to 256 letters, digits, spaces and _ . : / = + - @)',
        );
      return { Key: column, Value: tagValue };
    });
    const earlier = byName.get(name);
    if (earlier !== undefined) throw new RowError(`rows ${earlier} and ${index} make the same parameter name`);
    byName.set(name, index);
    planned.push({ row: index, name, value, tags });
  });
  return planned;
}

/** The account and region the parameters' ARNs are in: the store's, or the remote caller's. */
async function targetScope(session: CliSession): Promise<{ account: string; region: string }> {
  if (!session.remote) {
    const { account, region } = await session.context();
    return { account, region };
  }
  const { Account } = await (await session.identity()).whoami();
  if (!Account) throw new Error('the server did not say which account it is (STS GetCallerIdentity)');
  return { account: Account, region: session.clientConfig().region };
}

/** `rows 1-3, 5` or `row 2`: row numbers as ranges. */
function rowRanges(rows: readonly number[]): string {
  return `${rows.length === 1 ? 'row' : 'rows'} ${ranges(rows)}`;
}

function ranges(rows: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < rows.length; ) {
    let j = i;
    while (j + 1 < rows.length && rows[j + 1] === rows[j]! + 1) j++;
    parts.push(i === j ? `${rows[i]}` : `${rows[i]}-${rows[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

/** What failed, as one line: the AWS error code and message (these never carry a value). */
function failure(error: unknown): string {
  if (error instanceof ServiceError) return `${error.code}: ${error.message}`;
  if (error instanceof Error && '$metadata' in error) return `${error.name}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/** Runs a row import; returns the exit code (0, or 3 when it stopped part-way). */
export async function importRows(options: RowImportOptions, session: CliSession, io: CliIo): Promise<number> {
  if (options.overwrite && options.tagColumns.length > 0)
    throw new UsageError(
      '--tag-column cannot be used with --overwrite: PutParameter refuses tags together with Overwrite ' +
        '(AWS and Coffer alike); import new parameters with tags, or overwrite without them and tag ' +
        'existing ones with coffer tag',
    );
  if (options.valueColumns.length === 0) throw new UsageError('a row import needs at least one --value-column');
  if (new Set(options.valueColumns).size !== options.valueColumns.length)
    throw new UsageError('a --value-column is given twice');
  if (!TYPES.includes(options.type)) throw new UsageError(`--type is one of ${TYPES.join(', ')}`);
  if (options.keyId !== undefined && options.type !== 'SecureString')
    throw new UsageError('--key-id applies to SecureString parameters only');
  for (const column of options.tagColumns)
    if (column.length > 128 || !TAG_TEXT.test(column) || column.toLowerCase().startsWith('aws:'))
      throw new UsageError(
        `--tag-column ${column} cannot be a tag key (1-128 letters, digits, spaces and _ . : / = + - @)`,
      );
  const { rows, columns } = readRows(options.source);
  const planned = planRows(options, rows, columns);
  const scope = await targetScope(session);
  for (const p of planned) {
    try {
      checkNameForWrite(scope, p.name);
    } catch (error) {
      const message = error instanceof ServiceError && !error.message.includes(p.name) ? `: ${error.message}` : '';
      throw new RowError(`row ${p.row}: the name made from --name-template is not a valid parameter name${message}`);
    }
  }
  const parameters = await session.parameters();
  if (!options.overwrite) {
    const existing: PlannedRow[] = [];
    for (let i = 0; i < planned.length; i += 10) {
      const batch = planned.slice(i, i + 10);
      const { InvalidParameters = [] } = await parameters.getParameters({ Names: batch.map((p) => p.name) });
      const missing = new Set(InvalidParameters);
      existing.push(...batch.filter((p) => !missing.has(p.name)));
    }
    if (existing.length > 0)
      throw new Error(
        `${existing.length} of these parameters already exist (${rowRanges(existing.map((p) => p.row))}: ` +
          `${existing
            .slice(0, 5)
            .map((p) => p.name)
            .join(', ')}${existing.length > 5 ? ', ...' : ''}); nothing was written; pass --overwrite to replace them`,
      );
  }
  const written: { row: number; name: string; arn: string; version: number }[] = [];
  const progress = new ProgressBar(io, 'import', planned.length);
  let failed: { row: number; error: unknown } | undefined;
  for (const p of planned) {
    try {
      const result = await parameters.putParameter({
        Name: p.name,
        Value: p.value,
        Type: options.type as never,
        KeyId: options.keyId,
        Overwrite: options.overwrite,
        Tags: p.tags.length > 0 ? p.tags : undefined,
        // Standard holds 4 KB: a larger value (checked up to 8 KB above) needs Advanced, as AWS says.
        ...(Buffer.byteLength(p.value) > 4096 ? { Tier: 'Advanced' as const } : {}),
      });
      written.push({ row: p.row, name: p.name, arn: parameterArn(scope, p.name), version: result.Version ?? 0 });
      progress.update(written.length);
    } catch (error) {
      failed = { row: p.row, error };
      break;
    }
  }
  progress.finish();
  io.out(options.json ? toJson(written) : written.map((w) => `${w.name}\t${w.arn}\n`).join(''));
  if (!failed) return 0;
  const stopped = failed;
  const notWritten = planned.filter((p) => p.row >= stopped.row).map((p) => p.row);
  io.err(
    `coffer import: row ${stopped.row} failed (${failure(stopped.error)}); ` +
      `written: ${written.length ? rowRanges(written.map((w) => w.row)) : 'none'}; ` +
      `not written: ${rowRanges(notWritten)}. Rerunning with --overwrite is safe` +
      `${options.tagColumns.length ? ' (without --tag-column; tag the rows with coffer tag)' : ''}\n`,
  );
  return PARTIAL_FAILURE;
}
