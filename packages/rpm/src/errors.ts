/**
 * Typed errors for the rpm package. Every failure this package reports is an
 * {@link RpmError} with a string-literal {@link RpmErrorCode}; tests assert the
 * code, not the message.
 */

/** Why an RPM file, header or signature was refused. */
export type RpmErrorCode =
  /** Input is not a Uint8Array or an option is out of range. */
  | 'INVALID_ARGUMENT'
  /** Input ends before a structure it announces. */
  | 'TRUNCATED'
  /** Lead magic (ed ab ee db) or header magic (8e ad e8 01 00 00 00 00) is wrong. */
  | 'BAD_MAGIC'
  /** The lead is not an RPM v3 lead with header-style signatures (type 5). */
  | 'BAD_LEAD'
  /** Index count or data size exceed rpm's limits (HEADER_TAGS_MAX, HEADER_DATA_MAX). */
  | 'LIMIT_EXCEEDED'
  /** An index entry is malformed: bad type, count, offset, alignment, overlap, order. */
  | 'BAD_INDEX_ENTRY'
  /** The region tag (62/63) or its trailer is malformed. */
  | 'BAD_REGION'
  /** The signature header's padding to a multiple of 8 bytes is not zero. */
  | 'BAD_PADDING'
  /** A digest in the signature header does not match the package. */
  | 'DIGEST_MISMATCH'
  /** A string is not NUL-terminated inside the data store, or not UTF-8. */
  | 'BAD_STRING'
  /** A tag asked for is absent. */
  | 'MISSING_TAG'
  /** A tag has a different type or count than the accessor expects. */
  | 'WRONG_TAG_TYPE'
  /** Tags of the main header disagree with each other (file list lengths, indexes). */
  | 'INCONSISTENT_HEADER'
  /** The OpenPGP signature packet handed in is unusable for the chosen tag. */
  | 'BAD_SIGNATURE_PACKET'
  /** The package cannot be signed as asked (e.g. no immutable region). */
  | 'UNSUPPORTED_PACKAGE';

/**
 * The only error this package throws.
 *
 * @example
 * try { readRpm(bytes) } catch (e) { if (e instanceof RpmError && e.code === 'TRUNCATED') … }
 */
export class RpmError extends Error {
  /** Machine-readable reason. */
  readonly code: RpmErrorCode;

  constructor(code: RpmErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RpmError';
    this.code = code;
  }
}

/** Throws an {@link RpmError} with `code` unless `cond` holds. */
export function check(cond: boolean, code: RpmErrorCode, message: string): asserts cond {
  if (!cond) throw new RpmError(code, message);
}
