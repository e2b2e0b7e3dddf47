/**
 * A policy string that may hold policy variables (`${aws:username}`, `${aws:PrincipalTag/team}`,
 * `${aws:username, 'default'}`) and the escapes `${*}`, `${?}`, `${$}`. Used for Resource
 * patterns and condition values: a variable's value is always taken literally (a `*` in a tag
 * value is not a wildcard), and a variable with no value and no default makes the string match
 * nothing, as AWS documents.
 */

/** Looks up a request-context key (lower case); multi-valued keys give arrays. */
export type ContextLookup = (key: string) => string | readonly string[] | undefined;

type Segment =
  | { readonly kind: 'glob'; readonly text: string; readonly source: string }
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'var'; readonly key: string; readonly fallback?: string };

const VARIABLE = /\$\{([^}]*)\}/g;
const ESCAPES: Record<string, string> = { '*': '*', '?': '?', $: '$' };
const patternCache = new Map<string, RegExp>();

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** `*` matches any run of characters (including `/` and `:`), `?` any one. */
function globSource(text: string): string {
  return text.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : escapeRegex(c))).join('');
}

function cachedPattern(source: string, flags: string): RegExp {
  const cacheKey = flags + source;
  let pattern = patternCache.get(cacheKey);
  if (!pattern) {
    if (patternCache.size > 20_000) patternCache.clear();
    pattern = new RegExp(`^${source}$`, flags);
    patternCache.set(cacheKey, pattern);
  }
  return pattern;
}

function parseSegments(source: string): Segment[] {
  const segments: Segment[] = [];
  let last = 0;
  for (const match of source.matchAll(VARIABLE)) {
    if (match.index > last) segments.push(globSegment(source.slice(last, match.index)));
    const inner = match[1]!.trim();
    const fallback = /^(.+?)\s*,\s*'(.*)'$/.exec(inner);
    if (ESCAPES[inner] !== undefined) segments.push({ kind: 'literal', text: ESCAPES[inner]! });
    else if (fallback) segments.push({ kind: 'var', key: fallback[1]!.toLowerCase(), fallback: fallback[2]! });
    else segments.push({ kind: 'var', key: inner.toLowerCase() });
    last = match.index + match[0].length;
  }
  if (last < source.length) segments.push(globSegment(source.slice(last)));
  return segments;
}

/** A literal stretch of policy text, with its regex source worked out once. */
function globSegment(text: string): Segment {
  return { kind: 'glob', text, source: globSource(text) };
}

/** A parsed policy string. */
export class PolicyTemplate {
  readonly hasVariables: boolean;
  private readonly segments: readonly Segment[];
  private readonly fixedPatterns = new Map<string, RegExp>();

  constructor(readonly source: string) {
    this.segments = parseSegments(source);
    this.hasVariables = this.segments.some((s) => s.kind !== 'glob');
  }

  /** The context keys its variables read (lower case). */
  get variableKeys(): string[] {
    return this.segments.flatMap((s) => (s.kind === 'var' ? [s.key] : []));
  }

  /** The string with variables substituted (wildcards left as written); undefined if a variable has no value. */
  text(lookup: ContextLookup): string | undefined {
    if (!this.hasVariables) return this.source;
    let out = '';
    for (const s of this.segments) {
      const part = s.kind === 'var' ? variableValue(s, lookup) : s.text;
      if (part === undefined) return undefined;
      out += part;
    }
    return out;
  }

  /** An anchored pattern: wildcards from the policy text, variable values literal. */
  pattern(lookup: ContextLookup, flags = 's'): RegExp | undefined {
    if (!this.hasVariables) {
      let fixed = this.fixedPatterns.get(flags);
      if (!fixed) this.fixedPatterns.set(flags, fixed = cachedPattern(globSource(this.source), flags));
      return fixed;
    }
    let source = '';
    for (const s of this.segments) {
      if (s.kind === 'glob') source += s.source;
      else {
        const value = s.kind === 'literal' ? s.text : variableValue(s, lookup);
        if (value === undefined) return undefined;
        source += escapeRegex(value);
      }
    }
    return cachedPattern(source, flags);
  }

}

function variableValue(segment: { key: string; fallback?: string }, lookup: ContextLookup): string | undefined {
  const value = lookup(segment.key);
  // A multi-valued key cannot be a variable; AWS treats it as absent.
  if (typeof value === 'string') return value;
  return segment.fallback;
}
