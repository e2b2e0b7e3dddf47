/**
 * A policy string that may hold policy variables (`${aws:username}`, `${aws:PrincipalTag/team}`,
 * `${aws:username, 'default'}`) and the escapes `${*}`, `${?}`, `${$}`. Used for Resource
 * patterns and condition values: a variable's value is always taken literally (a `*` in a tag
 * value is not a wildcard), and a variable with no value and no default makes the string match
 * nothing, as AWS documents. Matching is wildcard.ts's: no regular expression is ever built from
 * policy text or request values.
 */
import { Wildcard } from './wildcard.js';

/** Looks up a request-context key (lower case); multi-valued keys give arrays. */
export type ContextLookup = (key: string) => string | readonly string[] | undefined;

type Segment =
  | { readonly kind: 'glob'; readonly text: string }
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'var'; readonly key: string; readonly fallback?: string };

const VARIABLE = /\$\{([^}]*)\}/g;
const ESCAPES: Record<string, string> = { '*': '*', '?': '?', $: '$' };
/** Matchers of patterns with variables, by their substituted parts (policies repeat a few). */
const matcherCache = new Map<string, Wildcard>();

function parseSegments(source: string): Segment[] {
  const segments: Segment[] = [];
  let last = 0;
  for (const match of source.matchAll(VARIABLE)) {
    if (match.index > last) segments.push({ kind: 'glob', text: source.slice(last, match.index) });
    const inner = match[1]!.trim();
    const comma = inner.indexOf(',');
    const fallback = comma > 0 ? /^'(.*)'$/.exec(inner.slice(comma + 1).trim()) : null;
    if (ESCAPES[inner] !== undefined) segments.push({ kind: 'literal', text: ESCAPES[inner]! });
    else if (fallback)
      segments.push({ kind: 'var', key: inner.slice(0, comma).trim().toLowerCase(), fallback: fallback[1]! });
    else segments.push({ kind: 'var', key: inner.toLowerCase() });
    last = match.index + match[0].length;
  }
  if (last < source.length) segments.push({ kind: 'glob', text: source.slice(last) });
  return segments;
}

/** A parsed policy string. */
export class PolicyTemplate {
  readonly hasVariables: boolean;
  private readonly segments: readonly Segment[];
  private fixed: Wildcard | undefined;

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

  /**
   * The wildcard matcher: wildcards from the policy text, variable values literal; undefined if
   * a variable has no value.
   */
  matcher(lookup: ContextLookup): Wildcard | undefined {
    if (!this.hasVariables) return (this.fixed ??= Wildcard.of(this.source));
    const parts = this.parts(lookup);
    if (!parts) return undefined;
    const cacheKey = parts.map((p) => `${p.literal ? 'L' : 'G'}${p.text.length}:${p.text}`).join('');
    let matcher = matcherCache.get(cacheKey);
    if (!matcher) {
      if (matcherCache.size > 20_000) matcherCache.clear();
      matcher = new Wildcard(parts);
      matcherCache.set(cacheKey, matcher);
    }
    return matcher;
  }

  /** The text in parts: policy text (its wildcards live) and substituted values (literal). */
  parts(lookup: ContextLookup): TemplatePart[] | undefined {
    const parts: TemplatePart[] = [];
    for (const s of this.segments) {
      const text = s.kind === 'var' ? variableValue(s, lookup) : s.text;
      if (text === undefined) return undefined;
      parts.push({ text, literal: s.kind !== 'glob' });
    }
    return parts;
  }
}

/** The template's text in parts, variables substituted and marked literal; undefined if one has no value. */
export interface TemplatePart {
  readonly text: string;
  readonly literal: boolean;
}

function variableValue(segment: { key: string; fallback?: string }, lookup: ContextLookup): string | undefined {
  const value = lookup(segment.key);
  // A multi-valued key cannot be a variable; AWS treats it as absent.
  if (typeof value === 'string') return value;
  return segment.fallback;
}
