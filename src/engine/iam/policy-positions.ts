/**
 * Where each statement of a policy document starts and ends (line and column, 1-based), so
 * SimulatePrincipalPolicy can say which statement decided, as AWS does.
 */

export interface Position {
  readonly Line: number;
  readonly Column: number;
}

export interface Span {
  readonly start: Position;
  readonly end: Position;
}

/** The span of every statement in `text`, in order (the text is a valid policy document). */
export function statementPositions(text: string): Span[] {
  let line = 1;
  let column = 0;
  let depth = 0;
  let lastString = '';
  let afterStatementKey = false;
  let objectDepth = -1;
  let start: Position | undefined;
  const spans: Span[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      column = 0;
      continue;
    }
    column++;
    if (c === '"') {
      let value = '';
      for (i++; i < text.length && text[i] !== '"'; i++) {
        value += text[i] === '\\' ? text[++i] : text[i];
        column += text[i - 1] === '\\' ? 2 : 1;
      }
      column++;
      lastString = value;
      continue;
    }
    if (c === ':') {
      afterStatementKey = depth === 1 && lastString === 'Statement';
      continue;
    }
    if (c === '{' || c === '[') {
      depth++;
      if (afterStatementKey) {
        // "Statement": [ {...}, ... ] holds statements one level deeper than "Statement": {...}.
        objectDepth = c === '[' ? depth + 1 : depth;
        afterStatementKey = false;
      }
      if (c === '{' && depth === objectDepth) start = { Line: line, Column: column };
    } else if (c === '}' || c === ']') {
      if (c === '}' && depth === objectDepth && start) {
        spans.push({ start, end: { Line: line, Column: column + 1 } });
        start = undefined;
      }
      depth--;
      if (objectDepth > 0 && depth < objectDepth - 1) objectDepth = -1;
    } else if (c.trim() !== '') afterStatementKey = false;
  }
  return spans;
}
