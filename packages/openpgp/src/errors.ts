/**
 * Typed errors for @qsign/openpgp. Callers branch on `code`, never on the message.
 */

/** Every failure this package reports, as a string literal. */
export type OpenPgpErrorCode =
  /** A caller-supplied argument has the wrong type, size or range. */
  | 'INVALID_ARGUMENT'
  /** Input ends before a length field says it should (RFC 9580 §4.2). */
  | 'TRUNCATED'
  /** Input, a packet or a field is larger than this package accepts. */
  | 'TOO_LARGE'
  /** Structurally invalid packet, subpacket or MPI. */
  | 'MALFORMED'
  /** A packet tag this package does not know (RFC 9580 §5). */
  | 'UNKNOWN_PACKET'
  /** A packet version other than 4. */
  | 'UNSUPPORTED_VERSION'
  /** A public-key or hash algorithm other than EdDSALegacy (22) and SHA-1/256/512. */
  | 'UNSUPPORTED_ALGORITHM'
  /** An EdDSALegacy key on a curve other than Ed25519. */
  | 'UNSUPPORTED_CURVE'
  /** ASCII armor that cannot be decoded (RFC 4880 §6). */
  | 'BAD_ARMOR'
  /** Armor CRC-24 or secret-key checksum mismatch. */
  | 'BAD_CHECKSUM'
  /** A secret key protected by a passphrase (S2K usage ≠ 0). */
  | 'ENCRYPTED_KEY'
  /** Secret key material does not match the public key beside it. */
  | 'KEY_MISMATCH'
  /** A signature (e.g. from the signer callback) does not verify. */
  | 'BAD_SIGNATURE'
  /** The signer callback failed. */
  | 'SIGNER_FAILED';

/**
 * The only error type this package throws.
 *
 * @example
 * try { parsePackets(bytes); } catch (e) { if (e instanceof OpenPgpError && e.code === 'TRUNCATED') … }
 */
export class OpenPgpError extends Error {
  override readonly name = 'OpenPgpError';
  constructor(
    readonly code: OpenPgpErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Throws `OpenPgpError(code, message)` unless `cond` holds. */
export function check(cond: boolean, code: OpenPgpErrorCode, message: string): asserts cond {
  if (!cond) throw new OpenPgpError(code, message);
}
