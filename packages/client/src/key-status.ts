/**
 * `qsign key status` (docs/windows.md): every key with its type, whether it is windowed, its
 * subkeys with their windows and revocations, its expiry, and what needs attention within a
 * horizon — a primary expiring (or expired) that the cluster has not yet renewed, and a
 * windowed key whose published windows run out (its future subkeys must be made ahead).
 * Read from the certificates the cluster serves, checked against the client's pins.
 */
import { primaryExpiry, readSubkeys } from '@qsign/openpgp';
import { parseSubkeyName } from '@qsign/protocol';
import type { QsignClient } from './client.js';
import type { ClientConfig } from './client-config.js';
import { publishedWindows } from './windowed.js';
import { WINDOW_REVOCATION_REASONS } from './window-revoke.js';

/** One window subkey as `key status` shows it. */
export interface SubkeyStatus {
  fingerprint: string;
  start: number;
  end: number;
  /** Revocations: reason name (compromised, retired, or the code) and time. */
  revoked: { reason: string; hard: boolean; at: number }[];
}

/** One key as `key status` shows it. */
export interface KeyStatus {
  name: string;
  /** ed25519, or rsa2048 / rsa4096 / rsaNNNN by the modulus size. */
  type: string;
  windowed: boolean;
  /** Primary expiry (Unix seconds); undefined: never, or no certificate yet. */
  expires?: number;
  hasCertificate: boolean;
  subkeys: SubkeyStatus[];
  /** What needs attention within the horizon, one sentence each. */
  warnings: string[];
}

const iso = (t: number) => new Date(t * 1000).toISOString();
const REASON_NAMES = new Map(Object.entries(WINDOW_REVOCATION_REASONS).map(([n, c]) => [c as number, n]));

/** The type of a key from its KeyInfo: 'ed25519' for a 32-byte group key, else rsa + the modulus bits of MPI(n) ‖ MPI(e). */
export function keyType(scheme: string, groupPublicKey: Uint8Array): string {
  if (scheme !== 'rsa-shoup') return 'ed25519';
  const bits = groupPublicKey.length >= 2 ? (groupPublicKey[0]! << 8) | groupPublicKey[1]! : 0;
  return `rsa${bits}`;
}

/** The status of key `name` as of `now`, warning about what falls within `horizon` seconds. */
export async function keyStatus(client: QsignClient, name: string, now: number, horizon: number): Promise<KeyStatus> {
  const info = await client.key(name);
  const cert = await client.certificate(name);
  const out: KeyStatus = { name, type: keyType(info.scheme, info.groupPublicKey), windowed: false, hasCertificate: cert !== undefined, subkeys: [], warnings: [] };
  if (!cert) {
    out.warnings.push(`key ${name} has no OpenPGP certificate yet (qsign certify --key ${name})`);
    return out;
  }
  const expiry = primaryExpiry(cert).expiresUnixSeconds;
  if (expiry !== undefined) out.expires = expiry;
  if (expiry !== undefined && expiry <= now) out.warnings.push(`key ${name} EXPIRED at ${iso(expiry)}: signatures made since are rejected; the cluster's renewal loop should have renewed it (check the coordinator's renewal section and log)`);
  else if (expiry !== undefined && expiry - now <= horizon) out.warnings.push(`key ${name} expires at ${iso(expiry)}, within ${Math.ceil((expiry - now) / 86_400)} days; the cluster renews it ahead if the coordinator's renewal loop runs`);
  const subs = readSubkeys(cert);
  const windows = publishedWindows(name, info.createdUnixSeconds, cert);
  out.windowed = windows.length > 0;
  out.subkeys = windows.map((w) => {
    const s = subs.find((x) => Buffer.from(x.fingerprint).toString('hex') === w.fingerprint)!;
    return { fingerprint: w.fingerprint, start: w.start, end: w.end, revoked: s.revocations.map((r) => ({ reason: REASON_NAMES.get(r.reason) ?? `reason ${r.reason}`, hard: r.hard, at: r.createdUnixSeconds })) };
  });
  const last = windows.at(-1);
  if (last && last.end - now <= horizon)
    out.warnings.push(`key ${name}'s published windows run out at ${iso(last.end)}${last.end <= now ? ' (already: nothing can be signed)' : ''}; make the next subkeys ahead (qsign keygen --window makes them at creation)`);
  return out;
}

/** The keys `key status` lists: the given names, else every key the client config pins (window subkeys shown under their primary). */
export function statusKeyNames(config: Pick<ClientConfig, 'keys'>, names: readonly string[]): string[] {
  const pinned = [...config.keys.keys()].filter((n) => !parseSubkeyName(n));
  return (names.length ? [...names] : pinned).sort();
}
