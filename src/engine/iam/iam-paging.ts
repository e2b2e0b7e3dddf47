/**
 * IAM's list paging: MaxItems (1-1000, default 100) and an opaque Marker, answered with
 * IsTruncated and the next Marker.
 */
import { IamValidationError } from './iam-errors.js';

/** The paging fields of a list answer. */
export interface Page {
  IsTruncated: boolean;
  Marker?: string;
}

/** The key a Marker this module made carries; anything else is refused, never read as "from the start". */
function markerKey(marker: string): string {
  const key = Buffer.from(marker, 'base64url').toString('utf8');
  if (marker === '' || Buffer.from(key).toString('base64url') !== marker)
    throw new IamValidationError('Invalid Marker: it is not one this service returned.');
  return key;
}

/** One page of `items` (already in order), after the marker the request carries. */
export function pageOf<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  request: { Marker?: string; MaxItems?: number },
): { items: T[]; marker: Page } {
  const max = request.MaxItems === undefined ? 100 : Number(request.MaxItems);
  if (!Number.isInteger(max) || max < 1 || max > 1000)
    throw new IamValidationError(
      `1 validation error detected: Value '${String(request.MaxItems)}' at 'maxItems' failed to satisfy constraint: ` +
        `Member must have value between 1 and 1000`,
    );
  const after = request.Marker === undefined ? undefined : markerKey(request.Marker);
  const start = after === undefined ? 0 : items.findIndex((item) => keyOf(item) > after);
  const rest = start < 0 ? [] : items.slice(start);
  const page = rest.slice(0, max);
  const truncated = rest.length > max;
  return {
    items: page,
    marker: truncated
      ? { IsTruncated: true, Marker: Buffer.from(keyOf(page[page.length - 1]!)).toString('base64url') }
      : { IsTruncated: false },
  };
}
