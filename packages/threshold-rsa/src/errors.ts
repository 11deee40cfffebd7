/**
 * Typed errors for @qsign/threshold-rsa. Callers branch on `code` (and `culprits`), never on the message.
 */

/** Every failure this package reports, as a string literal. */
export type ThresholdRsaErrorCode =
  /** The modulus is not exactly 2048, 3072 or 4096 bits, or is not odd. */
  | 'WRONG_MODULUS_SIZE'
  /** An exponent is out of range: e not odd or ≥ 2^64, a share exponent ≥ n, a proof response too long. */
  | 'OVERSIZED_EXPONENT'
  /** An input is not an EMSA-PKCS1-v1_5 encoding with a SHA-256 or SHA-512 DigestInfo (RFC 8017 §9.2). */
  | 'NOT_PKCS1'
  /** A digest has the wrong length for its hash, or the hash is not SHA-256/SHA-512. */
  | 'INVALID_DIGEST'
  /** The RSA key is inconsistent (n ≠ pq, e not invertible, primes not prime or not safe where required). */
  | 'INVALID_KEY'
  /** Party count, threshold, indices or other parameters are out of range or inconsistent. */
  | 'INVALID_PARAMETERS'
  /** A signature share is bad (proof fails, or combinations exclude it); see `culprits`. */
  | 'INVALID_SHARE'
  /** Not enough good shares to make a signature that verifies. */
  | 'NOT_ENOUGH_SHARES'
  /** A serialized object (hex, JSON shape) cannot be decoded. */
  | 'INVALID_ENCODING'
  /** The injected prime source or modexp backend failed or returned a wrong value. */
  | 'BACKEND_FAILED';

/**
 * The only error type this package throws.
 *
 * `culprits` names the share indices whose input was shown to be bad (by Shoup's proof or
 * by combinations that verify without them); it is absent when no party can be blamed.
 *
 * @example
 * try { combine(pub, 'sha256', digest, shares); }
 * catch (e) { if (e instanceof ThresholdRsaError && e.code === 'NOT_ENOUGH_SHARES') retryWith(e.culprits); }
 */
export class ThresholdRsaError extends Error {
  override readonly name = 'ThresholdRsaError';
  readonly code: ThresholdRsaErrorCode;
  readonly culprits?: number[];
  constructor(code: ThresholdRsaErrorCode, message: string, options?: { culprits?: number[]; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options?.culprits !== undefined) this.culprits = [...options.culprits];
  }
}

/** Throws `ThresholdRsaError(code, message)` unless `cond` holds. */
export function check(cond: boolean, code: ThresholdRsaErrorCode, message: string): asserts cond {
  if (!cond) throw new ThresholdRsaError(code, message);
}
