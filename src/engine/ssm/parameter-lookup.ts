/**
 * Finding a parameter's stored rows from a name as the caller spelled it, including AWS's rule
 * that `/Name` and `Name` are one parameter.
 */
import type { ParameterVersionRow, Scope, StorageReader } from '../../storage/storage.js';
import { ParameterNotFound, ParameterVersionNotFound } from './errors.js';
import { alternateSpelling, type Selector } from './parameter-name.js';

/** The latest version of `name` (in either one-level spelling), or undefined. */
export async function findLatest(
  reader: StorageReader,
  scope: Scope,
  name: string,
): Promise<ParameterVersionRow | undefined> {
  const row = await reader.getLatestVersion(scope, name);
  if (row) return row;
  const other = alternateSpelling(name);
  return other === undefined ? undefined : reader.getLatestVersion(scope, other);
}

/**
 * The spelling a parameter is stored under: `name` itself, or its other one-level spelling when
 * only that exists (so tags, history and authorization see one parameter whichever the caller used).
 */
export async function storedName(reader: StorageReader, scope: Scope, name: string): Promise<string> {
  return (await findLatest(reader, scope, name))?.name ?? name;
}

/** The version a selector picks; ParameterNotFound / ParameterVersionNotFound otherwise. */
export async function findSelected(
  reader: StorageReader,
  scope: Scope,
  name: string,
  selector: Selector,
): Promise<ParameterVersionRow> {
  if (selector.kind === 'version') {
    // Fast path: the stored name is usually the spelling asked for.
    const row = await reader.getVersion(scope, name, selector.version);
    if (row) return row;
  }
  const latest = await findLatest(reader, scope, name);
  if (!latest) throw new ParameterNotFound(name);
  if (selector.kind === 'latest') return latest;
  if (selector.kind === 'version') {
    const row = latest.name === name ? undefined : await reader.getVersion(scope, latest.name, selector.version);
    if (!row) throw new ParameterVersionNotFound(name, selector.version);
    return row;
  }
  const label = (await reader.listLabels(scope, latest.name)).find((l) => l.label === selector.label);
  const row =
    label && (label.version === latest.version ? latest : await reader.getVersion(scope, latest.name, label.version));
  if (!row) throw new ParameterNotFound(`${name}${selector.text}`);
  return row;
}

/** Labels grouped by version. */
export async function labelsByVersion(
  reader: StorageReader,
  scope: Scope,
  name: string,
): Promise<Map<number, string[]>> {
  const byVersion = new Map<number, string[]>();
  for (const { label, version } of await reader.listLabels(scope, name)) {
    byVersion.set(version, [...(byVersion.get(version) ?? []), label]);
  }
  return byVersion;
}
