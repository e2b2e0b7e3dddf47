/**
 * dotenv reading (through the `dotenv` package's parser) and writing, choosing for each value
 * a quoting that `dotenv` reads back to exactly the same string.
 */
import { parse } from 'dotenv';

/** Quotes one value so dotenv parses it back unchanged; throws if no quoting can. */
export function quoteDotenvValue(value: string): string {
  if (!value.includes("'") && !value.includes('\n') && !value.includes('\r')) return `'${value}'`;
  if (!value.includes('`')) return `\`${value}\``;
  if (!value.includes('"') && !value.includes('\\n')) return `"${value}"`;
  throw new Error('a value mixes quotes and backticks in a way dotenv cannot represent; use --format json');
}

/** Renders variables as dotenv lines. */
export function formatDotenv(entries: ReadonlyMap<string, string>): string {
  return [...entries].map(([key, value]) => `${key}=${quoteDotenvValue(value)}\n`).join('');
}

/** Parses dotenv text into ordered key/value pairs. */
export function parseDotenv(text: string): Map<string, string> {
  return new Map(Object.entries(parse(text)));
}
