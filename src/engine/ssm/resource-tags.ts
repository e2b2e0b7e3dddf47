/**
 * Tag rules shared by PutParameter and AddTagsToResource: keys of 1-128 and values of 0-256
 * characters from letters, digits, spaces and `_ . : / = + - @`; no `aws:` keys; at most 50
 * tags per resource.
 */
import type { Tag } from '@aws-sdk/client-ssm';
import { constraintFailure } from '../service-error.js';
import { ValidationException } from './errors.js';

export const MAX_TAGS_PER_RESOURCE = 50;
const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** Checks each tag in a request; the caller checks the per-resource total. */
export function checkTags(tags: readonly Tag[]): void {
  if (tags.length > MAX_TAGS_PER_RESOURCE) {
    throw ValidationException.of(
      constraintFailure('tags', undefined, 'Member must have length less than or equal to 1000'),
    );
  }
  for (const tag of tags) {
    const key = tag?.Key;
    const value = tag?.Value;
    if (typeof key !== 'string' || key.length < 1 || key.length > 128 || !TAG_CHARACTERS.test(key)) {
      throw ValidationException.of(
        constraintFailure(
          'tags.member.key',
          key ?? null,
          'Member must have length between 1 and 128 and satisfy regular expression pattern: ' +
            '^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$',
        ),
      );
    }
    if (typeof value !== 'string' || value.length > 256 || !TAG_CHARACTERS.test(value)) {
      throw ValidationException.of(
        constraintFailure(
          'tags.member.value',
          undefined,
          'Member must have length less than or equal to 256 and satisfy regular expression pattern: ' +
            '^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$',
        ),
      );
    }
    if (key.toLowerCase().startsWith('aws:'))
      throw new ValidationException('Tag keys beginning with aws: are reserved for AWS use.');
  }
}
