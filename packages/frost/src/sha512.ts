/**
 * The SHA-512 behind FROST(Ed25519, SHA-512)'s H1..H5 (RFC 9591 §6.5): noble's pure JS by
 * default; `@qsign/frost-native` installs OpenSSL's (node:crypto), which is several times
 * faster on the hot path (H2 and H4 hash the whole message in every signShare and aggregate).
 * frost itself stays pure: the implementation is injected.
 */
import { sha512 as nobleSha512 } from '@noble/hashes/sha2.js';
import { FrostError } from './errors.js';

/** A SHA-512 implementation (FIPS 180-4): 64-byte digest of `m`. */
export type Sha512 = (m: Uint8Array) => Uint8Array;

let impl: Sha512 = nobleSha512;

/** SHA-512 with the installed implementation. */
export const sha512: Sha512 = (m) => impl(m);

/** Known answers every implementation must reproduce before it is installed. */
const PROBES: Uint8Array[] = [new Uint8Array(0), new TextEncoder().encode('abc'), Uint8Array.from({ length: 4133 }, (_, i) => (i * 131 + 7) & 0xff)];

/**
 * Installs `f` as frost's SHA-512 after checking it against noble's on a few inputs (empty,
 * "abc", a multi-block message); throws FrostError `INVALID_PARAMETERS` and keeps the current one
 * if they differ. `setSha512(undefined)` restores noble.
 */
export function setSha512(f: Sha512 | undefined): void {
  if (f === undefined) {
    impl = nobleSha512;
    return;
  }
  for (const m of PROBES) {
    const want = nobleSha512(m);
    const got = f(m);
    if (!(got instanceof Uint8Array) || got.length !== 64 || got.some((b, i) => b !== want[i])) throw new FrostError('INVALID_PARAMETERS', 'SHA-512 implementation disagrees with the reference on a known answer');
  }
  impl = f;
}
