/**
 * AWS's public parameters (`/aws/service/...`) as GetParameter, GetParameters and
 * GetParametersByPath serve them: from the catalog of the request's region, never from the
 * store (no account owns them; the reserved `aws` prefix keeps anyone from writing there).
 * Shapes are AWS's: Type String, the recorded Version, LastModifiedDate and DataType, and an ARN
 * without an account. Only the current version is known: a `:version` selector names it or
 * none, and no labels exist.
 */
import type { Parameter } from '@aws-sdk/client-ssm';
import type { Scope } from '../../storage/storage.js';
import { ParameterNotFound, ParameterVersionNotFound } from './errors.js';
import type { ParameterPredicate } from './parameter-filters.js';
import { parameterArn, type Selector } from './parameter-name.js';
import { publicParameterCatalog, type PublicParameter } from './public-parameter-catalog.js';

/** A page of a public path's parameters; `next` is the cursor's name when more may follow. */
export interface PublicParametersPage {
  readonly parameters: Parameter[];
  readonly next?: string;
}

/** The response shape of one public parameter, in field order as AWS answers. */
function view(scope: Scope, parameter: PublicParameter, selector?: string): Parameter {
  return {
    Name: parameter.name,
    Type: 'String',
    Value: parameter.value,
    Version: parameter.version,
    ...(selector ? { Selector: selector } : {}),
    LastModifiedDate: new Date(parameter.lastModifiedDate),
    ARN: parameterArn(scope, parameter.name),
    DataType: parameter.dataType,
  };
}

/** GetParameter of a public name (with its selector): ParameterNotFound as for any absent parameter. */
export function getPublicParameter(scope: Scope, name: string, selector: Selector): Parameter {
  const parameter = publicParameterCatalog().get(scope.region, name);
  if (!parameter) throw new ParameterNotFound(name);
  if (selector.kind === 'latest') return view(scope, parameter);
  if (selector.kind === 'label') throw new ParameterNotFound(`${name}${selector.text}`);
  if (selector.version !== parameter.version) throw new ParameterVersionNotFound(name, selector.version);
  return view(scope, parameter, selector.text);
}

/** One page of GetParametersByPath under a public path, filtered as AWS filters (no key, labels or tags). */
export function publicParametersByPath(
  scope: Scope,
  path: string,
  recursive: boolean,
  after: string | undefined,
  limit: number,
  predicate: ParameterPredicate,
): PublicParametersPage {
  const keep = (p: PublicParameter) =>
    predicate.matches({
      row: { name: p.name, type: 'String', keyId: null, tier: 'Standard', dataType: p.dataType },
      tags: new Map(),
      labels: [],
    });
  const page = publicParameterCatalog().list(scope.region, path, recursive, after, limit, keep);
  return {
    parameters: page.parameters.map((p) => view(scope, p)),
    ...(page.next !== undefined ? { next: page.next } : {}),
  };
}
