/**
 * Typed errors for the audit package.
 *
 * Every failure raised by `@qsign/audit` is an {@link AuditError} carrying a
 * string-literal {@link AuditErrorCode}; callers and tests branch on `code`,
 * never on `message`. Foreign errors (e.g. from a {@link HashReader} backed by
 * LevelDB) are wrapped once, at the boundary, and kept as `cause`.
 *
 * @module
 */

/** Every error code this package can raise. */
export type AuditErrorCode =
  /** An argument has the wrong type, length or range (a programming error or hostile input). */
  | 'invalid-argument'
  /** A leaf index is not below the tree size (RFC 9162 §2.1.3.2 step 1). */
  | 'index-out-of-range'
  /** Tree sizes are not ordered as the operation requires (RFC 9162 §2.1.4). */
  | 'size-order'
  /** A consistency proof from the empty tree was asked for; it proves nothing (RFC 9162 §2.1.4). */
  | 'empty-tree'
  /** A proof has the wrong number of nodes for its index/sizes. */
  | 'proof-size'
  /** A proof does not lead to the expected root hash. */
  | 'root-mismatch'
  /** A {@link HashReader} failed or returned something that is not a 32-byte hash. */
  | 'reader-failed'
  /** Serialised tree state is malformed. */
  | 'malformed-state'
  /** A signed note does not follow c2sp.org/signed-note. */
  | 'malformed-note'
  /** A note or a part of it exceeds the configured size limits. */
  | 'note-too-large'
  /** A checkpoint body does not follow c2sp.org/tlog-checkpoint. */
  | 'malformed-checkpoint'
  /** A verifier key (vkey) string is malformed or its key ID does not match. */
  | 'malformed-key'
  /** Two configured verifiers share the same key name and key ID. */
  | 'ambiguous-key'
  /** A signature by a known key failed to verify (c2sp.org/signed-note: reject the whole note). */
  | 'bad-signature'
  /** A known key signed a note twice. */
  | 'duplicate-signature'
  /** No signature from a known key was found (c2sp.org/signed-note: MUST reject). */
  | 'no-verified-signature'
  /** A cosignature is malformed or its timestamp is out of range (c2sp.org/tlog-cosignature). */
  | 'malformed-cosignature'
  /** An audit record does not have the required shape. */
  | 'malformed-record'
  /** An audit record decodes but is not in canonical form. */
  | 'non-canonical-record'
  /** Two checkpoints disagree (different origin, shrinking size, or inconsistent roots). */
  | 'inconsistent-checkpoints';

/** What a `malformed-record` error is about, for callers that repair a record. */
export interface AuditErrorDetails {
  /** The top-level record field whose shape is wrong. */
  readonly field?: string;
  /** The encoded record exceeds `MAX_RECORD_BYTES`. */
  readonly tooLarge?: boolean;
}

/**
 * The single error class of this package.
 *
 * @example
 * ```ts
 * try { verifyInclusion(leaf, 3, 8, proof, root); }
 * catch (e) { if (e instanceof AuditError && e.code === 'root-mismatch') ... }
 * ```
 */
export class AuditError extends Error {
  /** Machine-readable reason; stable across releases. */
  readonly code: AuditErrorCode;
  /** Machine-readable facts for callers to branch on (never parse `message`). */
  readonly details: AuditErrorDetails;

  /**
   * @param code - the {@link AuditErrorCode}.
   * @param message - a human-readable explanation (not part of the API).
   * @param options - optional `cause` (a wrapped foreign error) and `details`.
   */
  constructor(code: AuditErrorCode, message: string, options?: { cause?: unknown; details?: AuditErrorDetails }) {
    super(message, options);
    this.name = 'AuditError';
    this.code = code;
    this.details = options?.details ?? {};
  }
}

/** Throws `AuditError(code, message)` unless `cond` holds. */
export function check(cond: boolean, code: AuditErrorCode, message: string): asserts cond {
  if (!cond) throw new AuditError(code, message);
}
