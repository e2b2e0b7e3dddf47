/**
 * ParameterFilters (ParameterStringFilter) and the older Filters (ParametersFilter), validated
 * with AWS's errors and compiled to one predicate over a parameter's latest version.
 *
 * DescribeParameters accepts Name, Type, KeyId, Path, Tier, DataType and tag:KEY;
 * GetParametersByPath accepts Type, KeyId and Label. Options: Equals and BeginsWith, plus
 * Contains for Name, Recursive and OneLevel for Path, and only Equals for Label.
 */
import type { ParameterStringFilter, ParametersFilter } from '@aws-sdk/client-ssm';
import type { ParameterVersionRow } from '../../storage/storage.js';
import { constraintFailure, validationMessage } from '../service-error.js';
import { InvalidFilterKey, InvalidFilterOption, InvalidFilterValue, ValidationException } from './errors.js';
import { alternateSpelling, canonicalName, checkPath } from './parameter-name.js';

/** The fields of a parameter's version the filters read (a stored row, or a public parameter). */
export type FilteredRow = Pick<ParameterVersionRow, 'name' | 'type' | 'keyId' | 'tier' | 'dataType'>;

/** What a predicate may look at besides the row. */
export interface FilterSubject {
  row: FilteredRow;
  tags?: ReadonlyMap<string, string>;
  labels?: readonly string[];
}

/** A compiled filter set. */
export interface ParameterPredicate {
  readonly needsTags: boolean;
  readonly needsLabels: boolean;
  matches(subject: FilterSubject): boolean;
}

type Operation = 'describe' | 'by-path';
const KEY_PATTERN = /^(tag:.+|Name|Type|KeyId|Path|Label|Tier|DataType)$/;
const VALID_KEYS: Record<Operation, string> = {
  describe: '[Path, Name, Type, KeyId, Tier, DataType, tag]',
  'by-path': '[Type, KeyId, Label]',
};

function checkShape(filters: readonly ParameterStringFilter[]): void {
  const failures: string[] = [];
  filters.forEach((filter, i) => {
    const at = `parameterFilters.${i + 1}.member`;
    if (typeof filter?.Key !== 'string' || !KEY_PATTERN.test(filter.Key)) {
      failures.push(
        constraintFailure(
          `${at}.key`,
          filter?.Key ?? null,
          'Member must satisfy regular expression pattern: tag:.+|Name|Type|KeyId|Path|Label|Tier|DataType',
        ),
      );
    } else if (filter.Key.length > 132) {
      failures.push(constraintFailure(`${at}.key`, filter.Key, 'Member must have length less than or equal to 132'));
    }
    if (filter?.Option !== undefined && (filter.Option.length < 1 || filter.Option.length > 10)) {
      failures.push(
        constraintFailure(`${at}.option`, filter.Option, 'Member must have length less than or equal to 10'),
      );
    }
    const values = filter?.Values ?? [];
    if (values.length > 50)
      failures.push(constraintFailure(`${at}.values`, undefined, 'Member must have length less than or equal to 50'));
    if (values.some((v) => typeof v !== 'string' || v.length < 1 || v.length > 1024)) {
      failures.push(
        constraintFailure(
          `${at}.values`,
          undefined,
          '[Member must have length less than or equal to 1024, Member must have length greater than or equal to 1]',
        ),
      );
    }
  });
  if (failures.length > 0) throw new ValidationException(validationMessage(failures));
}

function checkPathValue(value: string): void {
  if (/^\/(aws|ssm)/i.test(value)) {
    throw new ValidationException(
      'Filters for common parameters can\'t be prefixed with "aws" or "ssm" (case-insensitive). When using global ' +
        'parameters, please specify within a global namespace.',
    );
  }
  checkPath(value);
}

function allowedOptions(key: string, operation: Operation): string[] {
  if (key === 'Path') return ['Recursive', 'OneLevel'];
  if (key === 'Label') return ['Equals'];
  if (key === 'Name' && operation === 'describe') return ['Equals', 'BeginsWith', 'Contains'];
  return ['Equals', 'BeginsWith'];
}

function checkSemantics(filters: readonly ParameterStringFilter[], operation: Operation): void {
  const seen = new Set<string>();
  for (const filter of filters) {
    const key = filter.Key!;
    const { Option: option, Values: values } = filter;
    const byPathKeys = ['Type', 'KeyId', 'Label'];
    if ((operation === 'describe' && key === 'Label') || (operation === 'by-path' && !byPathKeys.includes(key))) {
      throw new InvalidFilterKey(
        `The following filter key is not valid: ${key}. Valid filter keys include: ${VALID_KEYS[operation]}.`,
      );
    }
    if (seen.has(key))
      throw new InvalidFilterKey(
        `The following filter is duplicated in the request: ${key}. A request can contain only one occurrence of a ` +
          `specific filter.`,
      );
    seen.add(key);
    if (!key.startsWith('tag:') && (!values || values.length === 0)) {
      throw new InvalidFilterValue(`The following filter values are missing : null for filter key ${key}.`);
    }
    const options = allowedOptions(key, operation);
    if (option !== undefined && !options.includes(option)) {
      throw new InvalidFilterOption(
        `The following filter option is not valid: ${option}. Valid options include: [${options.join(', ')}].`,
      );
    }
    const enumValues: Record<string, string[]> = {
      Type: ['String', 'StringList', 'SecureString'],
      Tier: ['Standard', 'Advanced', 'Intelligent-Tiering'],
      DataType: ['text', 'aws:ec2:image', 'aws:ssm:integration'],
    };
    const allowed = enumValues[key];
    for (const value of values ?? []) {
      if (allowed && (option ?? 'Equals') === 'Equals' && !allowed.includes(value)) {
        throw new InvalidFilterValue(
          `The following filter value is not valid: ${value}. Valid values include: [${allowed.join(', ')}].`,
        );
      }
      if (key === 'Path') checkPathValue(value);
    }
  }
}

