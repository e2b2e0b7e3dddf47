/**
 * NextToken handling for Parameter Store listings: MaxResults limits as AWS sets them, and
 * cursors sealed so a token only works for the request (and account) that produced it.
 */
import type { TokenSealer } from '../../crypto/token-sealer.js';
import type { RequestContext } from '../request-context.js';
import { constraintFailure } from '../service-error.js';
import { InvalidNextToken, ValidationException } from './errors.js';

/** Validates MaxResults against [1, max], defaulting to `max`. */
export function pageSize(maxResults: number | undefined, max: number): number {
  if (maxResults === undefined || maxResults === null) return max;
  if (!Number.isInteger(maxResults) || maxResults < 1) {
    throw ValidationException.of(
      constraintFailure('maxResults', maxResults, 'Member must have value greater than or equal to 1'),
    );
  }
  if (maxResults > max)
    throw ValidationException.of(
      constraintFailure('maxResults', maxResults, `Member must have value less than or equal to ${max}`),
    );
  return maxResults;
}

/** Seals and opens the cursors of one kind of listing. */
export class PageCursor<C> {
  constructor(
    private readonly sealer: TokenSealer,
    private readonly operation: string,
  ) {}

  private binding(ctx: RequestContext, request: unknown): string {
    return `${this.operation}\u0000${ctx.account}\u0000${ctx.region}\u0000${JSON.stringify(request)}`;
  }

  /** The cursor in `token`, or undefined for the first page; InvalidNextToken if forged or foreign. */
  open(ctx: RequestContext, request: unknown, token: string | undefined): C | undefined {
    if (token === undefined || token === null) return undefined;
    const cursor = this.sealer.open<C>(token, this.binding(ctx, request));
    if (cursor === undefined) throw new InvalidNextToken();
    return cursor;
  }

  seal(ctx: RequestContext, request: unknown, cursor: C): string {
    return this.sealer.seal(cursor, this.binding(ctx, request));
  }
}
