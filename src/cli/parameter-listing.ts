/**
 * Whole listings for the CLI, following NextToken to the end: every parameter under a path
 * with values, or with metadata.
 */
import type { Parameter, ParameterMetadata } from '@aws-sdk/client-ssm';
import type { ParameterOperations } from './parameter-operations.js';

/** Every parameter under `path`, decrypted, in name order. */
export async function parametersUnder(
  store: ParameterOperations,
  path: string,
  recursive: boolean,
): Promise<Parameter[]> {
  const all: Parameter[] = [];
  let token: string | undefined;
  do {
    const page = await store.getParametersByPath({
      Path: path,
      Recursive: recursive,
      WithDecryption: true,
      NextToken: token,
    });
    all.push(...(page.Parameters ?? []));
    token = page.NextToken;
  } while (token);
  return all;
}

/** Metadata of every parameter under `path` (the path itself too, if it is a parameter). */
export async function metadataUnder(
  store: ParameterOperations,
  path: string,
  recursive: boolean,
): Promise<ParameterMetadata[]> {
  const all: ParameterMetadata[] = [];
  let token: string | undefined;
  const filters =
    path === '/' && recursive ? [] : [{ Key: 'Path', Option: recursive ? 'Recursive' : 'OneLevel', Values: [path] }];
  do {
    const page = await store.describeParameters({ ParameterFilters: filters, NextToken: token });
    all.push(...(page.Parameters ?? []));
    token = page.NextToken;
  } while (token);
  return all;
}
