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
  const classes = [
    rules.ExcludeLowercase ? '' : CLASSES.lowercase,
    rules.ExcludeUppercase ? '' : CLASSES.uppercase,
    rules.ExcludeNumbers ? '' : CLASSES.numbers,
    rules.ExcludePunctuation ? '' : CLASSES.punctuation,
    rules.IncludeSpace ? CLASSES.space : '',
  ]
    .map((chars) => [...chars].filter((c) => !excluded.has(c)).join(''))
    .filter((chars) => chars.length > 0);
  if (classes.length === 0)
    throw new InvalidParameterException('The password would contain no characters: every character type is excluded.');
  const requireEach = rules.RequireEachIncludedType ?? true;
  if (requireEach && classes.length > length) {
    throw new InvalidParameterException('Password length is too short based on the required types.');
  }
  const all = classes.join('');
  const chars = Array.from({ length }, () => all[randomInt(all.length)]!);
  if (requireEach) {
    // Put one character of each class at distinct random positions.
    const positions = new Set<number>();
    while (positions.size < classes.length) positions.add(randomInt(length));
    [...positions].forEach((position, i) => {
      chars[position] = classes[i]![randomInt(classes[i]!.length)]!;
    });
  }
  return chars.join('');
}
