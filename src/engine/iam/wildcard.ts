/**
 * IAM wildcard matching without regular expressions: `*` matches any run of characters
 * (including none, `/` and `:`), `?` exactly one, everything else itself. A pattern is split at
 * its stars into segments; the first must match at the start, the last at the end, and each one
 * between at its leftmost place after the previous, which is always right for these two
 * wildcards. No step is ever retried, so a pattern like `*a*a*a*a*a*c` costs one pass per
 * segment (at worst the text's length times the pattern's), never exponential time.
 */

/** A run of literal text, or a number of `?` wildcards in a row. */
type Piece = string | number;

interface Segment {
  readonly pieces: readonly Piece[];
  readonly length: number;
  /** The segment's text when it has no `?`, for a plain indexOf. */
  readonly literal?: string;
}

function segment(pieces: Piece[]): Segment {
  const length = pieces.reduce<number>((n, p) => n + (typeof p === 'string' ? p.length : p), 0);
  const literal = pieces.every((p) => typeof p === 'string') ? pieces.join('') : undefined;
  return { pieces, length, ...(literal !== undefined ? { literal } : {}) };
}

function matchesAt(s: Segment, text: string, at: number): boolean {
  let i = at;
  for (const piece of s.pieces) {
    if (typeof piece === 'number') i += piece;
    else {
      if (!text.startsWith(piece, i)) return false;
      i += piece.length;
    }
  }
  return true;
}

/** The leftmost start in [from, last] where the segment matches, or -1. */
function find(s: Segment, text: string, from: number, last: number): number {
  if (s.literal !== undefined) {
    const at = text.indexOf(s.literal, from);
    return at !== -1 && at <= last ? at : -1;
  }
  for (let at = from; at <= last; at++) if (matchesAt(s, text, at)) return at;
  return -1;
}

/** A compiled wildcard pattern. */
export class Wildcard {
  private readonly segments: readonly Segment[];
  /** Total characters the pattern needs besides what its stars absorb. */
  private readonly minimum: number;

  /** `parts` in order: policy text (whose `*` and `?` are wildcards) or literal text (a variable's value). */
  constructor(parts: readonly { readonly text: string; readonly literal: boolean }[]) {
    const segments: Segment[] = [];
    let pieces: Piece[] = [];
    const add = (piece: Piece) => {
      const last = pieces[pieces.length - 1];
      if (typeof piece === 'string' && typeof last === 'string') pieces[pieces.length - 1] = last + piece;
      else if (typeof piece === 'number' && typeof last === 'number') pieces[pieces.length - 1] = last + piece;
      else pieces.push(piece);
    };
    for (const part of parts) {
      if (part.literal) {
        if (part.text !== '') add(part.text);
        continue;
      }
      for (const c of part.text) {
        if (c === '*') {
          segments.push(segment(pieces));
          pieces = [];
        } else add(c === '?' ? 1 : c);
      }
    }
    segments.push(segment(pieces));
    this.segments = segments;
    this.minimum = segments.reduce((n, s) => n + s.length, 0);
  }

  /** A pattern from policy text alone. */
  static of(text: string): Wildcard {
    return new Wildcard([{ text, literal: false }]);
  }

  test(text: string): boolean {
    const segments = this.segments;
    const first = segments[0]!;
    if (segments.length === 1) return text.length === first.length && matchesAt(first, text, 0);
    if (text.length < this.minimum || !matchesAt(first, text, 0)) return false;
    const last = segments[segments.length - 1]!;
    const end = text.length - last.length;
    if (!matchesAt(last, text, end)) return false;
    let position = first.length;
    for (let i = 1; i < segments.length - 1; i++) {
      const middle = segments[i]!;
      const at = find(middle, text, position, end - middle.length);
      if (at === -1) return false;
      position = at + middle.length;
    }
    return position <= end;
  }
}
