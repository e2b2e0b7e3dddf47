/**
 * The base of every error a caller may see: an AWS error code, a message, and the HTTP status
 * AWS answers with. Engines raise subclasses named exactly as the AWS code; only the wire layer
 * serialises them. Messages never carry a parameter or secret value.
 */
export class ServiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus = 400,
  ) {
    super(message);
    this.name = code;
  }
}

/** Formats AWS's "N validation error(s) detected: ..." message from constraint failures. */
export function validationMessage(failures: readonly string[]): string {
  const n = failures.length;
  return `${n} validation error${n === 1 ? '' : 's'} detected: ${failures.join('; ')}`;
}

/** One constraint failure in AWS's wording: "Value 'x' at 'field' failed to satisfy constraint: ...". */
export function constraintFailure(field: string, value: unknown, constraint: string): string {
  const shown = value === undefined ? '' : value === null ? 'null ' : `'${String(value)}' `;
  return `Value ${shown}at '${field}' failed to satisfy constraint: ${constraint}`;
}

/** A list as AWS shows it in a constraint failure: `[a, b, c]` (never for a sensitive member). */
export function listShown(values: readonly unknown[]): string {
  return `[${values.join(', ')}]`;
}
