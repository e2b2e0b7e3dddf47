/**
 * The field rules of PutParameter other than the name: type, value size per tier, tier changes,
 * AllowedPattern, DataType, description, nested `{{...}}` references and parameter policies
 * (whose grammar is parameter-policies.ts).
 */
import { RE2JS } from 're2js';
import { constraintFailure } from '../service-error.js';
import {
  IncompatiblePolicyException,
  InvalidAllowedPatternException,
  ParameterPatternMismatchException,
  ValidationException,
} from './errors.js';
import { parsePolicies } from './parameter-policies.js';

export const PARAMETER_TYPES = ['String', 'StringList', 'SecureString'] as const;
export type ParameterTypeName = (typeof PARAMETER_TYPES)[number];
export const TIERS = ['Standard', 'Advanced', 'Intelligent-Tiering'] as const;
export const DATA_TYPES = ['text', 'aws:ec2:image', 'aws:ssm:integration'] as const;

const STANDARD_MAX_BYTES = 4096;
const ADVANCED_MAX_BYTES = 8192;

/** Checks Type against AWS's enum. */
export function checkType(type: string): asserts type is ParameterTypeName {
  if (!(PARAMETER_TYPES as readonly string[]).includes(type)) {
    throw ValidationException.of(
      constraintFailure('type', type, 'Member must satisfy enum value set: [SecureString, StringList, String]'),
    );
  }
}

/** Checks presence and length of Value, and refuses nested `{{...}}` references. */
export function checkValue(value: string | undefined): asserts value is string {
  if (value === undefined || value === null)
    throw ValidationException.of(constraintFailure('value', null, 'Member must not be null'));
  if (typeof value !== 'string')
    throw ValidationException.of(constraintFailure('value', undefined, 'Member must be a string'));
  if (value.length === 0)
    throw ValidationException.of(
      constraintFailure('value', undefined, 'Member must have length greater than or equal to 1'),
    );
  if (/\{\{[\s\S]*\}\}/.test(value))
    throw new ValidationException('Parameter value can\'t nest another parameter. Do not use "{{}}" in the value.');
}

/** Checks Description's length (AWS: at most 1024). */
export function checkDescription(description: string | undefined): void {
  if (description !== undefined && description.length > 1024) {
    throw ValidationException.of(
      constraintFailure('description', undefined, 'Member must have length less than or equal to 1024'),
    );
  }
}

/**
 * Checks DataType. An `aws:ec2:image` value is not checked here: AWS validates it
 * asynchronously after PutParameter has succeeded (see `isImageId`).
 */
export function checkDataType(dataType: string, type: string): void {
  if (!(DATA_TYPES as readonly string[]).includes(dataType)) {
    throw new ValidationException(
      `The following data type is not supported: ${dataType} (Data type names are all lowercase.)`,
    );
  }
  if (dataType !== 'text' && type !== 'String') {
    throw new ValidationException(`The data type ${dataType} can be used only with the String parameter type.`);
  }
}

/**
 * Whether an `aws:ec2:image` value has an AMI id's form (ami- and 8 or 17 hexadecimal digits).
 * AWS answers PutParameter with success either way and then validates: a value that fails is
 * neither created nor updated, and the failure is an event. Coffer cannot look images up, so
 * the form is what it validates.
 */
export function isImageId(value: string): boolean {
  return /^ami-([0-9a-f]{8}|[0-9a-f]{17})$/.test(value);
}

/**
 * Compiles AllowedPattern and checks the value against it (the whole value must match). The
 * pattern is the caller's, so it runs on RE2 (re2js), whose matching takes time linear in the
 * value whatever the pattern: `(a+)+$` on a long value cannot stall the server. RE2 has no
 * backreferences or lookaround; a pattern using them is refused as invalid.
 */
export function checkAllowedPattern(pattern: string | undefined, value: string): void {
  if (pattern === undefined || pattern === null) return;
  if (pattern.length > 1024)
    throw ValidationException.of(
      constraintFailure('allowedPattern', undefined, 'Member must have length less than or equal to 1024'),
    );
  let regex: RE2JS;
  try {
    regex = compiledPattern(pattern);
  } catch {
    throw new InvalidAllowedPatternException(
      `The allowed pattern ${pattern} is not a valid regular expression (Coffer evaluates RE2 syntax: no ` +
        `backreferences or lookaround).`,
    );
  }
  if (!regex.matches(value)) throw new ParameterPatternMismatchException(pattern);
}

const patterns = new Map<string, RE2JS>();

function compiledPattern(pattern: string): RE2JS {
  let regex = patterns.get(pattern);
  if (!regex) {
    regex = RE2JS.compile(pattern);
    if (patterns.size > 1000) patterns.clear();
    patterns.set(pattern, regex);
  }
  return regex;
}

/** Checks parameter policies (parameter-policies.ts: AWS's grammar and errors). */
export function checkPolicies(policies: string | undefined): void {
  if (policies === undefined || policies === null) return;
  parsePolicies(policies);
}

/**
 * Decides the tier of the new version. Intelligent-Tiering picks Standard when the value fits
 * and no policies are set; an Advanced parameter never goes back to Standard.
 */
export function resolveTier(
  requested: string | undefined,
  previousTier: string | undefined,
  valueBytes: number,
  hasPolicies: boolean,
): 'Standard' | 'Advanced' {
  if (requested !== undefined && !(TIERS as readonly string[]).includes(requested)) {
    throw ValidationException.of(
      constraintFailure(
        'tier',
        requested,
        'Member must satisfy enum value set: [Standard, Advanced, Intelligent-Tiering]',
      ),
    );
  }
  if (valueBytes > ADVANCED_MAX_BYTES) {
    throw ValidationException.of(
      constraintFailure('value', undefined, `Member must have length less than or equal to ${ADVANCED_MAX_BYTES}`),
    );
  }
  const wanted = requested ?? previousTier ?? 'Standard';
  const tier =
    wanted === 'Intelligent-Tiering'
      ? previousTier === 'Advanced' || valueBytes > STANDARD_MAX_BYTES || hasPolicies
        ? 'Advanced'
        : 'Standard'
      : (wanted as 'Standard' | 'Advanced');
  if (tier === 'Standard' && previousTier === 'Advanced') {
    throw new ValidationException(
      "This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the advanced-parameter " +
        'tier ' +
        'to the standard-parameter tier. If necessary, you can delete the advanced parameter and recreate it as a ' +
        'standard parameter.',
    );
  }
  if (tier === 'Standard' && valueBytes > STANDARD_MAX_BYTES) {
    throw new ValidationException(
      'Standard tier parameters support a maximum parameter value of 4096 characters. ' +
        'To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier.',
    );
  }
  if (tier === 'Standard' && hasPolicies) {
    throw new IncompatiblePolicyException(
      'Parameter policies are supported only for parameters in the advanced-parameter tier.',
    );
  }
  return tier;
}
