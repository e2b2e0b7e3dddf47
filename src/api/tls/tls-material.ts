/**
 * Where `coffer serve` gets its TLS key and certificate: files the operator names
 * (--tls-cert/--tls-key or COFFER_TLS_CERT/COFFER_TLS_KEY), or with --tls-self-signed a pair made
 * on first start under `<data-dir>/tls/` (0600) for localhost, the loopback addresses, the host
 * name and the listening address. Read again on SIGHUP, so a renewed certificate needs no restart.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ensurePrivateDirectory, ensurePrivateFile } from '../../storage/private-files.js';
import { selfSignedCertificate } from './self-signed-certificate.js';

/** What to serve TLS with. */
export type TlsSource =
  | { readonly kind: 'files'; readonly certPath: string; readonly keyPath: string }
  | { readonly kind: 'self-signed'; readonly dataDir: string; readonly host: string };

/** A loaded key pair. */
export interface TlsMaterial {
  readonly key: string;
  readonly cert: string;
  readonly certPath: string;
  readonly fingerprint256: string;
  /** Set when this start made the self-signed pair. */
  readonly created: boolean;
}

function selfSignedPaths(dataDir: string): { certPath: string; keyPath: string } {
  const dir = join(dataDir, 'tls');
  return { certPath: join(dir, 'coffer-self-signed.crt'), keyPath: join(dir, 'coffer-self-signed.key') };
}

function writePrivate(path: string, text: string): void {
  ensurePrivateFile(path);
  writeFileSync(path, text, { mode: 0o600 });
}

/** Loads (making a self-signed pair first if asked and missing) the key and certificate. */
export function loadTlsMaterial(source: TlsSource): TlsMaterial {
  let paths: { certPath: string; keyPath: string };
  let created = false;
  if (source.kind === 'files') paths = source;
  else {
    paths = selfSignedPaths(source.dataDir);
    if (!existsSync(paths.certPath) || !existsSync(paths.keyPath)) {
      ensurePrivateDirectory(join(source.dataDir, 'tls'));
      const names = [
        ...new Set([
          'localhost',
          '127.0.0.1',
          '::1',
          hostname(),
          ...(['0.0.0.0', '::'].includes(source.host) ? [] : [source.host]),
        ]),
      ];
      const made = selfSignedCertificate(names);
      writePrivate(paths.keyPath, made.keyPem);
      writePrivate(paths.certPath, made.certPem);
      created = true;
    }
  }
  const cert = readFileSync(paths.certPath, 'utf8');
  const key = readFileSync(paths.keyPath, 'utf8');
  return { key, cert, certPath: paths.certPath, fingerprint256: new X509Certificate(cert).fingerprint256, created };
}
