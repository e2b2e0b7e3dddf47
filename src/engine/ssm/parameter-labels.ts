/**
 * Label rules: at most 100 characters of letters, digits, `.`, `-` and `_`; not starting with a
 * digit, `aws` or `ssm` (case-insensitive); at most 10 per version.
 */
import { constraintFailure, listShown } from '../service-error.js';
import { ValidationException } from './errors.js';

export const MAX_LABELS_PER_VERSION = 10;

/** Refuses a request whose label list is empty, too long, or has an over-long label, in AWS's wording. */
export function checkLabelList(labels: readonly string[] | undefined): asserts labels is readonly string[] {
  if (!labels || labels.length === 0)
    throw ValidationException.of(constraintFailure('labels', null, 'Member must not be null'));
  if (labels.length > MAX_LABELS_PER_VERSION) {
    throw ValidationException.of(
      constraintFailure('labels', listShown(labels), 'Member must have length less than or equal to 10'),
    );
  }
  if (labels.some((label) => typeof label !== 'string' || label.length < 1 || label.length > 100)) {
    throw ValidationException.of(
      constraintFailure(
        'labels',
        listShown(labels),
        'Member must satisfy constraint: [Member must have length less than or equal to 100, Member must have ' +
          'length greater than or equal to 1]',
      ),
    );
  }
}

/** Whether a label is well formed (AWS returns the others in InvalidLabels). */
export function isValidLabel(label: string): boolean {
  return /^[a-zA-Z0-9_.-]{1,100}$/.test(label) && !/^[0-9]/.test(label) && !/^(aws|ssm)/i.test(label);
}
