/**
 * Parameter names to environment variable names, as chamber maps them: the last path segment,
 * upper-cased, with `-` and `.` turned into `_`. Two names mapping to one variable are refused
 * rather than one silently winning.
 */

/** The environment variable a parameter name maps to. */
export function envName(parameterName: string): string {
  const last = parameterName.slice(parameterName.lastIndexOf('/') + 1);
  return last.toUpperCase().replace(/[-.]/g, '_');
}

/** Maps name/value pairs to variables; throws listing every collision. */
export function toEnvironment(entries: readonly { name: string; value: string }[]): Map<string, string> {
  const byVariable = new Map<string, string[]>();
  for (const { name } of entries) byVariable.set(envName(name), [...(byVariable.get(envName(name)) ?? []), name]);
  const collisions = [...byVariable.entries()].filter(([, names]) => names.length > 1);
  if (collisions.length > 0) {
    const list = collisions.map(([variable, names]) => `${variable} (${names.join(', ')})`).join('; ');
    throw new Error(`these parameters map to the same environment variable: ${list}`);
  }
  return new Map(entries.map(({ name, value }) => [envName(name), value]));
}
