/**
 * A {@link PointBackend} on libsodium's Ed25519 group API (through the sodium-native addon).
 *
 * - isValidElement: crypto_core_ed25519_is_valid_point — y < p, not one of the small-order
 *   encodings (sign bit ignored, so negative zero is refused too), on the curve, and in the
 *   prime-order subgroup. The test suite and {@link selfTest} check it against noble's RFC 9591
 *   §6.5 check on the identity, all 8 small-order points, every torsion component, y ≥ p and
 *   negative-zero encodings.
 * - mulBaseSecret: crypto_scalarmult_ed25519_base_noclamp — libsodium's constant-time fixed-base
 *   ladder (cmov table lookups, the one its own signing uses). The scalar bytes are passed to C
 *   by reference; no copy is made on the JS side.
 * - multiScalarMulPublic / add: crypto_scalarmult_ed25519_noclamp and crypto_core_ed25519_add,
 *   per term (libsodium has no multi-scalar multiplication). Public inputs only.
 *
 * libsodium refuses zero scalars and identity results; zero terms are skipped, and any other
 * refusal (impossible for validated prime-order inputs) falls back to the noble backend.
 */
import { IDENTITY_ENCODING, nobleBackend, type PointBackend } from '@qsign/frost';

/** The part of sodium-native's API this backend uses. */
export interface SodiumEd25519 {
  crypto_core_ed25519_is_valid_point(p: Uint8Array): boolean | number;
  crypto_scalarmult_ed25519_base_noclamp(q: Uint8Array, n: Uint8Array): void;
  crypto_scalarmult_ed25519_noclamp(q: Uint8Array, n: Uint8Array, p: Uint8Array): void;
  crypto_core_ed25519_add(r: Uint8Array, p: Uint8Array, q: Uint8Array): void;
}

// SerializeElement(B), RFC 8032 §5.1.
const BASE = Uint8Array.from(Buffer.from('5866666666666666666666666666666666666666666666666666666666666666', 'hex'));

const equal32 = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a.length !== 32 || b.length !== 32) return false;
  let d = 0;
  for (let i = 0; i < 32; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
};

// Public scalars only (binding factors, challenges): 32-byte little-endian.
function scalarBytes(k: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) {
    out[i] = Number(k & 0xffn);
    k >>= 8n;
  }
  return out;
}

/** The libsodium backend, with a count of calls that libsodium refused and noble answered. */
export interface SodiumBackend extends PointBackend {
  /** Calls answered by the noble fallback (0 in normal operation; the self-test requires 0). */
  readonly fallbacks: number;
}

/** Builds the libsodium backend over a loaded sodium-native module. */
export function sodiumBackend(sodium: SodiumEd25519): SodiumBackend {
  let fallbacks = 0;
  const msm = (points: readonly Uint8Array[], scalars: readonly bigint[]): Uint8Array => {
    let acc: Uint8Array | undefined;
    for (let i = 0; i < points.length; i++) {
      const k = scalars[i]!;
      const P = points[i]!;
      if (k === 0n) continue;
      let term = P;
      if (k !== 1n) {
        term = new Uint8Array(32);
        // The base point has a precomputed table (the constant-time one; still the fastest).
        if (equal32(P, BASE)) sodium.crypto_scalarmult_ed25519_base_noclamp(term, scalarBytes(k));
        else sodium.crypto_scalarmult_ed25519_noclamp(term, scalarBytes(k), P);
      }
      // acc is our own buffer: never an input (which may be a caller's Buffer; Buffer.slice()
      // would be a view), since libsodium writes the sum into it.
      if (acc === undefined) acc = Uint8Array.from(term);
      else sodium.crypto_core_ed25519_add(acc, acc, term);
    }
    return acc ?? IDENTITY_ENCODING.slice();
  };
  return {
    name: 'libsodium',
    get fallbacks() {
      return fallbacks;
    },
    isValidElement(b) {
      return b instanceof Uint8Array && b.length === 32 && Boolean(sodium.crypto_core_ed25519_is_valid_point(b));
    },
    mulBaseSecret(s) {
      const q = new Uint8Array(32);
      try {
        sodium.crypto_scalarmult_ed25519_base_noclamp(q, s);
      } catch {
        fallbacks++;
        return nobleBackend.mulBaseSecret(s); // zero scalar: noble refuses it with its own error
      }
      return q;
    },
    multiScalarMulPublic(points, scalars) {
      if (points.length !== scalars.length) return nobleBackend.multiScalarMulPublic(points, scalars); // throws
      try {
        return msm(points, scalars);
      } catch {
        fallbacks++;
        return nobleBackend.multiScalarMulPublic(points, scalars);
      }
    },
    add(a, b) {
      const r = new Uint8Array(32);
      try {
        sodium.crypto_core_ed25519_add(r, a, b);
      } catch {
        fallbacks++;
        return nobleBackend.add(a, b);
      }
      return r;
    },
  };
}
