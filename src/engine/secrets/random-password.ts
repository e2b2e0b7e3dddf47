/**
 * GetRandomPassword, and the password generator the built-in rotators use: characters drawn
 * with a CSPRNG from the classes the caller keeps, at least one of each when required.
 */
import { randomInt } from 'node:crypto';
import { InvalidParameterException, SecretsValidationException } from './errors.js';

const CLASSES = {
  lowercase: 'abcdefghijklmnopqrstuvwxyz',
  uppercase: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  numbers: '0123456789',
  punctuation: '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
  space: ' ',
};

/** The options GetRandomPassword takes. */
export interface PasswordRules {
  PasswordLength?: number;
  ExcludeCharacters?: string;
  ExcludeNumbers?: boolean;
  ExcludePunctuation?: boolean;
  ExcludeUppercase?: boolean;
  ExcludeLowercase?: boolean;
  IncludeSpace?: boolean;
  RequireEachIncludedType?: boolean;
}

/** A random password following `rules` (AWS's defaults: 32 characters, every class but space, one of each). */
export function randomPassword(rules: PasswordRules = {}): string {
  const length = rules.PasswordLength ?? 32;
  if (typeof length !== 'number' || length < 1 || length > 4096) {
    // The wire's model check says the same first; this guards calls from inside Coffer.
    const bound =
      typeof length === 'number' && length > 4096 ? 'less than or equal to 4096' : 'greater than or equal to 1';
    throw new SecretsValidationException(
      `1 validation error detected: Value '${String(length)}' at 'passwordLength' failed to satisfy constraint: ` +
        `Member must have value ${bound}`,
    );
  }
  if (!Number.isInteger(length)) throw new InvalidParameterException('The password length must be a whole number.');
  const excluded = new Set(rules.ExcludeCharacters ?? '');
  const keep = (chars: string) => [...chars].filter((c) => !excluded.has(c)).join('');
  // RequireEachIncludedType asks for one of each of these (AWS: "at least one upper and lowercase
  // letter, one number, and one punctuation"); a space may appear but is never required.
  const required = [
    rules.ExcludeLowercase ? '' : CLASSES.lowercase,
    rules.ExcludeUppercase ? '' : CLASSES.uppercase,
    rules.ExcludeNumbers ? '' : CLASSES.numbers,
    rules.ExcludePunctuation ? '' : CLASSES.punctuation,
  ]
    .map(keep)
    .filter((chars) => chars.length > 0);
  const all = required.join('') + (rules.IncludeSpace ? keep(CLASSES.space) : '');
  if (all.length === 0)
    throw new InvalidParameterException('The password would contain no characters: every character type is excluded.');
  const requireEach = rules.RequireEachIncludedType ?? true;
  if (requireEach && required.length > length) {
    throw new InvalidParameterException('Password length is too short based on the required types.');
  }
  const chars = Array.from({ length }, () => all[randomInt(all.length)]!);
  if (requireEach) {
    // Put one character of each required class at distinct random positions.
    const positions = new Set<number>();
    while (positions.size < required.length) positions.add(randomInt(length));
    [...positions].forEach((position, i) => {
      chars[position] = required[i]![randomInt(required[i]!.length)]!;
    });
  }
  return chars.join('');
}
