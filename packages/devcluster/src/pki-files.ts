/**
 * File names of a `qsign pki` CA directory (kept apart from pki.ts so
 * that reading them does not load the X.509 issuing library).
 */
import { join, resolve } from 'node:path';

/** Files of a CA directory. */
export function pkiPaths(dir: string): { caCert: string; caKey: string } {
  return { caCert: join(resolve(dir), 'ca.crt'), caKey: join(resolve(dir), 'ca.key') };
}
