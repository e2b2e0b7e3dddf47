/**
 * Durations as settings spell them: milliseconds (`300000`), or a number with a unit (`250ms`,
 * `30s`, `5m`, `1h`).
 */
import { CofferClientError } from './client-error.js';

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** The milliseconds `text` stands for; `setting` names it in the error when it stands for none. */
export function parseDuration(text: string, setting: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!match) {
    throw new CofferClientError(
      'ValidationException',
      `${setting} must be milliseconds or a number with ms, s, m or h (such as 300000 or 5m)`,
    );
  }
  return Math.round(Number(match[1]) * UNITS[match[2] ?? 'ms']!);
}