/** A name's spellings: both for a one-level name (`/a` and `a` are one parameter), else itself. */
function spellings(name: string): string[] {
  const other = alternateSpelling(name);
  return other === undefined ? [name] : [name, other];
}

function underPath(stored: string, path: string, recursive: boolean): boolean {
  const name = stored.startsWith('/') ? stored : `/${stored}`;
  const prefix = path.endsWith('/') ? path : `${path}/`;
  if (!name.startsWith(prefix) || name.length === prefix.length) return false;
  return recursive || name.indexOf('/', prefix.length) === -1;
}

function compare(option: string, actual: string, values: readonly string[]): boolean {
  if (option === 'BeginsWith') return values.some((v) => actual.startsWith(v));
  if (option === 'Contains') return values.some((v) => actual.includes(v));
  return values.includes(actual);
}

function compileOne(filter: ParameterStringFilter): (subject: FilterSubject) => boolean {
  const key = filter.Key!;
  const values = filter.Values ?? [];
  const option = filter.Option ?? (key === 'Path' ? 'OneLevel' : 'Equals');
  if (key === 'Path') return ({ row }) => values.some((p) => underPath(row.name, p, option === 'Recursive'));
  if (key === 'Label') return ({ labels }) => (labels ?? []).some((l) => values.includes(l));
  if (key.startsWith('tag:')) {
    const tagKey = key.slice(4);
    return ({ tags }) => {
      const value = tags?.get(tagKey);
      return value !== undefined && (values.length === 0 || compare(option, value, values));
    };
  }
  const field: Record<string, (row: FilteredRow) => string | null> = {
    Name: (r) => r.name,
    Type: (r) => r.type,
    KeyId: (r) => r.keyId,
    Tier: (r) => r.tier,
    DataType: (r) => r.dataType,
  };
  // A one-level name matches in both spellings: Equals `/foo` finds `foo`, Contains `/fo` finds it too.
  if (key === 'Name')
    return ({ row }) => spellings(canonicalName(row.name)).some((name) => compare(option, name, values));
  const read = field[key]!;
  return ({ row }) => {
    const actual = read(row);
    return actual !== null && compare(option, actual, values);
  };
}

function fromLegacy(filters: readonly ParametersFilter[]): ParameterStringFilter[] {
  return filters.map((f, i) => {
    if (!['Name', 'Type', 'KeyId'].includes(String(f?.Key))) {
      throw ValidationException.of(
        constraintFailure(
          `filters.${i + 1}.member.key`,
          f?.Key ?? null,
          'Member must satisfy enum value set: [Name, Type, KeyId]',
        ),
      );
    }
    if (!f.Values || f.Values.length === 0)
      throw ValidationException.of(
        constraintFailure(`filters.${i + 1}.member.values`, null, 'Member must not be null'),
      );
    return { Key: f.Key, Option: f.Key === 'Name' ? 'BeginsWith' : 'Equals', Values: f.Values };
  });
}

function compile(filters: readonly ParameterStringFilter[]): ParameterPredicate {
  const tests = filters.map(compileOne);
  return {
    needsTags: filters.some((f) => f.Key!.startsWith('tag:')),
    needsLabels: filters.some((f) => f.Key === 'Label'),
    matches: (subject) => tests.every((test) => test(subject)),
  };
}

/** Validates and compiles DescribeParameters' Filters or ParameterFilters (not both). */
export function describeFilters(
  filters: readonly ParametersFilter[] | undefined,
  parameterFilters: readonly ParameterStringFilter[] | undefined,
): ParameterPredicate {
  if (filters?.length && parameterFilters?.length)
    throw new ValidationException('You can use either Filters or ParameterFilters in a single request.');
  if (filters?.length) return compile(fromLegacy(filters));
  const list = parameterFilters ?? [];
  checkShape(list);
  checkSemantics(list, 'describe');
  return compile(list);
}

/** Validates and compiles GetParametersByPath's ParameterFilters. */
export function byPathFilters(parameterFilters: readonly ParameterStringFilter[] | undefined): ParameterPredicate {
  const list = parameterFilters ?? [];
  checkShape(list);
  checkSemantics(list, 'by-path');
  return compile(list);
}
