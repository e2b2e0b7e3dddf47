/**
 * The cache keys of the client's reads: readable (they appear in events, and hold names, never
 * values) and distinct for every variant of a read (selector, decryption, recursion, version).
 * A key is a kind with its qualifiers, one token, then a space and the name as given, last: a
 * name may hold spaces (AWS's models allow them in a SecretId or a parameter Name), but nothing
 * follows it, and the token before it is fixed or self-delimiting JSON, so no two reads share a key.
 */

export function parameterKey(reference: string, decrypt: boolean): string {
  return decrypt ? `parameter ${reference}` : `parameter(encrypted) ${reference}`;
}

export function pathKey(path: string, recursive: boolean, decrypt: boolean): string {
  const flags = [recursive ? 'recursive' : '', decrypt ? '' : 'encrypted'].filter(Boolean).join(',');
  return `path${flags ? `(${flags})` : ''} ${path}`;
}

export function secretKey(id: string, versionId?: string, versionStage?: string): string {
  if (versionId === undefined && versionStage === undefined) return `secret ${id}`;
  return `secret${JSON.stringify([versionId ?? null, versionStage ?? null])} ${id}`;
}
