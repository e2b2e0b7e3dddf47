/**
 * The catalog of AWS's public parameters Coffer serves read-only: everything under
 * `/aws/service/global-infrastructure` (the same in every region) and
 * `/aws/service/ami-amazon-linux-latest` (each region its own AMI ids). The data is a generated
 * module (public-parameter-data.ts, from moto's recordings of AWS), decoded on first use only,
 * once per process, and never written: these parameters belong to no account and no store.
 */
import { brotliDecompressSync } from 'node:zlib';
import { PUBLIC_PARAMETER_DATA } from './public-parameter-data.js';

const GLOBAL_PREFIX = '/aws/service/global-infrastructure';
const AMI_PREFIX = '/aws/service/ami-amazon-linux-latest/';
/** Names a page examines at most (as the store's listings), so a filter matching few pages on. */
const SCAN_BUDGET = 2000;

/** One public parameter, as AWS serves it (Type String; no key, tier, labels or tags). */
export interface PublicParameter {
  readonly name: string;
  readonly value: string;
  readonly version: number;
  /** Epoch milliseconds. */
  readonly lastModifiedDate: number;
  readonly dataType: string;
}

/** A page of names under a path. */
export interface PublicPage {
  readonly parameters: PublicParameter[];
  /** The last name examined, when more may follow. */
  readonly next?: string;
}

type Tree = { [segment: string]: Tree | string };
interface Document {
  snapshotDate: number;
  tree: Tree;
  amis: Record<string, Record<string, [string, number, number, string]>>;
}

/** The index of the first name in `names` (sorted) that is not less than `key`. */
function lowerBound(names: readonly string[], key: string): number {
  let low = 0;
  let high = names.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (names[mid]! < key) low = mid + 1;
    else high = mid;
  }
  return low;
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The public parameters, by region. */
export class PublicParameterCatalog {
  private readonly sortedNames = new Map<string, readonly string[]>();

  private constructor(
    private readonly global: ReadonlyMap<string, PublicParameter>,
    private readonly amis: ReadonlyMap<string, ReadonlyMap<string, PublicParameter>>,
  ) {}

  /** Decodes the generated data (base64 lines of Brotli-compressed JSON). */
  static decode(lines: readonly string[]): PublicParameterCatalog {
    const text = brotliDecompressSync(Buffer.from(lines.join(''), 'base64')).toString('utf8');
    const document = JSON.parse(text) as Document;
    const global = new Map<string, PublicParameter>();
    const walk = (tree: Tree, path: string) => {
      for (const [segment, child] of Object.entries(tree)) {
        if (segment === 'Value' && typeof child === 'string') {
          global.set(path, {
            name: path,
            value: child,
            version: 1,
            lastModifiedDate: document.snapshotDate,
            dataType: 'text',
          });
        } else if (typeof child === 'object') walk(child, `${path}/${segment}`);
      }
    };
    walk(document.tree, GLOBAL_PREFIX);
    const amis = new Map<string, Map<string, PublicParameter>>();
    for (const [region, records] of Object.entries(document.amis)) {
      const inRegion = new Map<string, PublicParameter>();
      for (const [short, [value, version, lastModifiedDate, dataType]] of Object.entries(records)) {
        const name = `${AMI_PREFIX}${short}`;
        inRegion.set(name, { name, value, version, lastModifiedDate, dataType });
      }
      amis.set(region, inRegion);
    }
    return new PublicParameterCatalog(global, amis);
  }

  /** The public parameter `name` as served in `region`, if there is one. */
  get(region: string, name: string): PublicParameter | undefined {
    return this.amis.get(region)?.get(name) ?? this.global.get(name);
  }

  /**
   * The parameters under `path` in name order (its children, or with `recursive` every
   * descendant), after the name `after`, until `limit` pass `keep` or SCAN_BUDGET names were
   * examined (a page may then be empty, with a next name).
   */
  list(
    region: string,
    path: string,
    recursive: boolean,
    after: string | undefined,
    limit: number,
    keep: (parameter: PublicParameter) => boolean,
  ): PublicPage {
    const names = this.namesIn(region);
    const prefix = path.endsWith('/') ? path : `${path}/`;
    const parameters: PublicParameter[] = [];
    let i = after === undefined ? lowerBound(names, prefix) : lowerBound(names, `${after}\u0000`);
    let examined = 0;
    while (i < names.length && names[i]!.startsWith(prefix)) {
      const name = names[i]!;
      const slash = name.indexOf('/', prefix.length);
      if (!recursive && slash !== -1) {
        // A grandchild: skip every name below that child ('0' follows '/').
        i = lowerBound(names, `${name.slice(0, slash)}0`);
        continue;
      }
      const parameter = this.get(region, name)!;
      if (keep(parameter)) parameters.push(parameter);
      i++;
      examined++;
      if (parameters.length === limit || examined === SCAN_BUDGET)
        return i < names.length && names[i]!.startsWith(prefix) ? { parameters, next: name } : { parameters };
    }
    return { parameters };
  }

  /** Every public name served in `region`, sorted (built once per region asked for). */
  private namesIn(region: string): readonly string[] {
    const key = this.amis.has(region) ? region : '';
    let names = this.sortedNames.get(key);
    if (!names) {
      names = [...this.global.keys(), ...(this.amis.get(region)?.keys() ?? [])].sort(byName);
      this.sortedNames.set(key, names);
    }
    return names;
  }
}

let catalog: PublicParameterCatalog | undefined;

/** The catalog, decoded on first use. */
export function publicParameterCatalog(): PublicParameterCatalog {
  catalog ??= PublicParameterCatalog.decode(PUBLIC_PARAMETER_DATA);
  return catalog;
}
