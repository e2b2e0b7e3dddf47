/**
 * ListSecrets' (and BatchGetSecretValue's) Filters as AWS applies them (API reference, Filter;
 * user guide, "Find secrets"): `name`, `tag-key` and `tag-value` match the beginning of the
 * whole field, case-sensitively; `description` and `all` break the value and the field into
 * words (at spaces and punctuation, where a lower-case letter meets an upper-case one, and where
 * a letter meets a digit) and match when every word of the value begins a word of one field, not
 * case-sensitively (`all` over the name, description, tag keys and tag values); `owning-service`
 * matches the beginning of the managing service's id, not case-sensitively. The values of one
 * filter are alternatives; a value starting with `!` matches what the rest does not; filters
 * combine with AND. Matching is by comparison of characters: no regular expression is built from
 * input. `primary-region` matches the beginning of the secret's primary Region.
 */
import type { Filter, Tag } from '@aws-sdk/client-secrets-manager';
import { InvalidParameterException, SecretsValidationException } from './errors.js';
import type { SecretRecord } from './secret-records.js';
import { primaryRegionOf } from './secret-replication.js';

/** The filter keys, in AWS's enum order. */
export const FILTER_KEYS = ['description', 'name', 'tag-key', 'tag-value', 'primary-region', 'owning-service', 'all'];

/** A secret as the filters see it. */
export interface FilteredSecret {
  readonly record: SecretRecord;
  readonly tags: Tag[];
}

type Kind = 'lower' | 'upper' | 'digit' | 'other';

function kindOf(c: string): Kind {
  if (c >= 'a' && c <= 'z') return 'lower';
  if (c >= 'A' && c <= 'Z') return 'upper';
  if (c >= '0' && c <= '9') return 'digit';
  return 'other';
}

/**
 * The words of a text, as AWS's user guide describes them and moto's AWS-verified tests show:
 * runs of letters and digits, split where a lower-case letter is followed by an upper-case one
 * (`credsDatabase`), where an upper-case run meets a capitalised word (`COMPANYthings`: `COMPAN`,
 * `Ythings`), and where a letter is followed by a digit (`One3f2a`: `One`, `3f`, `2a`).
 */
export function wordsOf(text: string): string[] {
  const words: string[] = [];
  let word = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const kind = kindOf(c);
    if (kind === 'other') {
      if (word) words.push(word);
      word = '';
      continue;
    }
    const previous = word ? kindOf(word[word.length - 1]!) : undefined;
    const next = i + 1 < text.length ? kindOf(text[i + 1]!) : undefined;
    const boundary =
      previous !== undefined &&
      ((previous === 'lower' && kind === 'upper') ||
        (previous !== 'digit' && kind === 'digit') ||
        (previous === 'upper' && kind === 'upper' && next === 'lower'));
    if (boundary) {
      words.push(word);
      word = '';
    }
    word += c;
  }
  if (word) words.push(word);
  return words;
}

/** Whether every word of `value` begins some word of `field`, not case-sensitively. */
function wordsMatch(value: string, field: string): boolean {
  const wanted = wordsOf(value).map((w) => w.toLowerCase());
  if (wanted.length === 0) return false;
  const present = wordsOf(field).map((w) => w.toLowerCase());
  return wanted.every((w) => present.some((p) => p.startsWith(w)));
}

/** How one key compares a value with a secret. */
const MATCHERS: Record<string, (secret: FilteredSecret, value: string) => boolean> = {
  name: (s, v) => s.record.row.name.startsWith(v),
  'tag-key': (s, v) => s.tags.some((t) => (t.Key ?? '').startsWith(v)),
  'tag-value': (s, v) => s.tags.some((t) => (t.Value ?? '').startsWith(v)),
  description: (s, v) => wordsMatch(v, s.record.attributes.description ?? ''),
  // Coffer's secrets are never managed by another service.
  'owning-service': () => false,
  // A secret's primary Region: its own for a primary, the primary's for a replica (secret-replication.ts).
  'primary-region': (s, v) => primaryRegionOf(s.record)?.startsWith(v) === true,
  all: (s, v) =>
    [
      s.record.row.name,
      s.record.attributes.description ?? '',
      ...s.tags.flatMap((t) => [t.Key ?? '', t.Value ?? '']),
    ].some((field) => wordsMatch(v, field)),
};

/** Whether a secret passes one filter: any of its values, each negated by a leading `!`. */
export function matchesFilter(secret: FilteredSecret, filter: Filter): boolean {
  const match = MATCHERS[filter.Key!]!;
  return filter.Values!.some((value) =>
    value.startsWith('!') ? !match(secret, value.slice(1)) : match(secret, value),
  );
}

/**
 * Filters as ListSecrets and BatchGetSecretValue take them, checked with AWS's wording (the wire
 * has checked their shapes; a call from inside Coffer is checked the same way here).
 */
export function checkFilters(filters: unknown): Filter[] {
  if (filters === undefined) return [];
  if (!Array.isArray(filters) || filters.length > 10)
    throw new SecretsValidationException(
      "1 validation error detected: Value at 'filters' failed to satisfy constraint: Member must have length less " +
        'than or equal to 10',
    );
  for (const [i, f] of (filters as Filter[]).entries()) {
    if (f?.Key === undefined || f.Key === null) throw new InvalidParameterException('Invalid filter key');
    if (typeof f.Key !== 'string' || !FILTER_KEYS.includes(f.Key)) {
      const shown = typeof f.Key === 'string' ? `'${f.Key}' ` : '';
      throw new SecretsValidationException(
        `1 validation error detected: Value ${shown}at 'filters.${i + 1}.member.key' failed to satisfy constraint: ` +
          `Member must satisfy enum value set: [${FILTER_KEYS.join(', ')}]`,
      );
    }
    if (!Array.isArray(f.Values)) throw new InvalidParameterException(`Invalid filter values for key: ${f.Key}`);
    if (f.Values.length === 0 || f.Values.length > 10 || f.Values.some((v) => typeof v !== 'string'))
      throw new SecretsValidationException(
        `1 validation error detected: Value at 'filters.${i + 1}.member.values' failed to satisfy constraint: ` +
          'Member must have length between 1 and 10',
      );
  }
  return filters as Filter[];
}
