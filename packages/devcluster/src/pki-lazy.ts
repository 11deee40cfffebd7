/**
 * The development PKI as the package root exports it: {@link pkiInit} and
 * {@link pkiIssue} load pki.ts (and the large X.509 library with it) on
 * first call, so commands that never touch certificates do not pay for it.
 */
import type { PeerIdentity } from '@qsign/rpc';
import type { IssueOptions } from './pki.js';

export type { IssueOptions } from './pki.js';
export { pkiPaths } from './pki-files.js';

/** Creates the development CA in `dir` (see pki.ts `pkiInit`). */
export async function pkiInit(dir: string, opts: { name?: string; days?: number } = {}): Promise<{ caCert: string; caKey: string }> {
  return (await import('./pki.js')).pkiInit(dir, opts);
}

/** Issues a certificate for `identity` from the CA in `dir` (see pki.ts `pkiIssue`). */
export async function pkiIssue(dir: string, identity: PeerIdentity, opts: IssueOptions = {}): Promise<{ cert: string; key: string }> {
  return (await import('./pki.js')).pkiIssue(dir, identity, opts);
}
