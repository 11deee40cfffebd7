/**
 * The transport part of every config file (node.json, coordinator.json,
 * client.json): `"tls": {"ca", "cert", "key"}` (paths relative to the
 * file), or — development only, loopback only — `"insecurePlaintext": true`.
 */
import { resolve } from 'node:path';
import { QsignError } from '@qsign/protocol';
import { describeIdentity, identityUri, type PeerIdentity } from './tls-identity.js';
import { TlsMaterial, type TlsFiles } from './tls-files.js';
import { isLoopbackAddress, type Authorizer, type PeerCheck, type TransportSecurity } from './channel.js';

/** A config's transport setting, parsed (files not read yet). */
export type TransportSetting = { kind: 'mtls'; files: TlsFiles } | { kind: 'insecure' };

/**
 * Parses `tls` / `insecurePlaintext` of config object `o`. Plaintext needs
 * `development` (when `requireDevelopment`) and every address in `addresses`
 * ([field, "host:port"]) on loopback. `bad(field, why)` throws a config error.
 */
export function parseTransport(
  o: Record<string, unknown>,
  base: string,
  bad: (field: string, why: string) => never,
  addresses: Array<[string, string]>,
  requireDevelopment = true,
): TransportSetting {
  if (o.insecurePlaintext !== undefined && o.insecurePlaintext !== true && o.insecurePlaintext !== false) bad('insecurePlaintext', 'must be true or false');
  if (o.insecurePlaintext === true) {
    if (o.tls !== undefined) bad('insecurePlaintext', 'cannot be combined with "tls"; remove one of them');
    if (requireDevelopment && o.development !== true) bad('insecurePlaintext', 'is a development setting: refused unless the config says "development": true (production uses "tls", docs/tls.md)');
    for (const [field, addr] of addresses) if (!isLoopbackAddress(addr)) bad(field, `must be a loopback address with "insecurePlaintext" (plaintext never leaves the machine); got ${addr}`);
    return { kind: 'insecure' };
  }
  if (o.tls === undefined) bad('tls', 'is required: {"ca", "cert", "key"} PEM files for mutual TLS (qsign pki, docs/tls.md)');
  const t = o.tls as Record<string, unknown>;
  if (typeof t !== 'object' || t === null || Array.isArray(t)) bad('tls', 'must be an object {"ca", "cert", "key"}');
  const file = (f: 'ca' | 'cert' | 'key'): string => (typeof t[f] === 'string' && (t[f] as string).length > 0 ? resolve(base, t[f] as string) : bad(`tls.${f}`, 'must be the path of a PEM file'));
  return { kind: 'mtls', files: { ca: file('ca'), cert: file('cert'), key: file('key') } };
}

/**
 * Opens a transport setting: reads (and with `watch`, keeps reloading) the
 * TLS files. Daemons watch; one-shot CLI commands do not.
 */
export function openTransport(setting: TransportSetting, opts: { watch?: boolean; log?: (m: string) => void } = {}): TransportSecurity {
  if (setting.kind === 'insecure') return { kind: 'insecure' };
  const material = new TlsMaterial(setting.files, opts.log);
  if (opts.watch) material.watch();
  return { kind: 'mtls', material };
}

/** `security` with a server identity check (no-op for plaintext). */
export function expecting(security: TransportSecurity, expectPeer: PeerCheck): TransportSecurity {
  return security.kind === 'mtls' ? { ...security, expectPeer } : security;
}

/** `security` with a per-call access rule (no-op for plaintext). */
export function authorizing(security: TransportSecurity, authorize: Authorizer): TransportSecurity {
  return security.kind === 'mtls' ? { ...security, authorize } : security;
}

/** Stops reloading (daemon shutdown). */
export function closeTransport(security: TransportSecurity): void {
  if (security.kind === 'mtls') security.material.close();
}

/** Refuses to start when the daemon's own certificate names another identity than its config. */
export function checkOwnIdentity(security: TransportSecurity, want: PeerIdentity): void {
  if (security.kind !== 'mtls') return;
  const have = security.material.identity;
  if (have?.role !== want.role || have.name !== want.name)
    throw new QsignError('CONFIG', `${security.material.files.cert} names ${describeIdentity(have)}, but this daemon is ${identityUri(want)}: issue it a certificate with 'qsign pki issue'`);
}
