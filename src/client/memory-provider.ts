/**
 * Values held in a map, by name: the simplest provider, for tests, for `coffer agent`'s
 * fixtures, and as the form files take once parsed.
 */
import { LocalProvider } from './local-provider.js';
import type { LocalOrigin, LocalValue } from './local-records.js';

/** A provider over a fixed table of names and values. */
export class MemoryProvider extends LocalProvider {
  private readonly values: ReadonlyMap<string, LocalValue>;

  constructor(
    readonly name: string,
    values: ReadonlyMap<string, LocalValue> | Readonly<Record<string, LocalValue>>,
    origin?: LocalOrigin,
  ) {
    super(origin);
    this.values = values instanceof Map ? values : new Map(Object.entries(values));
  }

  protected async read(name: string): Promise<LocalValue | undefined> {
    return this.values.get(name);
  }

  protected async listNames(): Promise<string[]> {
    return [...this.values.keys()];
  }
}
