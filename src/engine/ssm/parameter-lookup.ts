/**
 * Finding a parameter's stored rows from a name as the caller spelled it, including AWS's rule
 * that `/Name` and `Name` are one parameter.
 *
 * A one-level parameter is written under its canonical spelling (`Name`). A store written before
 * that may hold it as `/Name`: it is still found, under either spelling, and keeps its rows (its
 * value is sealed to the stored name, so it is not renamed); it is shown by its canonical name.
 * Should such a store hold both spellings, the canonical row is the parameter and listings leave
 * the other out (`isShadowed`); deleting the parameter leaves the other to be found, and deleted, next.
 */
import type { ParameterVersionRow, Scope, StorageReader } from '../../storage/storage.js';
import { ParameterNotFound, ParameterVersionNotFound } from './errors.js';
import { canonicalName, legacySpelling, type Selector } from './parameter-name.js';

/** The latest version of `name` (in either one-level spelling, the canonical first), or undefined. */
export async function findLatest(
  reader: StorageReader,
  scope: Scope,
  name: string,
): Promise<ParameterVersionRow | undefined> {
  const canonical = canonicalName(name);
  const row = await reader.getLatestVersion(scope, canonical);
  if (row) return row;
  const legacy = legacySpelling(canonical);
  return legacy === undefined ? undefined : reader.getLatestVersion(scope, legacy);
}

/** Whether a stored row is a legacy `/Name` spelling hidden by a canonical `Name` row. */
export async function isShadowed(reader: StorageReader, scope: Scope, storedName: string): Promise<boolean> {
  const canonical = canonicalName(storedName);
  return canonical !== storedName && (await reader.getLatestVersion(scope, canonical)) !== undefined;
}

/**
 * The spelling a parameter is stored under: the canonical one, or the legacy `/Name` a store
 * kept it under (so tags, history and authorization see one parameter whichever the caller used).
 */
export async function storedName(reader: StorageReader, scope: Scope, name: string): Promise<string> {
  return (await findLatest(reader, scope, name))?.name ?? canonicalName(name);
}

/**
 * The version a selector picks; ParameterNotFound / ParameterVersionNotFound otherwise. A missing
 * parameter is named with its selector as the caller wrote it (`Parameter name:2 not found.`).
 */
export async function findSelected(
  reader: StorageReader,
  scope: Scope,
  name: string,
  selector: Selector,
): Promise<ParameterVersionRow> {
  const asGiven = selector.kind === 'latest' ? name : `${name}${selector.text}`;
  if (selector.kind === 'version') {
    // Fast path: the canonical spelling is where a parameter is stored.
    const row = await reader.getVersion(scope, canonicalName(name), selector.version);
    if (row) return row;
  }
  const latest = await findLatest(reader, scope, name);
  if (!latest) throw new ParameterNotFound(asGiven);
  if (selector.kind === 'latest') return latest;
  if (selector.kind === 'version') {
    const row =
      latest.name === canonicalName(name) ? undefined : await reader.getVersion(scope, latest.name, selector.version);
    if (!row) throw new ParameterVersionNotFound(name, selector.text.slice(1));
    return row;
  }
  const label = (await reader.listLabels(scope, latest.name)).find((l) => l.label === selector.label);
  const row =
    label && (label.version === latest.version ? latest : await reader.getVersion(scope, latest.name, label.version));
  if (!row) throw new ParameterNotFound(asGiven);
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
