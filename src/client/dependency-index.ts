/**
 * Which cache keys depend on which names: by name (a parameter in any spelling or selector, a
 * secret by name or ARN), or by path (a listing depends on every name below its path, including
 * names that do not exist yet).
 */
import { enclosingPaths } from './parameter-names.js';

/** What one entry depends on. */
export interface Dependencies {
  readonly names: ReadonlySet<string>;
  readonly paths: ReadonlySet<string>;
}

/** Whether a change to `name` touches what `dependencies` describe. */
export function dependsOnName(dependencies: Dependencies, name: string): boolean {
  if (dependencies.names.has(name) || dependencies.paths.has(name)) return true;
  return enclosingPaths(name).some((path) => dependencies.paths.has(path));
}

/** Keys by the names and paths they depend on. */
export class DependencyIndex {
  private readonly byName = new Map<string, Set<string>>();
  private readonly byPath = new Map<string, Set<string>>();

  add(key: string, dependencies: Dependencies): void {
    for (const name of dependencies.names) link(this.byName, name, key);
    for (const path of dependencies.paths) link(this.byPath, path, key);
  }

  remove(key: string, dependencies: Dependencies): void {
    for (const name of dependencies.names) unlink(this.byName, name, key);
    for (const path of dependencies.paths) unlink(this.byPath, path, key);
  }

  /** Every key a change to `name` touches: entries of that name, and listings of a path holding it (or of it). */
  keysFor(name: string): Set<string> {
    const keys = new Set(this.byName.get(name));
    for (const path of [name, ...enclosingPaths(name)]) for (const key of this.byPath.get(path) ?? []) keys.add(key);
    return keys;
  }

  clear(): void {
    this.byName.clear();
    this.byPath.clear();
  }
}

function link(index: Map<string, Set<string>>, dependency: string, key: string): void {
  let keys = index.get(dependency);
  if (!keys) index.set(dependency, (keys = new Set()));
  keys.add(key);
}

function unlink(index: Map<string, Set<string>>, dependency: string, key: string): void {
  const keys = index.get(dependency);
  if (!keys) return;
  keys.delete(key);
  if (keys.size === 0) index.delete(dependency);
}
