/**
 * The pluggable group arithmetic behind FROST(Ed25519)'s signing hot path.
 *
 * Elements cross this interface as their 32-byte canonical encodings (RFC 9591 §6.5
 * SerializeElement) — so "encode" is the identity map and every result is already the
 * byte string that goes on the wire — and scalars as 32-byte little-endian values below L.
 * The default is the pure noble implementation; `@qsign/frost-native` installs libsodium.
 */

/** Encoding of the identity element (x = 0, y = 1), which a sum may legitimately produce. */
export const IDENTITY_ENCODING: Uint8Array = Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 1 : 0));

/**
 * Group arithmetic for FROST(Ed25519, SHA-512). Implementations must agree bit for bit with
 * the noble default (the frost-native tests check this on the RFC vectors and random runs).
 *
 * @example
 * setPointBackend(myBackend); // every later commit/signShare/aggregate uses it
 */
export interface PointBackend {
  /** A short name for logs and benchmarks ("noble", "libsodium"). */
  readonly name: string;
  /**
   * RFC 9591 §6.5 DeserializeElement acceptance for 32 bytes: a canonical encoding (y < p, no
   * negative zero) of a curve point that is not the identity and lies in the prime-order
   * subgroup ([L]P = O). Inputs are public. Must accept exactly what the noble check accepts;
   * frost re-runs the noble check on rejections only, to name the reason.
   */
  isValidElement(b: Uint8Array): boolean;
  /**
   * SerializeElement([s]B) for a SECRET scalar s (32-byte little-endian, 0 < s < L).
   * Must run in time independent of s and must not retain s.
   */
  mulBaseSecret(s: Uint8Array): Uint8Array;
  /**
   * Encoding of Σ [k_i]P_i for elements P_i that passed {@link isValidElement} (or B, or a
   * result of this backend) and PUBLIC scalars 0 ≤ k_i < L; variable time is fine. A zero
   * scalar contributes nothing; an empty or cancelling sum returns {@link IDENTITY_ENCODING}.
   */
  multiScalarMulPublic(points: readonly Uint8Array[], scalars: readonly bigint[]): Uint8Array;
  /** Encoding of a + b for encodings of prime-order elements or the identity (public inputs). */
  add(a: Uint8Array, b: Uint8Array): Uint8Array;
}
