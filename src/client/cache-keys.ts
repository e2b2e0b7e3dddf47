/**
 * The cache keys of the client's reads: readable (they appear in events, and hold names, never
 * values) and distinct for every variant of a read (selector, decryption, recursion, version).
 * Names hold no spaces in either service, so spaces separate the parts unambiguously.
 */

export function parameterKey(reference: string, decrypt: boolean): string {
  return `parameter ${reference}${decrypt ? '' : ' encrypted'}`;
}

export function pathKey(path: string, recursive: boolean, decrypt: boolean): string {
  return `path ${path}${recursive ? ' recursive' : ''}${decrypt ? '' : ' encrypted'}`;
}

export function secretKey(id: string, versionId?: string, versionStage?: string): string {
  return `secret ${id}${versionId ? ` version ${versionId}` : ''}${versionStage ? ` stage ${versionStage}` : ''}`;
}
