/**
 * Typed errors for @qsign/frost. Callers branch on `code` (and `culprits`), never on the message.
 */

/** Every failure this package reports, as a string literal. */
export type FrostErrorCode =
  /** A point encoding is not canonical, not on the curve or not in the prime-order subgroup (RFC 9591 §6.5). */
  | 'INVALID_POINT'
  /** A point is the identity element, which RFC 9591 §3.1 forbids on the wire. */
  | 'IDENTITY_POINT'
  /** A scalar is not a canonical 32-byte little-endian value below L, or is zero where forbidden (RFC 9591 §6.5). */
  | 'INVALID_SCALAR'
  /** An identifier is not an integer in 1..65535 (RFC 9591 §3.1 / §4). */
  | 'INVALID_IDENTIFIER'
  /** The same identifier appears twice. */
  | 'DUPLICATE_IDENTIFIER'
  /** A commitment list is not sorted by identifier (RFC 9591 §4.3). */
  | 'UNSORTED_COMMITMENTS'
  /** A commitment the operation needs is absent (e.g. the signer's own, RFC 9591 §5.2). */
  | 'MISSING_COMMITMENT'
  /** The signer's commitment in the list does not match its nonces (frost-rs round2::sign). */
  | 'COMMITMENT_MISMATCH'
  /** Nonces are all-zero: already used and zeroed, or never generated (RFC 9591 §5.2). */
  | 'NONCE_REUSED'
  /** A share (signature share, secret share or DKG/reshare sub-share) fails verification; see `culprits`. */
  | 'INVALID_SHARE'
  /** A DKG proof of knowledge does not verify; see `culprits`. */
  | 'INVALID_PROOF_OF_KNOWLEDGE'
  /** A commitment (VSS or reshare) is malformed or inconsistent; see `culprits`. */
  | 'INVALID_COMMITMENT'
  /** The aggregate signature does not verify. */
  | 'INVALID_SIGNATURE'
  /** Thresholds, counts, lengths or option values are out of range or inconsistent. */
  | 'INVALID_PARAMETERS'
  /** A serialized object (hex, JSON shape) cannot be decoded. */
  | 'INVALID_ENCODING'
  /** A round's secret state was used out of order or twice. */
  | 'INVALID_STATE';

/**
 * The only error type this package throws.
 *
 * `culprits` names the participants whose input was provably bad (identifiable abort,
 * RFC 9591 §5.4); it is absent when no participant can be blamed.
 *
 * @example
 * try { aggregate(shares, gpk, list, msg, pkp); }
 * catch (e) { if (e instanceof FrostError && e.code === 'INVALID_SHARE') exclude(e.culprits); }
 */
export class FrostError extends Error {
  override readonly name = 'FrostError';
  readonly code: FrostErrorCode;
  readonly culprits?: number[];
  constructor(code: FrostErrorCode, message: string, options?: { culprits?: number[]; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options?.culprits !== undefined) this.culprits = [...options.culprits];
  }
}

/** Throws `FrostError(code, message)` unless `cond` holds. */
export function check(cond: boolean, code: FrostErrorCode, message: string): asserts cond {
  if (!cond) throw new FrostError(code, message);
}
