/**
 * Scalars of FROST(Ed25519, SHA-512): integers mod the group order L, 32-byte little-endian
 * (RFC 9591 §6.5 SerializeScalar / DeserializeScalar).
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { FrostError } from './errors.js';
import type { RandomBytes } from './types.js';

/** The prime order L of the Ed25519 base point (RFC 8032 §5.1). */
export const L = ed25519.Point.Fn.ORDER;

const Fn = ed25519.Point.Fn;

/** Reduces `a` into [0, L). */
export function mod(a: bigint): bigint {
  const r = a % L;
  return r < 0n ? r + L : r;
}

/** Modular inverse mod L; throws INVALID_SCALAR for zero. */
export function invert(a: bigint): bigint {
  if (mod(a) === 0n) throw new FrostError('INVALID_SCALAR', 'cannot invert zero');
  return Fn.inv(mod(a));
}

/** Little-endian bytes to bigint (no reduction). */
export function bytesToNumberLE(b: Uint8Array): bigint {
  let n = 0n;
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]!);
  return n;
}

/** RFC 9591 §6.5 SerializeScalar: 32-byte little-endian. `s` must be in [0, L). */
export function encodeScalar(s: bigint): Uint8Array {
  if (s < 0n || s >= L) throw new FrostError('INVALID_SCALAR', 'scalar out of range');
  const out = new Uint8Array(32);
  let v = s;
  for (let i = 0; i < 32; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/**
 * RFC 9591 §6.5 DeserializeScalar: rejects anything but 32 bytes encoding a value below L.
 * With `nonZero` also rejects zero (secret shares, nonces).
 */
export function decodeScalar(b: Uint8Array, what = 'scalar', nonZero = false): bigint {
  if (!(b instanceof Uint8Array) || b.length !== 32)
    throw new FrostError('INVALID_SCALAR', `${what}: expected 32 bytes`);
  const s = bytesToNumberLE(b);
  if (s >= L) throw new FrostError('INVALID_SCALAR', `${what}: not canonical (>= L)`);
  if (nonZero && s === 0n) throw new FrostError('INVALID_SCALAR', `${what}: zero`);
  return s;
}

/** Default RNG: WebCrypto `getRandomValues` (available in Node ≥ 20 and browsers). */
export const defaultRandomBytes: RandomBytes = (length) => {
  const out = new Uint8Array(length);
  globalThis.crypto.getRandomValues(out);
  return out;
};

/** A uniformly random nonzero scalar (64 random bytes reduced mod L; RFC 9591 App. D style). */
export function randomScalar(rng: RandomBytes = defaultRandomBytes): bigint {
  for (;;) {
    const b = rng(64);
    if (!(b instanceof Uint8Array) || b.length !== 64)
      throw new FrostError('INVALID_PARAMETERS', 'rng must return the requested number of bytes');
    const s = mod(bytesToNumberLE(b));
    b.fill(0);
    if (s !== 0n) return s;
  }
}
